"""The rate limiter keeps Telegram's limits.

Pacing figures are checked through ``acquire`` on a fake clock (its waits
move the clock, nothing sleeps); the middleware itself on a Bot's session
against the sandbox, which refuses with 429 what Telegram would refuse.
Wall-time checks are only lower bounds the limiter guarantees (a slow
machine makes them longer, never shorter).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import EditMessageText, Response, TelegramMethod
from aiogram.types import Message
from maxapi import Bot as MaxBot

from bot.channels.max_session import MaxSession
from bot.outbox.ratelimit import MAX_LIMITS, Limits, RateLimiter
from bot.session import make_session
from sandbox.server import SandboxHandle
from tests.sandbox.fixtures import CONSULTANT_IDS, USER_ID

CONSULTANT = CONSULTANT_IDS[0]


class FakeTime:
    """A clock that moves only when the limiter waits on it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def _limiter(fake: FakeTime, limits: Limits | None = None, sweep_every: int = 1000) -> RateLimiter:
    return RateLimiter(
        limits or Limits(), clock=fake.clock, sleep=fake.sleep, sweep_every=sweep_every
    )


async def _times(limiter: RateLimiter, fake: FakeTime, chat_id: int, count: int) -> list[float]:
    """When each of ``count`` messages into ``chat_id`` may go (seconds from the first)."""
    start = fake.now
    times = []
    for _ in range(count):
        await limiter.acquire(chat_id)
        times.append(round(fake.now - start, 3))
    return times


async def test_one_chat_gets_a_short_burst_then_about_one_per_second() -> None:
    """Two messages go at once, each next one about a second after the one before."""
    fake = FakeTime()
    times = await _times(_limiter(fake), fake, 1, 4)
    assert times[:2] == [0, 0]
    assert 1.0 <= times[2] <= 1.1
    assert 2.0 <= times[3] <= 2.2


@pytest.mark.parametrize("sweep_every", [1, 1000])
async def test_a_group_gets_at_most_20_messages_a_minute(sweep_every: int) -> None:
    """The 21st message into a group waits until the first leaves the minute's window
    (forgetting idle chats, even after every message, forgets nothing in use)."""
    fake = FakeTime()
    limiter = _limiter(fake, sweep_every=sweep_every)
    times = await _times(limiter, fake, -100, 21)
    assert times[19] < 60  # the first 20 at the chat's own pace
    assert times[20] >= 61  # the group window (a little over Telegram's minute)


async def test_all_chats_together_are_paced_by_the_global_limit() -> None:
    """200 chats at once: a burst of 20, then 28 a second."""
    fake = FakeTime()
    limiter = _limiter(fake)
    went = []
    for chat in range(1, 201):
        await limiter.acquire(chat)
        went.append(fake.now - 1000.0)
    assert went[19] == 0
    assert sum(1 for at in went if at < 1) <= 20 + 28
    assert went[-1] >= (200 - 20) / 28 - 1e-6


async def test_chats_idle_past_their_window_are_forgotten() -> None:
    """10 000 chats written to once each, 20 ms apart: the limiter holds only
    those of the last window (and at most ``sweep_every`` not yet swept)."""
    fake = FakeTime()
    limits = Limits(global_rate=1e9, global_burst=1e9)  # only the chats' own limits
    limiter = _limiter(fake, limits, sweep_every=100)
    for chat in range(1, 10_001):
        await limiter.acquire(chat if chat % 10 else -chat)  # every tenth a group
        fake.now += 0.02
    recent_private = 1.1 / 0.02  # a private chat's bucket refills in about a second
    recent_groups = limits.group_window / 0.02 / 10
    assert limiter.tracked_chats <= recent_private + recent_groups + 100
    fake.now += limits.group_window
    for chat in range(20_001, 20_101):  # 100 new chats: the next sweep
        await limiter.acquire(chat)
    assert limiter.tracked_chats <= 100


# --- the middleware on a Bot's session, against the sandbox ---


@pytest.fixture
def limiter() -> RateLimiter:
    return RateLimiter(Limits(), sweep_every=1)  # sweeping at every message loses nothing


@pytest.fixture
async def limited_bot(seeded_sandbox: SandboxHandle, limiter: RateLimiter) -> AsyncIterator[Bot]:
    """A Bot talking to the sandbox with the limiter on its session (as ``make_bot`` builds)."""
    bot = Bot(seeded_sandbox.token, session=make_session(seeded_sandbox.url, limiter))
    try:
        yield bot
    finally:
        await bot.session.close()


async def _texts(handle: SandboxHandle, chat_id: int) -> list[str]:
    return [m["text"] for m in await handle.control.messages(chat_id)]


