"""How updates reach the bot: long polling, one poller at a time, and webhook push."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramConflictError
from aiohttp import web

from sandbox.server import SandboxHandle
from tests.sandbox.fixtures import USER_ID


async def test_offset_confirms_updates(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    first = await seeded_sandbox.control.send(USER_ID, USER_ID, "раз")
    second = await seeded_sandbox.control.send(USER_ID, USER_ID, "два")
    updates = await sandbox_bot.get_updates(timeout=0)
    assert [u.message.message_id for u in updates if u.message] == [first, second]
    again = await sandbox_bot.get_updates(timeout=0)
    assert len(again) == 2  # nothing is confirmed until an offset says so
    rest = await sandbox_bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    assert rest == []


async def test_a_waiting_poll_returns_as_soon_as_a_user_writes(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    poll = asyncio.create_task(sandbox_bot.get_updates(timeout=30, request_timeout=40))
    await _until_polling(seeded_sandbox)
    await seeded_sandbox.control.send(USER_ID, USER_ID, "есть кто?")
    updates = await poll
    assert [u.message.text for u in updates if u.message] == ["есть кто?"]


async def test_a_second_poller_ends_the_waiting_one_with_409(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    first = asyncio.create_task(sandbox_bot.get_updates(timeout=30, request_timeout=40))
    await _until_polling(seeded_sandbox)
    second = await sandbox_bot.get_updates(timeout=0)
    assert second == []
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await first


async def test_allowed_updates_filter_what_is_delivered(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    await seeded_sandbox.control.send(USER_ID, USER_ID, "текст")
    assert await sandbox_bot.get_updates(timeout=0, allowed_updates=["callback_query"]) == []
    delivered = await sandbox_bot.get_updates(timeout=0, allowed_updates=["message"])
    assert [u.message.text for u in delivered if u.message] == ["текст"]


async def test_get_updates_while_a_webhook_is_set_is_409(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    await sandbox_bot.set_webhook("http://127.0.0.1:9/hook")
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await sandbox_bot.get_updates(timeout=0)
    await sandbox_bot.delete_webhook()
    assert await sandbox_bot.get_updates(timeout=0) == []


async def _until_polling(handle: SandboxHandle) -> None:
    """Return once a getUpdates call is waiting in the sandbox."""
    feed = handle.sandbox.feed
    while not feed.waiting:
        await feed.waiting_changed.wait(10)


@dataclass
class Receiver:
    """A stand-in for the bot's webhook server."""

    url: str = ""
    got: asyncio.Queue[tuple[dict[str, Any], str | None]] = field(default_factory=asyncio.Queue)
    failures_left: int = 0
    reply: dict[str, Any] | None = None

    async def handle(self, request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        await self.got.put((await request.json(), secret))
        if self.failures_left:
            self.failures_left -= 1
            return web.Response(status=500)
        return web.json_response(self.reply or {})


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    hook.url = f"http://127.0.0.1:{port}/hook"
    yield hook
    await runner.cleanup()


async def test_webhook_push_carries_the_secret_token(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot, receiver: Receiver
):
    await sandbox_bot.set_webhook(receiver.url, secret_token="s3cret-token_16chars")
    sent = await seeded_sandbox.control.send(USER_ID, USER_ID, "через вебхук")
    update, secret = await asyncio.wait_for(receiver.got.get(), 10)
    assert secret == "s3cret-token_16chars"
    assert update["message"]["message_id"] == sent
    assert update["message"]["text"] == "через вебхук"
    info = await sandbox_bot.get_webhook_info()
    assert info.url == receiver.url


async def test_webhook_failures_are_retried_and_reported(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot, receiver: Receiver
):
    receiver.failures_left = 1
    await sandbox_bot.set_webhook(receiver.url)
    await seeded_sandbox.control.send(USER_ID, USER_ID, "повтор")
    first, _ = await asyncio.wait_for(receiver.got.get(), 10)
    second, _ = await asyncio.wait_for(receiver.got.get(), 10)
    assert first == second
    info = await sandbox_bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"


async def test_a_webhook_may_answer_with_a_method(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot, receiver: Receiver
):
    receiver.reply = {"method": "sendMessage", "chat_id": USER_ID, "text": "ответ из вебхука"}
    await sandbox_bot.set_webhook(receiver.url)
    asked = await seeded_sandbox.control.send(USER_ID, USER_ID, "вопрос")
    answers = await seeded_sandbox.control.messages(USER_ID, after=asked, wait=10)
    assert [m["text"] for m in answers] == ["ответ из вебхука"]
    assert answers[0]["from"]["is_bot"] is True
