"""Flood limits: what Telegram refuses with 429, and the switch that turns them off."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramRetryAfter

from sandbox._errors import TooManyRequests
from sandbox._flood import FloodLimiter
from sandbox.server import SandboxHandle
from tests.sandbox.fixtures import STAFF_CHAT_ID, USER_ID


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_burst_into_one_chat_gets_retry_after(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    # a short burst (3) is tolerated; a slow machine may earn one more in between
    delivered, refused = 0, None
    for _ in range(10):
        try:
            await sandbox_bot.send_message(USER_ID, f"сообщение {delivered}")
        except TelegramRetryAfter as exc:
            refused = exc
            break
        delivered += 1
    assert refused is not None
    assert delivered >= 3
    assert refused.retry_after >= 1
    stats = await seeded_sandbox.control.stats()
    assert stats["refused"] == {
        "total": 1,
        "by_method": {"sendMessage": 1},
        "by_chat": {str(USER_ID): 1},
    }
    assert len(await seeded_sandbox.control.messages(USER_ID)) == delivered


async def test_flood_limits_can_be_switched_off(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    await seeded_sandbox.control.set_flood_limits(False)
    for n in range(25):
        await sandbox_bot.send_message(STAFF_CHAT_ID, f"пачка {n}")
    assert len(await seeded_sandbox.control.messages(STAFF_CHAT_ID)) == 25
    assert (await seeded_sandbox.control.stats())["refused"]["total"] == 0
    assert (await seeded_sandbox.control.state())["flood_limits"] is False


def test_one_message_per_second_in_a_chat_after_the_burst():
    clock = FakeClock()
    limiter = FloodLimiter(clock=clock)
    for _ in range(3):
        limiter.check("sendMessage", 1, is_group=False)
    with pytest.raises(TooManyRequests) as caught:
        limiter.check("sendMessage", 1, is_group=False)
    assert caught.value.retry_after == 1
    clock.now += 1.0
    limiter.check("sendMessage", 1, is_group=False)
    limiter.check("sendMessage", 2, is_group=False)  # another chat has its own allowance


def test_twenty_messages_a_minute_into_one_group():
    clock = FakeClock()
    limiter = FloodLimiter(clock=clock)
    for _ in range(20):
        limiter.check("sendMessage", -100, is_group=True)
        clock.now += 1.5
    with pytest.raises(TooManyRequests) as caught:
        limiter.check("sendMessage", -100, is_group=True)
    # the first of the 20 leaves the one-minute window 30 s from now
    assert caught.value.retry_after == 30
    clock.now += 30
    limiter.check("sendMessage", -100, is_group=True)
    assert limiter.refused_total == 1


def test_about_thirty_messages_a_second_overall():
    clock = FakeClock()
    limiter = FloodLimiter(clock=clock)
    for chat in range(30):
        limiter.check("sendMessage", chat, is_group=False)
    with pytest.raises(TooManyRequests):
        limiter.check("sendMessage", 31, is_group=False)
    clock.now += 0.1  # 30/s refills three messages in 100 ms
    for chat in range(40, 43):
        limiter.check("sendMessage", chat, is_group=False)
    with pytest.raises(TooManyRequests):
        limiter.check("sendMessage", 50, is_group=False)


def test_a_refused_message_does_not_use_up_the_allowance():
    clock = FakeClock()
    limiter = FloodLimiter(clock=clock)
    for _ in range(3):
        limiter.check("sendMessage", 1, is_group=False)
    for _ in range(5):
        with pytest.raises(TooManyRequests):
            limiter.check("sendMessage", 1, is_group=False)
    clock.now += 1.0
    limiter.check("sendMessage", 1, is_group=False)
    assert limiter.refused["sendMessage"] == 5
