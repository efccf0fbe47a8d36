"""Fault switches: a method answers 429, 5xx or hangs on purpose, and the call takes no effect."""

from __future__ import annotations

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from sandbox.server import SandboxHandle
from tests.sandbox.fixtures import STAFF_CHAT_ID, USER_ID


async def test_429_for_the_next_two_calls(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    await seeded_sandbox.control.add_fault("sendMessage", "429", count=2, retry_after=7)
    for _ in range(2):
        with pytest.raises(TelegramRetryAfter) as caught:
            await sandbox_bot.send_message(USER_ID, "попытка")
        assert caught.value.retry_after == 7
    await sandbox_bot.send_message(USER_ID, "дошло")
    texts = [m["text"] for m in await seeded_sandbox.control.messages(USER_ID)]
    assert texts == ["дошло"]
    stats = await seeded_sandbox.control.stats()
    assert stats["faults_applied"] == {"429": 2}


async def test_5xx_only_for_the_chosen_chat(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    await seeded_sandbox.control.add_fault("sendMessage", "5xx", chat_id=STAFF_CHAT_ID)
    await sandbox_bot.send_message(USER_ID, "в личку — без сбоя")
    with pytest.raises(TelegramServerError):
        await sandbox_bot.send_message(STAFF_CHAT_ID, "в группу — сбой")
    assert await seeded_sandbox.control.messages(STAFF_CHAT_ID) == []
    await sandbox_bot.send_message(STAFF_CHAT_ID, "второй раз — без сбоя")


async def test_400_refuses_the_call_for_good(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    await seeded_sandbox.control.add_fault("sendMessage", "400", chat_id=USER_ID)
    with pytest.raises(TelegramBadRequest, match="sandbox fault switch"):
        await sandbox_bot.send_message(USER_ID, "отказ")
    assert await seeded_sandbox.control.messages(USER_ID) == []
    await sandbox_bot.send_message(USER_ID, "второй раз — без сбоя")


async def test_a_hanging_call_times_out_at_the_client(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    await seeded_sandbox.control.add_fault("sendMessage", "hang")
    with pytest.raises(TelegramNetworkError, match="Request timeout"):
        await sandbox_bot.send_message(USER_ID, "зависло", request_timeout=1)
    assert await seeded_sandbox.control.messages(USER_ID) == []


async def test_faults_can_be_listed_and_cleared(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    await seeded_sandbox.control.add_fault("sendMessage", "5xx", count=3)
    await seeded_sandbox.control.clear_faults()
    assert (await sandbox_bot.send_message(USER_ID, "без сбоев")).text == "без сбоев"


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"method": "sendMessage", "kind": "boom"}, "kind must be one of 429, 5xx, 400, hang"),
        ({"method": "sendMessage", "kind": "429", "count": 0}, "count must be at least 1"),
        ({"kind": "429"}, 'parameter "method" is required'),
    ],
)
async def test_a_bad_fault_request_is_refused_clearly(
    seeded_sandbox: SandboxHandle, fault: dict[str, object], error: str
):
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{seeded_sandbox.url}/sandbox/api/faults", json=fault) as resp,
    ):
        assert resp.status == 400
        assert error in (await resp.json())["error"]
    assert seeded_sandbox.sandbox.faults.faults == []
