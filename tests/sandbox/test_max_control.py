"""The control API with "channel": "max": MAX users write, press, start and stop the bot."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from maxapi import Bot
from maxapi.exceptions.max import MaxApiError

from sandbox.client import SandboxControlError
from sandbox.max.model import dialog_chat_id
from sandbox.server import SandboxHandle
from tests.sandbox.max_fixtures import MAX_USER_ID


async def test_the_state_lists_the_max_bot_and_users(max_sandbox: SandboxHandle):
    state = await max_sandbox.control.state()
    assert state["users"] == []  # Telegram's list is unchanged
    maxed = state["max"]
    assert maxed["bot"]["username"] == "supportdesk_max_bot"
    assert maxed["bot"]["token"] == max_sandbox.max_token
    assert maxed["bot"]["start_link"] == "https://max.ru/supportdesk_max_bot?start="
    [user] = maxed["users"]
    assert (user["id"], user["channel"], user["chat_id"]) == (
        MAX_USER_ID,
        "max",
        dialog_chat_id(MAX_USER_ID),
    )


async def test_a_max_user_sees_one_dialog(max_sandbox: SandboxHandle):
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            max_sandbox.url + "/sandbox/api/chats",
            params={"user_id": str(MAX_USER_ID), "channel": "max"},
        ) as resp,
    ):
        [chat] = await resp.json()
    assert (chat["id"], chat["type"], chat["channel"]) == (MAX_USER_ID, "dialog", "max")


async def test_telegram_and_max_users_with_one_id_are_apart(
    max_sandbox: SandboxHandle, max_bot: Bot
):
    control = max_sandbox.control
    await control.create_user(MAX_USER_ID, "Телеграм-Ирина")
    telegram_id = await control.send(MAX_USER_ID, MAX_USER_ID, "из Telegram")
    assert isinstance(telegram_id, int)
    await control.send(MAX_USER_ID, MAX_USER_ID, "из MAX", channel="max")
    assert [m["text"] for m in await control.messages(MAX_USER_ID)] == ["из Telegram"]
    assert [m["text"] for m in await control.messages(MAX_USER_ID, channel="max")] == ["из MAX"]
    updates = (await max_bot.get_updates(timeout=0))["updates"]
    assert [u["message"]["body"]["text"] for u in updates] == ["из MAX"]


async def test_a_user_writes_only_in_their_own_dialog(max_sandbox: SandboxHandle):
    control = max_sandbox.control
    with pytest.raises(SandboxControlError) as caught:
        await control.send(MAX_USER_ID, dialog_chat_id(MAX_USER_ID), "чужой чат", channel="max")
    assert caught.value.status == 403
    with pytest.raises(SandboxControlError) as caught:
        await control.send(4242, 4242, "кто я?", channel="max")
    assert caught.value.status == 404
    with pytest.raises(SandboxControlError) as caught:
        await control.send(MAX_USER_ID, MAX_USER_ID, "я" * 4001, channel="max")
    assert caught.value.status == 400
    with pytest.raises(SandboxControlError) as caught:
        await control.messages(4242, channel="max")
    assert caught.value.status == 404


async def test_a_stopped_bot_is_denied_until_the_user_starts_it_again(
    max_sandbox: SandboxHandle, max_bot: Bot
):
    control = max_sandbox.control
    await control.block_bot(MAX_USER_ID, channel="max")
    [stopped] = (await max_bot.get_updates(timeout=0))["updates"]
    assert stopped["update_type"] == "bot_stopped"
    assert stopped["user"]["user_id"] == MAX_USER_ID
    with pytest.raises(MaxApiError) as caught:
        await max_bot.send_message(user_id=MAX_USER_ID, text="вы тут?")
    assert caught.value.code == 403
    assert isinstance(caught.value.raw, dict)
    assert caught.value.raw["code"] == "chat.denied"
    with pytest.raises(SandboxControlError) as refused:
        await control.send(MAX_USER_ID, MAX_USER_ID, "привет", channel="max")
    assert refused.value.status == 409
    await control.send(MAX_USER_ID, MAX_USER_ID, "/start", channel="max")
    await max_bot.send_message(user_id=MAX_USER_ID, text="снова на связи")


async def test_the_bot_cannot_write_first_to_a_user_who_never_started_it(
    max_sandbox: SandboxHandle, max_bot: Bot
):
    control = max_sandbox.control
    await control.create_user(1007, "Пётр", started=False, channel="max")
    with pytest.raises(MaxApiError) as caught:
        await max_bot.send_message(user_id=1007, text="здравствуйте")
    assert caught.value.code == 403
    await control.send(1007, 1007, "/start INV-1", channel="max")
    await max_bot.send_message(user_id=1007, text="здравствуйте")


async def test_messages_wait_for_the_bots_answer(max_sandbox: SandboxHandle, max_bot: Bot):
    control = max_sandbox.control
    asked = await control.send(MAX_USER_ID, MAX_USER_ID, "вопрос", channel="max")
    assert await control.messages(MAX_USER_ID, after=asked, channel="max") == []
    await max_bot.send_message(user_id=MAX_USER_ID, text="ответ")
    [answer] = await control.messages(MAX_USER_ID, after=asked, wait=5, channel="max")
    assert answer["text"] == "ответ"
    assert answer["from_bot"] is True
    assert answer["sender_id"] == max_sandbox.sandbox.max.state.bot.user_id
    assert answer["message"]["body"]["mid"] == answer["mid"]


async def test_a_user_replies_to_a_bot_message(max_sandbox: SandboxHandle, max_bot: Bot):
    sent = await max_bot.send_message(user_id=MAX_USER_ID, text="Какая версия 1С?")
    assert sent is not None
    assert sent.message.body is not None
    mid = sent.message.body.mid
    await max_sandbox.control.send(
        MAX_USER_ID, MAX_USER_ID, "8.3.24", reply_to_message_id=mid, channel="max"
    )
    [update] = (await max_bot.get_updates(timeout=0))["updates"]
    link = update["message"]["link"]
    assert (link["type"], link["message"]["mid"]) == ("reply", mid)
    assert link["sender"]["is_bot"] is True


async def test_content_sends_what_the_web_chat_cannot(max_sandbox: SandboxHandle, max_bot: Bot):
    sticker = {"type": "sticker", "payload": {"url": "https://i.oneme.ru/s", "code": "42"}}
    await max_sandbox.control.send(
        MAX_USER_ID, MAX_USER_ID, content={"attachments": [sticker]}, channel="max"
    )
    [update] = (await max_bot.get_updates(timeout=0))["updates"]
    assert update["message"]["body"]["attachments"] == [sticker]
    with pytest.raises(SandboxControlError):
        await max_sandbox.control.send(
            MAX_USER_ID, MAX_USER_ID, content={"mid": "mid.x"}, channel="max"
        )


async def test_a_file_needs_to_be_a_file(max_sandbox: SandboxHandle, tmp_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(SandboxControlError) as caught:
        await max_sandbox.control.send(MAX_USER_ID, MAX_USER_ID, file=empty, channel="max")
    assert caught.value.status == 400


async def test_a_bad_channel_is_refused(max_sandbox: SandboxHandle):
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            max_sandbox.url + "/sandbox/api/send",
            json={"channel": "icq", "user_id": 1, "chat_id": 1, "text": "?"},
        ) as resp,
    ):
        assert resp.status == 400
