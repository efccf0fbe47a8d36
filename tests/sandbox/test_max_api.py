"""MAX Bot API conformance: the official client ``maxapi`` against the sandbox over HTTP."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from maxapi import Bot
from maxapi.enums.message_link_type import MessageLinkType
from maxapi.exceptions.max import InvalidToken, MaxApiError
from maxapi.types import BotCommand, CallbackButton, LinkButton, NewMessageLink
from maxapi.utils.inline_keyboard import InlineKeyboardBuilder

from sandbox.max.model import dialog_chat_id
from sandbox.server import SandboxHandle
from tests.sandbox.max_fixtures import MAX_USER_ID, max_bot_for


def keyboard() -> Any:
    builder = InlineKeyboardBuilder()
    builder.row(CallbackButton(text="Да", payload="yes"), CallbackButton(text="Нет", payload="no"))
    builder.row(LinkButton(text="Сайт", url="https://example.com/help"))
    return builder.as_markup()


async def raw(
    handle: SandboxHandle,
    method: str,
    path: str,
    *,
    token: str | None = None,
    **kwargs: Any,
) -> tuple[int, Any]:
    """A call made by hand (for what the official client refuses to send)."""
    headers = {"Authorization": token if token is not None else handle.max_token}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, handle.max_url + path, headers=headers, **kwargs) as resp,
    ):
        return resp.status, await resp.json()


async def test_get_me_describes_the_bot(max_sandbox: SandboxHandle, max_bot: Bot):
    me = await max_bot.get_me()
    assert me.is_bot is True
    assert me.username == "supportdesk_max_bot"
    assert me.user_id == max_sandbox.sandbox.max.state.bot.user_id
    assert me.first_name == "Поддержка 1С"


async def test_commands_are_set_and_shown(max_bot: Bot):
    result = await max_bot.set_commands(
        BotCommand(name="my", description="Мои заявки"), BotCommand(name="help")
    )
    assert [c.name for c in result.commands or []] == ["my", "help"]
    me = await max_bot.get_me()
    assert [(c.name, c.description) for c in me.commands or []] == [
        ("my", "Мои заявки"),
        ("help", None),
    ]


async def test_patch_me_sets_commands_and_description(max_sandbox: SandboxHandle):
    status, me = await raw(
        max_sandbox,
        "PATCH",
        "/me",
        json={"description": "Поддержка 1С", "commands": [{"name": "start"}]},
    )
    assert status == 200
    assert me["description"] == "Поддержка 1С"
    assert me["commands"] == [{"name": "start", "description": None}]


async def test_a_wrong_or_missing_token_is_401_in_max_shape(max_sandbox: SandboxHandle):
    bot = max_bot_for(max_sandbox)
    bot.headers["Authorization"] = "not-the-token"
    try:
        with pytest.raises(InvalidToken):
            await bot.get_me()
    finally:
        await bot.close_session()
    async with (
        aiohttp.ClientSession() as session,
        session.get(max_sandbox.max_url + "/me") as resp,
    ):
        assert resp.status == 401
        assert await resp.json() == {"code": "verify.token", "message": "Invalid access_token"}
    # the token as a query parameter, as MAX used to take it
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            max_sandbox.max_url + "/me", params={"access_token": max_sandbox.max_token}
        ) as resp,
    ):
        assert resp.status == 200


async def test_unknown_paths_and_methods_answer_in_max_shape(max_sandbox: SandboxHandle):
    status, body = await raw(max_sandbox, "GET", "/nothing")
    assert (status, body["code"]) == (404, "not.found")
    status, body = await raw(max_sandbox, "PUT", "/updates")
    assert (status, body["code"]) == (405, "method.not.allowed")


async def test_send_with_a_keyboard(max_sandbox: SandboxHandle, max_bot: Bot):
    sent = await max_bot.send_message(
        user_id=MAX_USER_ID, text="<b>Решено?</b>", format="html", attachments=[keyboard()]
    )
    assert sent is not None
    message = sent.message
    assert message.body is not None
    assert isinstance(message.body.mid, str)
    assert message.body.mid.startswith("mid.")
    assert isinstance(message.body.seq, int)
    assert message.body.seq > 2**32
    assert message.body.text == "Решено?"
    assert message.body.html_text == "<b>Решено?</b>"
    assert message.recipient.chat_id == dialog_chat_id(MAX_USER_ID)
    assert message.recipient.user_id == MAX_USER_ID
    assert message.sender is not None
    assert message.sender.is_bot
    [shown] = await max_sandbox.control.messages(MAX_USER_ID, channel="max")
    assert shown["mid"] == message.body.mid
    assert shown["from_bot"] is True
    assert shown["text"] == "Решено?"
    assert shown["keyboard"] == [
        [
            {"type": "callback", "text": "Да", "payload": "yes", "intent": "default"},
            {"type": "callback", "text": "Нет", "payload": "no", "intent": "default"},
        ],
        [{"type": "link", "text": "Сайт", "url": "https://example.com/help"}],
    ]
    assert shown["media"] == []


async def test_a_dialog_is_reached_by_its_chat_id_not_by_the_user_id(
    max_sandbox: SandboxHandle, max_bot: Bot
):
    sent = await max_bot.send_message(chat_id=dialog_chat_id(MAX_USER_ID), text="по чату")
    assert sent is not None
    assert sent.message.recipient.user_id == MAX_USER_ID
    with pytest.raises(MaxApiError) as caught:
        await max_bot.send_message(chat_id=MAX_USER_ID, text="не туда")
    assert caught.value.code == 404
    assert isinstance(caught.value.raw, dict)
    assert caught.value.raw["code"] == "chat.not.found"


async def test_an_unknown_user_is_404(max_bot: Bot):
    with pytest.raises(MaxApiError) as caught:
        await max_bot.send_message(user_id=424242, text="кто вы?")
    assert caught.value.code == 404


async def test_text_over_4000_characters_is_refused(max_sandbox: SandboxHandle):
    path = f"/messages?user_id={MAX_USER_ID}"
    status, _ = await raw(max_sandbox, "POST", path, json={"text": "я" * 4000})
    assert status == 200
    status, body = await raw(max_sandbox, "POST", path, json={"text": "я" * 4001})
    assert (status, body["code"]) == (400, "proto.payload")
    status, body = await raw(max_sandbox, "POST", path, json={"text": None})
    assert (status, body["code"]) == (400, "proto.payload")


@pytest.mark.parametrize(
    "buttons",
    [
        [[{"type": "callback", "text": str(i), "payload": str(i)} for i in range(8)]],
        [[{"type": "link", "text": str(i), "url": "https://a.ru"} for i in range(4)]],
        [[{"type": "link", "text": "ftp", "url": "ftp://a.ru"}]],
        [[{"type": "callback", "text": "без данных"}]],
        [[{"type": "callback", "text": "", "payload": "x"}]],
        [[{"type": "teleport", "text": "?", "payload": "x"}]],
        [[{"type": "callback", "text": "x", "payload": "x" * 1025}]],
        [[]],
        [],
        [[{"type": "callback", "text": "x", "payload": "x"}]] * 31,
    ],
)
async def test_a_bad_keyboard_is_refused(max_sandbox: SandboxHandle, buttons: Any):
    body = {
        "text": "клавиатура",
        "attachments": [{"type": "inline_keyboard", "payload": {"buttons": buttons}}],
    }
    status, answer = await raw(max_sandbox, "POST", f"/messages?user_id={MAX_USER_ID}", json=body)
    assert (status, answer["code"]) == (400, "proto.payload")
    assert await max_sandbox.control.messages(MAX_USER_ID, channel="max") == []


async def test_edit_replaces_text_and_attachments(max_sandbox: SandboxHandle, max_bot: Bot):
    sent = await max_bot.send_message(user_id=MAX_USER_ID, text="Решено?", attachments=[keyboard()])
    assert sent is not None
    assert sent.message.body is not None
    mid = sent.message.body.mid
    edited = await max_bot.edit_message(mid, text="Спасибо за ответ")
    assert edited is not None
    assert edited.success
    [shown] = await max_sandbox.control.messages(MAX_USER_ID, channel="max")
    assert shown["text"] == "Спасибо за ответ"
    assert shown["edited"] is True
    # maxapi sends "attachments": [] with a text edit: MAX removes them all
    assert shown["keyboard"] is None
    await max_bot.edit_message(mid, text="Снова вопрос", attachments=[keyboard()])
    again = await max_bot.get_message(mid)
    assert again.body is not None
    assert again.body.text == "Снова вопрос"
    assert [a.type for a in again.body.attachments or []] == ["inline_keyboard"]


async def test_edit_with_null_attachments_keeps_them(max_sandbox: SandboxHandle, max_bot: Bot):
    sent = await max_bot.send_message(user_id=MAX_USER_ID, text="Решено?", attachments=[keyboard()])
    assert sent is not None
    assert sent.message.body is not None
    mid = sent.message.body.mid
    status, body = await raw(max_sandbox, "PUT", f"/messages?message_id={mid}", json={"text": "?"})
    assert (status, body) == (200, {"success": True})
    [shown] = await max_sandbox.control.messages(MAX_USER_ID, channel="max")
    assert (shown["text"], shown["keyboard"] is not None) == ("?", True)


async def test_the_bot_edits_and_deletes_only_its_own_messages(
    max_sandbox: SandboxHandle, max_bot: Bot
):
    mid = await max_sandbox.control.send(MAX_USER_ID, MAX_USER_ID, "моё", channel="max")
    with pytest.raises(MaxApiError) as caught:
        await max_bot.edit_message(mid, text="чужое")
    assert caught.value.code == 403
    with pytest.raises(MaxApiError) as caught:
        await max_bot.delete_message(mid)
    assert caught.value.code == 403
    with pytest.raises(MaxApiError) as caught:
        await max_bot.edit_message("mid.00000000000000000000000000000001", text="нет такого")
    assert caught.value.code == 404


async def test_delete_and_get_message(max_sandbox: SandboxHandle, max_bot: Bot):
    sent = await max_bot.send_message(user_id=MAX_USER_ID, text="удалю")
    assert sent is not None
    assert sent.message.body is not None
    mid = sent.message.body.mid
    fetched = await max_bot.get_message(mid)
    assert fetched.body is not None
    assert fetched.body.text == "удалю"
    deleted = await max_bot.delete_message(mid)
    assert deleted.success
    assert await max_sandbox.control.messages(MAX_USER_ID, channel="max") == []
    with pytest.raises(MaxApiError) as caught:
        await max_bot.get_message(mid)
    assert caught.value.code == 404


async def test_a_reply_links_the_message_it_answers(max_sandbox: SandboxHandle, max_bot: Bot):
    asked = await max_sandbox.control.send(MAX_USER_ID, MAX_USER_ID, "вопрос", channel="max")
    sent = await max_bot.send_message(
        user_id=MAX_USER_ID,
        text="ответ",
        link=NewMessageLink(type=MessageLinkType.REPLY, mid=asked),
    )
    assert sent is not None
    assert sent.message.link is not None
    assert sent.message.link.type == "reply"
    assert sent.message.link.message.mid == asked
    assert sent.message.link.sender is not None
    assert sent.message.link.sender.user_id == MAX_USER_ID
    shown = await max_sandbox.control.messages(MAX_USER_ID, channel="max", after=asked)
    assert [m["reply_to"] for m in shown] == [asked]
    status, body = await raw(
        max_sandbox,
        "POST",
        f"/messages?user_id={MAX_USER_ID}",
        json={"text": "x", "link": {"type": "reply", "mid": "mid.nothing"}},
    )
    assert (status, body["code"]) == (400, "proto.payload")


async def test_markdown_becomes_markup(max_bot: Bot):
    sent = await max_bot.send_message(
        user_id=MAX_USER_ID, text="**Заявка** DEMO-1 [открыть](https://a.ru)", format="markdown"
    )
    assert sent is not None
    assert sent.message.body is not None
    body = sent.message.body
    assert body.text == "Заявка DEMO-1 открыть"
    assert [(m.type, m.from_, m.length) for m in body.markup or []] == [
        ("strong", 0, 6),
        ("link", 14, 7),
    ]


async def test_get_chat_describes_the_dialog(max_bot: Bot):
    chat = await max_bot.get_chat_by_id(dialog_chat_id(MAX_USER_ID))
    assert chat.type == "dialog"
    assert chat.dialog_with_user is not None
    assert chat.dialog_with_user.user_id == MAX_USER_ID
    with pytest.raises(MaxApiError):
        await max_bot.get_chat_by_id(dialog_chat_id(777))


async def test_python_m_sandbox_serves_max_with_a_fixed_token(tmp_path: Path):
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox",
        "--port",
        "0",
        "--data-dir",
        str(tmp_path),
        "--max-token",
        "max-standalone",
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    try:
        await asyncio.wait_for(proc.stdout.readline(), 60)  # the Telegram line
        words = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode().split()
        assert words[0] == "sandbox-max"
        assert words[1].endswith("/max")
        assert words[2:] == ["token", "max-standalone"]
        bot = Bot("max-standalone")
        bot.set_api_url(words[1])
        try:
            assert (await bot.get_me()).is_bot
        finally:
            await bot.close_session()
    finally:
        proc.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
