"""Rows queued by an earlier version (their payload JSON written out literally,
as that code wrote it) are delivered by this one: texts, keyboards, edits,
topic messages with their links, and a failed relay told to its author."""

from __future__ import annotations

from bot.compose import App
from storage import messaging
from storage.outbox import JsonObject
from tests.e2e.desk import STAFF_CHAT, USER, Desk, Message, buttons, text_of

NO_FAQ = "У нас сломался принтер в бухгалтерии, печатает пустые листы"
KEYBOARD: JsonObject = {"inline_keyboard": [[{"text": "Понятно", "callback_data": "noop"}]]}


async def _queue(
    app: App, chat_id: int, kind: str, payload: JsonObject, ticket_id: int | None = None
) -> None:
    async with app.db.uow() as uow:
        uow.outbox.enqueue(chat_id, kind, payload, ticket_id=ticket_id)
    app.sender.wake()


async def _message(desk: Desk, chat_id: int, message_id: int) -> Message:
    found: list[Message] = await desk.control.messages(chat_id)
    return next(m for m in found if m["message_id"] == message_id)


async def test_old_rows_to_a_user_send_edit_and_change_keyboards(desk: Desk, desk_app: App) -> None:
    await _queue(
        desk_app,
        USER,
        "send",
        {"text": "Старая <b>строка</b>", "topic": False, "markup": KEYBOARD, "link": None},
    )
    sent = await desk.bot_says(USER, "Старая строка")
    assert buttons(sent) == [("Понятно", "noop")]

    await _queue(desk_app, USER, "markup", {"message_id": sent["message_id"], "markup": None})

    async def bare() -> Message | None:
        message = await _message(desk, USER, sent["message_id"])
        return None if buttons(message) else message

    await desk.until(bare, "the old markup row")
    await _queue(
        desk_app,
        USER,
        "edit",
        {"message_id": sent["message_id"], "text": "Исправлено", "markup": KEYBOARD},
    )

    async def edited() -> Message | None:
        message = await _message(desk, USER, sent["message_id"])
        return message if text_of(message) == "Исправлено" else None

    message = await desk.until(edited, "the old edit row")
    assert buttons(message) == [("Понятно", "noop")]


async def test_old_rows_of_a_ticket_reach_its_topic_and_a_failed_relay_is_told(
    desk: Desk, desk_app: App
) -> None:
    first = await desk.say(USER, USER, NO_FAQ)
    await desk.bot_says(USER, "зарегистрирована", after=first)
    thread = int((await desk.topic_of("DEMO-1"))["message_thread_id"])
    async with desk_app.db.uow() as uow:
        ticket_id = (await uow.tickets.get("DEMO-1")).id

    link: JsonObject = {"author": "bot", "author_id": None, "public": False, "text": None}
    await _queue(
        desk_app,
        STAFF_CHAT,
        "send",
        {"text": "Старая заметка", "topic": True, "markup": None, "link": link},
        ticket_id,
    )
    note = await desk.bot_says(STAFF_CHAT, "Старая заметка", thread_id=thread)

    async def linked() -> messaging.MessageLink | None:
        async with desk_app.db.uow() as uow:  # written just after the message was sent
            return await uow.messaging.link_of(STAFF_CHAT, note["message_id"])

    found = await desk.until(linked, "the old row's link to its ticket")
    assert (found.ticket_id, found.author) == (ticket_id, "bot")

    await desk.control.add_fault("copyMessage", "400", chat_id=STAFF_CHAT)
    relay: JsonObject = {"from": "user", "chat_id": USER, "message_id": first}
    await _queue(
        desk_app,
        STAFF_CHAT,
        "copy",
        {
            "from_chat_id": USER,
            "message_id": first,
            "caption": None,
            "topic": True,
            "link": {"author": "user", "author_id": USER, "public": False, "text": None},
            "relay": relay,
        },
        ticket_id,
    )
    await desk.bot_says(USER, "Не удалось передать ваше сообщение")

    await _queue(desk_app, STAFF_CHAT, "topic_state", {"closed": True}, ticket_id)

    async def closed() -> bool:
        topics = await desk.control.topics(STAFF_CHAT)
        return any(t["message_thread_id"] == thread and t["closed"] for t in topics)

    await desk.until(closed, "the topic closed by an old topic_state row")
