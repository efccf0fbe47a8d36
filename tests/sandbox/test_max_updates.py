"""MAX updates: long polling with a marker, webhook push, callbacks, deep-link starts."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from maxapi import Bot, Dispatcher
from maxapi.enums.update import UpdateType
from maxapi.exceptions.max import MaxApiError
from maxapi.types import CallbackButton, MessageCreated
from maxapi.types.updates.message_callback import MessageForCallback
from maxapi.utils.inline_keyboard import InlineKeyboardBuilder

from sandbox.client import SandboxControlError
from sandbox.max.model import dialog_chat_id
from sandbox.server import SandboxHandle
from tests.sandbox.max_fixtures import MAX_USER_ID


async def say(handle: SandboxHandle, text: str) -> str:
    return await handle.control.send(MAX_USER_ID, MAX_USER_ID, text, channel="max")


async def test_a_users_message_reaches_the_bot_by_long_polling(
    max_sandbox: SandboxHandle, max_bot: Bot
):
    mid = await say(max_sandbox, "Не закрывается месяц")
    answer = await max_bot.get_updates(timeout=0)
    [update] = answer["updates"]
    assert update["update_type"] == "message_created"
    assert isinstance(update["timestamp"], int)
    assert update["timestamp"] > 10**12
    message = update["message"]
    assert message["body"]["mid"] == mid
    assert message["body"]["text"] == "Не закрывается месяц"
    assert isinstance(message["body"]["seq"], int)
    assert message["recipient"] == {
        "chat_id": dialog_chat_id(MAX_USER_ID),
        "chat_type": "dialog",
        "user_id": max_sandbox.sandbox.max.state.bot.user_id,
    }
    sender = message["sender"]
    assert (sender["user_id"], sender["first_name"], sender["last_name"]) == (
        MAX_USER_ID,
        "Ирина",
        "Соколова",
    )
    assert (sender["name"], sender["username"], sender["is_bot"]) == (
        "Ирина Соколова",
        "irina_s",
        False,
    )
    assert isinstance(sender["last_activity_time"], int)
    assert isinstance(answer["marker"], int)


async def test_the_marker_confirms_what_came_before(max_sandbox: SandboxHandle, max_bot: Bot):
    await say(max_sandbox, "первое")
    await say(max_sandbox, "второе")
    first = await max_bot.get_updates(timeout=0, limit=1)
    assert [u["message"]["body"]["text"] for u in first["updates"]] == ["первое"]
    # not confirmed yet: without a marker it comes again
    again = await max_bot.get_updates(timeout=0)
    assert [u["message"]["body"]["text"] for u in again["updates"]] == ["первое", "второе"]
    rest = await max_bot.get_updates(timeout=0, marker=first["marker"])
    assert [u["message"]["body"]["text"] for u in rest["updates"]] == ["второе"]
    empty = await max_bot.get_updates(timeout=0, marker=rest["marker"])
    assert empty["updates"] == []
    assert empty["marker"] == rest["marker"]
    assert (await max_sandbox.control.stats())["max"]["pending_updates"] == 0


async def test_types_filter_the_updates(max_sandbox: SandboxHandle, max_bot: Bot):
    await say(max_sandbox, "/start CODE")
    await say(max_sandbox, "текст")
    only = await max_bot.get_updates(timeout=0, types=[UpdateType.BOT_STARTED])
    assert [u["update_type"] for u in only["updates"]] == ["bot_started"]


async def test_a_long_poll_waits_for_news(max_sandbox: SandboxHandle, max_bot: Bot):
    polling = asyncio.create_task(max_bot.get_updates(timeout=30))
    feed = max_sandbox.sandbox.max.feed
    while not feed.waiting:
        await feed.waiting_changed.wait(10)
    await say(max_sandbox, "есть кто?")
    answer = await asyncio.wait_for(polling, 10)
    assert [u["message"]["body"]["text"] for u in answer["updates"]] == ["есть кто?"]


async def test_start_with_a_code_is_bot_started_with_its_payload(
    max_sandbox: SandboxHandle, max_bot: Bot
):
    assert await say(max_sandbox, "/start INV-7f3a") == ""
    assert await say(max_sandbox, "/start") == ""
    updates = (await max_bot.get_updates(timeout=0))["updates"]
    assert [(u["update_type"], u["payload"]) for u in updates] == [
        ("bot_started", "INV-7f3a"),
        ("bot_started", None),
    ]
    started = updates[0]
    assert started["chat_id"] == dialog_chat_id(MAX_USER_ID)
    assert started["user"]["user_id"] == MAX_USER_ID
    assert started["user_locale"] == "ru"
    # a deep link opens the dialog without a message in it
    assert await max_sandbox.control.messages(MAX_USER_ID, channel="max") == []


def ask_keyboard() -> Any:
    builder = InlineKeyboardBuilder()
    builder.row(CallbackButton(text="Решено", payload="csat:5"))
    return builder.as_markup()


async def test_a_button_press_is_a_message_callback_the_bot_answers(
    max_sandbox: SandboxHandle, max_bot: Bot
):
    sent = await max_bot.send_message(
        user_id=MAX_USER_ID, text="Оцените", attachments=[ask_keyboard()]
    )
    assert sent is not None
    assert sent.message.body is not None
    mid = sent.message.body.mid
    pressing = asyncio.create_task(
        max_sandbox.control.click(MAX_USER_ID, MAX_USER_ID, mid, "csat:5", wait=10, channel="max")
    )
    answer = await max_bot.get_updates(timeout=10)
    [update] = answer["updates"]
    assert update["update_type"] == "message_callback"
    callback = update["callback"]
    assert callback["payload"] == "csat:5"
    assert callback["user"]["user_id"] == MAX_USER_ID
    assert update["message"]["body"]["mid"] == mid
    result = await max_bot.send_callback(
        callback["callback_id"],
        message=MessageForCallback(text="Спасибо за оценку", attachments=[]),
        notification="Принято",
    )
    assert result.success
    clicked = await pressing
    assert clicked["answered"] is True
    assert clicked["answer"] == "Принято"
    assert clicked["message_replaced"] is True
    [shown] = await max_sandbox.control.messages(MAX_USER_ID, channel="max")
    assert (shown["text"], shown["keyboard"], shown["edited"]) == ("Спасибо за оценку", None, True)


async def test_a_callback_answer_needs_something_and_a_known_id(max_bot: Bot):
    with pytest.raises(MaxApiError) as caught:
        await max_bot.send_callback("no-such-callback", notification="?")
    assert caught.value.code == 404


async def test_a_press_needs_the_button_unless_the_client_is_forged(
    max_sandbox: SandboxHandle, max_bot: Bot
):
    sent = await max_bot.send_message(
        user_id=MAX_USER_ID, text="Оцените", attachments=[ask_keyboard()]
    )
    assert sent is not None
    assert sent.message.body is not None
    mid = sent.message.body.mid
    with pytest.raises(SandboxControlError) as caught:
        await max_sandbox.control.click(MAX_USER_ID, MAX_USER_ID, mid, "admin:1", channel="max")
    assert caught.value.status == 400
    assert (await max_bot.get_updates(timeout=0))["updates"] == []
    forged = await max_sandbox.control.click(
        MAX_USER_ID, MAX_USER_ID, mid, "admin:1", check_button=False, channel="max"
    )
    assert forged["answered"] is False
    [update] = (await max_bot.get_updates(timeout=0))["updates"]
    assert update["callback"]["payload"] == "admin:1"


async def test_the_official_dispatcher_polls_and_answers(max_sandbox: SandboxHandle, max_bot: Bot):
    dp = Dispatcher()

    @dp.message_created()
    async def echo(event: MessageCreated) -> None:
        body = event.message.body
        assert body is not None
        await event.message.answer(f"Получено: {body.text}")

    polling = asyncio.create_task(dp.start_polling(max_bot))
    try:
        asked = await say(max_sandbox, "помогите")
        [reply] = await max_sandbox.control.messages(
            MAX_USER_ID, channel="max", after=asked, wait=20
        )
        assert reply["text"] == "Получено: помогите"
        assert reply["from_bot"] is True
    finally:
        await dp.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await polling


class Receiver:
    """A bot's webhook endpoint: records what arrives, fails the first ``fail`` times."""

    def __init__(self, fail: int = 0) -> None:
        self.fail = fail
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.attempts = 0
        self.arrived = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        self.attempts += 1
        if self.attempts <= self.fail:
            return web.Response(status=500)
        self.received.append((await request.json(), request.headers.get("X-Max-Bot-Api-Secret")))
        self.arrived.set()
        return web.json_response({"ok": True})


