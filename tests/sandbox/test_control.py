"""The control API contract that tests and the web chat drive."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest
from aiogram import Bot
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from sandbox.client import SandboxControlError
from sandbox.server import SandboxHandle
from tests.sandbox.fixtures import CONSULTANT_IDS, STAFF_CHAT_ID, USER_ID
from tests.sandbox.images import png

HELPED = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Помогло", callback_data="faq:helped")]]
)


async def test_state_lists_the_bot_people_and_chats(seeded_sandbox: SandboxHandle):
    state = await seeded_sandbox.control.state()
    assert state["bot"]["token"] == seeded_sandbox.token
    assert set(state["bot"]) >= {"id", "username", "token"}
    assert [(u["id"], u["first_name"]) for u in state["users"]] == [
        (USER_ID, "Анна"),
        (CONSULTANT_IDS[0], "Олег"),
        (CONSULTANT_IDS[1], "Марина"),
    ]
    staff = next(c for c in state["chats"] if c["id"] == STAFF_CHAT_ID)
    assert (staff["type"], staff["is_forum"]) == ("supergroup", True)
    private = next(c for c in state["chats"] if c["id"] == USER_ID)
    assert private["type"] == "private"


async def test_a_user_message_reaches_the_bot_and_the_chat(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    message_id = await seeded_sandbox.control.send(USER_ID, USER_ID, "Не проводится реализация")
    [update] = await sandbox_bot.get_updates(timeout=0)
    assert update.message is not None
    assert (update.message.message_id, update.message.from_user.id) == (message_id, USER_ID)  # type: ignore[union-attr]
    [shown] = await seeded_sandbox.control.messages(USER_ID)
    assert shown["text"] == "Не проводится реализация"
    assert shown["from"] == {
        "id": USER_ID,
        "is_bot": False,
        "first_name": "Анна",
        "username": "anna_buh",
        "language_code": "ru",
    }
    assert shown["edited"] is False


async def test_messages_wait_for_the_bots_answer(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    asked = await seeded_sandbox.control.send(USER_ID, USER_ID, "Вопрос")
    waiting = asyncio.create_task(seeded_sandbox.control.messages(USER_ID, after=asked, wait=20))
    await sandbox_bot.send_message(USER_ID, "Ответ")
    answers = await waiting
    assert [(m["text"], m["from"]["is_bot"]) for m in answers] == [("Ответ", True)]


async def test_edits_are_marked(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    sent = await sandbox_bot.send_message(USER_ID, "Статус: новая")
    await sandbox_bot.edit_message_text(
        "Статус: в работе", chat_id=USER_ID, message_id=sent.message_id
    )
    [shown] = await seeded_sandbox.control.messages(USER_ID)
    assert (shown["text"], shown["edited"]) == ("Статус: в работе", True)


async def test_click_returns_the_bots_answer(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    sent = await sandbox_bot.send_message(USER_ID, "Ответ из FAQ", reply_markup=HELPED)

    async def bot_answers() -> None:
        updates = await sandbox_bot.get_updates(timeout=20, request_timeout=30)
        query = updates[-1].callback_query
        assert query is not None
        await sandbox_bot.answer_callback_query(query.id, text="Спасибо!")

    answering = asyncio.create_task(bot_answers())
    pressed = await seeded_sandbox.control.click(
        USER_ID, USER_ID, sent.message_id, "faq:helped", wait=20
    )
    await answering
    assert pressed["answer"] == "Спасибо!"
    assert pressed["callback_query_id"]


async def test_click_on_a_button_that_is_not_there_is_refused(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    sent = await sandbox_bot.send_message(USER_ID, "Ответ", reply_markup=HELPED)
    with pytest.raises(SandboxControlError) as caught:
        await seeded_sandbox.control.click(USER_ID, USER_ID, sent.message_id, "ticket:close:7")
    assert caught.value.status == 400
    assert "no inline button" in caught.value.error
    assert await sandbox_bot.get_updates(timeout=0) == []


@pytest.mark.parametrize(
    ("user_id", "chat_id", "text", "status", "error"),
    [
        (5555, USER_ID, "кто я?", 404, "unknown user 5555"),
        (USER_ID, 5555, "куда?", 404, "unknown chat 5555"),
        (USER_ID, CONSULTANT_IDS[0], "чужой чат", 403, "own private chat"),
        (USER_ID, STAFF_CHAT_ID, "в группу", 403, "is not a member"),
        (USER_ID, USER_ID, "   ", 400, '"text" or a "file" is required'),
        (USER_ID, USER_ID, "я" * 4097, 400, "message is too long"),
    ],
)
async def test_bad_sends_are_refused_and_nothing_is_posted(
    seeded_sandbox: SandboxHandle,
    sandbox_bot: Bot,
    user_id: int,
    chat_id: int,
    text: str,
    status: int,
    error: str,
):
    with pytest.raises(SandboxControlError) as caught:
        await seeded_sandbox.control.send(user_id, chat_id, text)
    assert caught.value.status == status
    assert error in caught.value.error
    assert await sandbox_bot.get_updates(timeout=0) == []


async def test_a_blocked_user_must_unblock_before_writing(seeded_sandbox: SandboxHandle):
    await seeded_sandbox.control.block_bot(USER_ID)
    with pytest.raises(SandboxControlError) as caught:
        await seeded_sandbox.control.send(USER_ID, USER_ID, "привет")
    assert caught.value.status == 409


async def test_consultants_write_in_topics(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    topic = await sandbox_bot.create_forum_topic(STAFF_CHAT_ID, "DEMO-1")
    thread = topic.message_thread_id
    said = await seeded_sandbox.control.send(
        CONSULTANT_IDS[1], STAFF_CHAT_ID, "Смотрю", message_thread_id=thread
    )
    [update] = await sandbox_bot.get_updates(timeout=0)
    assert update.message is not None
    assert (update.message.message_id, update.message.message_thread_id) == (said, thread)
    assert update.message.is_topic_message


async def test_a_closed_topic_takes_messages_only_from_admins(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    topic = await sandbox_bot.create_forum_topic(STAFF_CHAT_ID, "DEMO-2")
    await sandbox_bot.close_forum_topic(STAFF_CHAT_ID, topic.message_thread_id)
    with pytest.raises(SandboxControlError, match="the topic is closed"):
        await seeded_sandbox.control.send(
            CONSULTANT_IDS[1], STAFF_CHAT_ID, "можно?", message_thread_id=topic.message_thread_id
        )
    admin_said = await seeded_sandbox.control.send(
        CONSULTANT_IDS[0], STAFF_CHAT_ID, "я админ", message_thread_id=topic.message_thread_id
    )
    assert admin_said > topic.message_thread_id


async def test_a_bot_that_is_not_admin_sees_only_commands_in_groups(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    await seeded_sandbox.control.create_chat(
        -1005, "Группа", bot_is_admin=False, members=[CONSULTANT_IDS[0]]
    )
    await seeded_sandbox.control.send(CONSULTANT_IDS[0], -1005, "болтовня")
    command = await seeded_sandbox.control.send(CONSULTANT_IDS[0], -1005, "/report")
    updates = await sandbox_bot.get_updates(timeout=0)
    assert [u.message.message_id for u in updates if u.message] == [command]


async def test_a_user_sends_a_photo_and_a_document(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot, tmp_path: Path
):
    screenshot = tmp_path / "ошибка.png"
    screenshot.write_bytes(png(8, 6))
    report = tmp_path / "выгрузка.xml"
    report.write_bytes(b"<xml/>")
    await seeded_sandbox.control.send(USER_ID, USER_ID, "Вот скриншот", file=screenshot)
    await seeded_sandbox.control.send(USER_ID, USER_ID, "", file=report)
    photo_update, doc_update = await sandbox_bot.get_updates(timeout=0)
    photo = photo_update.message.photo  # type: ignore[union-attr]
    assert photo is not None
    assert (photo[-1].width, photo[-1].height) == (8, 6)
    assert photo_update.message.caption == "Вот скриншот"  # type: ignore[union-attr]
    document = doc_update.message.document  # type: ignore[union-attr]
    assert document is not None
    assert document.file_name == "выгрузка.xml"
    file = await sandbox_bot.get_file(document.file_id)
    downloaded = await sandbox_bot.download_file(file.file_path or "")
    assert downloaded is not None
    assert downloaded.read() == b"<xml/>"
    shown = await seeded_sandbox.control.messages(USER_ID)
    assert all(m["file_url"].startswith("/sandbox/files/") for m in shown)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"id": 7, "title": "x"}, "group ids are negative"),
        ({"id": -7, "title": "x", "members": [999]}, "unknown users: 999"),
        ({"id": -7, "title": "x", "type": "group", "is_forum": True}, "only supergroups"),
        ({"id": -7}, 'parameter "title" is required'),
        ({"id": -7, "title": "x", "members": {"2001": "boss"}}, "member status must be one of"),
    ],
)
async def test_bad_chats_are_refused(
    seeded_sandbox: SandboxHandle, body: dict[str, object], error: str
):
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{seeded_sandbox.url}/sandbox/api/chats", json=body) as resp,
    ):
        assert resp.status == 400
        assert error in (await resp.json())["error"]
    assert -7 not in seeded_sandbox.sandbox.state.chats


async def test_content_the_web_chat_cannot_make_reaches_the_bot(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    location = {"latitude": 55.75, "longitude": 37.61}
    await seeded_sandbox.control.send(USER_ID, USER_ID, content={"location": location})
    [update] = await sandbox_bot.get_updates(timeout=0)
    assert update.message is not None
    assert update.message.location is not None
    assert (update.message.location.latitude, update.message.location.longitude) == (55.75, 37.61)
    with pytest.raises(SandboxControlError, match="may not set chat, from"):
        await seeded_sandbox.control.send(
            USER_ID, USER_ID, content={"from": {"id": 1}, "chat": {"id": 2}}
        )


async def test_a_modified_client_may_send_any_callback_data(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    sent = await sandbox_bot.send_message(USER_ID, "Ответ", reply_markup=HELPED)
    await seeded_sandbox.control.click(
        USER_ID, USER_ID, sent.message_id, "ticket:close:999", check_button=False
    )
    [update] = await sandbox_bot.get_updates(timeout=0)
    assert update.callback_query is not None
    assert update.callback_query.data == "ticket:close:999"
