"""Telegram's rules: each broken rule gives the exception aiogram raises against Telegram."""

from __future__ import annotations

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramUnauthorizedError,
)
from aiogram.methods import SendMessage
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from sandbox.server import SandboxHandle
from tests.sandbox.fixtures import STAFF_CHAT_ID, USER_ID, bot_for
from tests.sandbox.images import png


def keyboard(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="ok", callback_data=data)]]
    )


async def test_text_of_4096_characters_passes_and_4097_is_too_long(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    sent = await sandbox_bot.send_message(USER_ID, "я" * 4096)
    assert sent.text is not None
    assert len(sent.text) == 4096
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await sandbox_bot.send_message(USER_ID, "я" * 4097)


async def test_length_is_counted_after_html_parsing(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    text = "<b>" + "я" * 4096 + "</b>"
    sent = await sandbox_bot.send_message(USER_ID, text, parse_mode="HTML")
    assert sent.text == "я" * 4096


async def test_caption_longer_than_1024_is_refused(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    photo = BufferedInputFile(png(), "p.png")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await sandbox_bot.send_photo(USER_ID, photo, caption="я" * 1025)
    assert await seeded_sandbox.control.messages(USER_ID) == []


async def test_callback_data_is_limited_to_64_bytes(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    await sandbox_bot.send_message(USER_ID, "ok", reply_markup=keyboard("x" * 64))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        # 33 Cyrillic letters are 66 bytes in UTF-8
        await sandbox_bot.send_message(USER_ID, "too long", reply_markup=keyboard("я" * 33))


@pytest.mark.parametrize(
    ("markup", "detail"),
    [
        ("<blink>нет</blink>", 'Unsupported start tag "blink"'),
        ("<b>не закрыт", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>крест<i>накрест</b></i>", "Unmatched end tag at byte offset"),
        ("лишний</b>", "Unexpected end tag"),
        ("1 < 2", 'Unsupported start tag ""'),
    ],
)
async def test_bad_html_cannot_be_parsed(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot, markup: str, detail: str
):
    with pytest.raises(TelegramBadRequest, match="can't parse entities") as caught:
        await sandbox_bot.send_message(USER_ID, markup, parse_mode="HTML")
    assert detail in caught.value.message


async def test_topics_need_a_forum(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    await seeded_sandbox.control.create_chat(-1002, "Обычная группа", is_forum=False)
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await sandbox_bot.create_forum_topic(-1002, "DEMO-1")


async def test_topics_need_the_bot_to_be_an_admin(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    await seeded_sandbox.control.create_chat(-1003, "Форум", is_forum=True, bot_is_admin=False)
    with pytest.raises(TelegramBadRequest, match="not enough rights"):
        await sandbox_bot.create_forum_topic(-1003, "DEMO-1")
    assert await seeded_sandbox.control.topics(-1003) == []


async def test_sending_into_a_missing_topic_is_refused(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await sandbox_bot.send_message(STAFF_CHAT_ID, "куда?", message_thread_id=999)


async def test_reply_to_a_missing_message(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await sandbox_bot.send_message(USER_ID, "ответ", reply_to_message_id=777)
    sent = await sandbox_bot.send_message(
        USER_ID, "всё равно", reply_to_message_id=777, allow_sending_without_reply=True
    )
    assert sent.reply_to_message is None


async def test_a_user_who_blocked_the_bot_gives_403(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    await seeded_sandbox.control.block_bot(USER_ID)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await sandbox_bot.send_message(USER_ID, "Ваша заявка принята")
    await seeded_sandbox.control.block_bot(USER_ID, blocked=False)
    assert (await sandbox_bot.send_message(USER_ID, "Снова на связи")).text == "Снова на связи"


async def test_a_group_without_the_bot_gives_403(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    await seeded_sandbox.control.create_chat(-1004, "Без бота")
    sb = seeded_sandbox.sandbox
    sb.set_member(sb.state.chats[-1004], sb.state.bot.id, "left")
    with pytest.raises(TelegramForbiddenError, match="bot is not a member of the supergroup chat"):
        await sandbox_bot.send_message(-1004, "привет")


async def test_unknown_chat_and_unknown_message(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await sandbox_bot.send_message(424242, "кто здесь?")
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await sandbox_bot.edit_message_text("x", chat_id=USER_ID, message_id=999)
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await sandbox_bot.copy_message(STAFF_CHAT_ID, USER_ID, 999)


async def test_an_edit_that_changes_nothing_is_refused(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    sent = await sandbox_bot.send_message(USER_ID, "Статус")
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await sandbox_bot.edit_message_text("Статус", chat_id=USER_ID, message_id=sent.message_id)


async def test_the_bot_cannot_edit_a_users_message(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    mine = await seeded_sandbox.control.send(USER_ID, USER_ID, "моё")
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await sandbox_bot.edit_message_text("чужое", chat_id=USER_ID, message_id=mine)


async def test_answering_an_unknown_callback_query(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await sandbox_bot.answer_callback_query("12345")


async def _raw(
    handle: SandboxHandle, method: str, **kwargs: object
) -> tuple[int, dict[str, object]]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{handle.url}/bot{handle.token}/{method}", **kwargs) as resp,  # type: ignore[arg-type]
    ):
        return resp.status, await resp.json()


async def test_unknown_method_is_404(seeded_sandbox: SandboxHandle):
    status, body = await _raw(seeded_sandbox, "sendTelepathy")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})


async def test_unknown_method_raises_telegram_not_found(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    class SendTelepathy(SendMessage):
        __api_method__ = "sendTelepathy"

    with pytest.raises(TelegramNotFound):
        await sandbox_bot(SendTelepathy(chat_id=USER_ID, text="…"))


async def test_missing_required_parameter_is_named(seeded_sandbox: SandboxHandle):
    status, body = await _raw(seeded_sandbox, "sendMessage", data={"chat_id": str(USER_ID)})
    assert status == 400
    assert body["description"] == 'Bad Request: parameter "text" is required'


async def test_empty_body_works_where_nothing_is_required(seeded_sandbox: SandboxHandle):
    status, body = await _raw(seeded_sandbox, "getMe")
    assert status == 200
    assert body["ok"] is True
    status, body = await _raw(seeded_sandbox, "sendMessage")
    assert status == 400
    assert body["description"] == 'Bad Request: parameter "chat_id" is required'


async def test_json_and_form_bodies_are_both_understood(seeded_sandbox: SandboxHandle):
    status, body = await _raw(
        seeded_sandbox, "sendMessage", json={"chat_id": USER_ID, "text": "json"}
    )
    assert (status, body["result"]["text"]) == (200, "json")  # type: ignore[index]
    form = {"chat_id": str(USER_ID), "text": "form"}
    status, body = await _raw(seeded_sandbox, "sendMessage", data=form)
    assert (status, body["result"]["text"]) == (200, "form")  # type: ignore[index]


async def test_a_mistyped_parameter_is_named(seeded_sandbox: SandboxHandle):
    form = {"chat_id": str(USER_ID), "text": "x", "message_thread_id": "первая"}
    status, body = await _raw(seeded_sandbox, "sendMessage", data=form)
    assert status == 400
    assert body["description"] == 'Bad Request: parameter "message_thread_id" must be an Integer'


async def test_wrong_token_is_unauthorized(seeded_sandbox: SandboxHandle):
    real = bot_for(seeded_sandbox)
    impostor = Bot("123:wrong", session=real.session)
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await impostor.get_me()
    finally:
        await real.session.close()


async def test_service_messages_cannot_be_copied_or_forwarded(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    topic = await sandbox_bot.create_forum_topic(STAFF_CHAT_ID, "DEMO-1")
    created = topic.message_thread_id  # the "topic created" service message
    with pytest.raises(TelegramBadRequest, match="message can't be copied"):
        await sandbox_bot.copy_message(USER_ID, STAFF_CHAT_ID, created)
    with pytest.raises(TelegramBadRequest, match="message can't be forwarded"):
        await sandbox_bot.forward_message(USER_ID, STAFF_CHAT_ID, created)


async def test_the_bot_cannot_start_a_conversation(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    await seeded_sandbox.control.create_user(3001, "Новичок", started=False)
    with pytest.raises(TelegramForbiddenError, match="bot can't initiate conversation"):
        await sandbox_bot.send_message(3001, "Здравствуйте!")
    await seeded_sandbox.control.send(3001, 3001, "/start")
    assert (await sandbox_bot.send_message(3001, "Здравствуйте!")).chat.id == 3001