@contextlib.asynccontextmanager
async def serving(receiver: Receiver) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/hook"
    finally:
        await runner.cleanup()


async def subscribe(bot: Bot, url: str, secret: str | None = None) -> None:
    with pytest.warns(UserWarning, match="HTTPS"):  # maxapi warns of plain http
        result = await bot.subscribe_webhook(url, secret=secret)
    assert result.success


async def test_webhook_delivery_with_the_secret(max_sandbox: SandboxHandle, max_bot: Bot):
    receiver = Receiver()
    async with serving(receiver) as url:
        await subscribe(max_bot, url, secret="s3cret-Key")
        subscriptions = await max_bot.get_subscriptions()
        assert [s.url for s in subscriptions.subscriptions] == [url]
        mid = await say(max_sandbox, "через вебхук")
        await asyncio.wait_for(receiver.arrived.wait(), 10)
        [(update, secret)] = receiver.received
        assert secret == "s3cret-Key"
        assert update["update_type"] == "message_created"
        assert update["message"]["body"]["mid"] == mid
        # long polling is refused while the subscription is there
        with pytest.raises(MaxApiError) as caught:
            await max_bot.get_updates(timeout=0)
        assert caught.value.code == 405
        await max_bot.delete_webhook()
    assert (await max_bot.get_subscriptions()).subscriptions == []
    await say(max_sandbox, "снова опросом")
    updates = (await max_bot.get_updates(timeout=0))["updates"]
    assert [u["message"]["body"]["text"] for u in updates] == ["снова опросом"]


async def test_a_failed_webhook_delivery_is_retried(max_sandbox: SandboxHandle, max_bot: Bot):
    receiver = Receiver(fail=2)
    async with serving(receiver) as url:
        await subscribe(max_bot, url)
        await say(max_sandbox, "дойдёт с третьего раза")
        await asyncio.wait_for(receiver.arrived.wait(), 20)
    assert receiver.attempts == 3
    [(update, secret)] = receiver.received
    assert secret is None
    assert update["message"]["body"]["text"] == "дойдёт с третьего раза"
    stats = (await max_sandbox.control.stats())["max"]
    assert stats["webhook"]["failed"] == 2
    assert stats["pending_updates"] == 0


async def test_a_bad_subscription_is_refused(max_sandbox: SandboxHandle):
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": max_sandbox.max_token}
        for body in ({"url": "ftp://x"}, {"url": "https://x.ru", "secret": "no"}):
            async with session.post(
                max_sandbox.max_url + "/subscriptions", data=json.dumps(body), headers=headers
            ) as resp:
                assert resp.status == 400
                assert (await resp.json())["code"] == "proto.payload"