async def test_a_429_pauses_that_chat_for_retry_after_and_no_other(
    seeded_sandbox: SandboxHandle, limited_bot: Bot, limiter: RateLimiter
) -> None:
    await seeded_sandbox.control.add_fault("sendMessage", "429", chat_id=USER_ID, retry_after=1)
    start = time.monotonic()
    with pytest.raises(TelegramRetryAfter):
        await limited_bot.send_message(USER_ID, "первая попытка")
    assert limiter.retry_after_seen == 1
    await limited_bot.send_message(CONSULTANT, "другой чат")
    assert limiter.waited == 0  # another chat is not paused
    await limited_bot.send_message(USER_ID, "вторая попытка")
    assert limiter.waited > 0
    assert time.monotonic() - start >= 1  # not before retry_after has passed
    assert await _texts(seeded_sandbox, USER_ID) == ["вторая попытка"]
    assert await _texts(seeded_sandbox, CONSULTANT) == ["другой чат"]


async def test_one_chat_is_paced_and_keeps_its_order(
    seeded_sandbox: SandboxHandle, limited_bot: Bot, limiter: RateLimiter
) -> None:
    """Four messages asked for at once all arrive, in order, none refused."""
    texts = [f"сообщение {n}" for n in range(4)]
    start = time.monotonic()
    for text in texts:  # one chat's messages go one after another, as the sender's lane sends
        await limited_bot.send_message(USER_ID, text)
    assert await _texts(seeded_sandbox, USER_ID) == texts
    assert limiter.waited > 0
    assert time.monotonic() - start >= 2 / Limits().chat_rate - 1e-6
    stats = await seeded_sandbox.control.stats()
    assert stats["refused"]["total"] == 0


async def test_many_chats_at_once_are_paced_by_the_global_limit(
    seeded_sandbox: SandboxHandle, limited_bot: Bot, limiter: RateLimiter
) -> None:
    """45 chats at once, more than the sandbox's 30 a second: every message is
    sent, none refused, because the limiter spread them out."""
    users = list(range(5001, 5046))
    for uid in users:
        await seeded_sandbox.control.create_user(uid, f"Пользователь {uid}")
    start = time.monotonic()
    await asyncio.gather(*(limited_bot.send_message(uid, f"всем, {uid}") for uid in users))
    elapsed = time.monotonic() - start
    for uid in users:
        assert await _texts(seeded_sandbox, uid) == [f"всем, {uid}"]
    stats = await seeded_sandbox.control.stats()
    assert stats["refused"]["total"] == 0
    assert limiter.retry_after_seen == 0
    assert limiter.waited > 0
    limits = Limits()
    assert elapsed >= (len(users) - limits.global_burst) / limits.global_rate - 1e-6


Sent = Message | bool  # what an edit gives back


async def test_where_every_call_counts_edits_wait_for_the_global_limit_too() -> None:
    """MAX counts every request: with ``MAX_LIMITS`` 40 edits at once go as a burst
    of 10, then 26 a second; Telegram's limits hold no edit."""
    max_dialog = -(2**53) - 4711  # a MAX user's dialog (desk.channels)
    edit = EditMessageText(chat_id=max_dialog, message_id=1, text="новый текст")
    a_bot = Bot("42:TEST")

    async def gone(limits: Limits) -> list[float]:
        fake = FakeTime()
        limiter = _limiter(fake, limits)
        went: list[float] = []

        async def make_request(bot: Bot, method: TelegramMethod[Sent]) -> Response[Sent]:
            went.append(fake.now - 1000.0)
            return Response[Sent](ok=True, result=True)

        for _ in range(40):
            await limiter(make_request, a_bot, edit)
        return went

    on_max = await gone(MAX_LIMITS)
    assert on_max[9] == 0
    assert on_max[10] > 0
    assert on_max[-1] >= (40 - MAX_LIMITS.global_burst) / MAX_LIMITS.global_rate - 1e-6
    assert await gone(Limits()) == [0.0] * 40


async def test_on_max_a_call_max_is_never_asked_takes_no_turn() -> None:
    """A callback answer without a text and a chat action make no MAX request: the
    MAX session answers them itself, and the limiter neither waits nor counts them."""
    fake = FakeTime()
    limiter = _limiter(fake, MAX_LIMITS)

    async def no_mids(chat_key: int, seq: int, mid: str | None) -> str | None:
        return mid

    session = MaxSession(MaxBot("max-token"), no_mids)
    session.middleware(limiter)
    bot = Bot("42:max", session=session)
    for _ in range(40):
        assert await bot.answer_callback_query("callback-id") is True
        assert await bot.send_chat_action(-(2**53) - 4711, "typing") is True
    assert fake.now == 1000.0
    assert limiter.waited == 0
