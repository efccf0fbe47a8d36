"""A ticket's forum topic deleted by a group admin: the next message for the ticket
opens it again (a new topic with the card and a line saying why), the message goes
there, and the consultant's answer in the new topic reaches the user."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.compose import App
from sandbox.client import SandboxControlError
from sandbox.model import ADMINISTRATOR
from storage.tables import OutboxRow
from tests.e2e.desk import CONSULTANT, STAFF_CHAT, USER, Desk, text_of

NO_FAQ = "Кассир не видит кнопку возврата в рабочем месте кассира"


async def test_a_deleted_topic_is_opened_again_and_nothing_for_the_ticket_is_lost(
    desk: Desk, desk_app: App
) -> None:
    sent = await desk.say(USER, USER, NO_FAQ)
    await desk.bot_says(USER, "зарегистрирована", after=sent)
    old = (await desk.topic_of("DEMO-1"))["message_thread_id"]
    await desk.bot_says(STAFF_CHAT, "DEMO-1", thread_id=old)

    sandbox = desk.handle.sandbox
    sandbox.set_member(sandbox.state.chats[STAFF_CHAT], CONSULTANT, ADMINISTRATOR)
    await desk.control.delete_topic(CONSULTANT, STAFF_CHAT, old)
    assert await desk.control.topics(STAFF_CHAT) == []

    followup = await desk.say(USER, USER, "Ещё: после перезапуска кнопки тоже нет")
    await desk.bot_says(USER, "Добавил", after=followup)

    topic = await desk.topic_of("DEMO-1")
    thread = topic["message_thread_id"]
    assert thread != old
    await desk.bot_says(STAFF_CHAT, "DEMO-1", thread_id=thread)  # the card, current
    await desk.bot_says(STAFF_CHAT, "открыл её заново", thread_id=thread)
    relayed = await desk.wait_for(
        STAFF_CHAT,
        lambda m: "после перезапуска кнопки тоже нет" in text_of(m),
        thread_id=thread,
        what="the user's follow-up in the new topic",
    )
    assert relayed["message_thread_id"] == thread

    answer = await desk.say(
        CONSULTANT, STAFF_CHAT, "Проверьте права кассира, пожалуйста", message_thread_id=thread
    )
    await desk.wait_for(
        USER,
        lambda m: "Проверьте права кассира" in text_of(m),
        after=followup,
        what="the consultant's answer from the new topic",
    )
    assert answer > 0
    async with desk_app.db.uow() as uow:
        states = (await uow.session.scalars(select(OutboxRow.state))).all()
    assert "failed" not in states


async def test_only_an_admin_can_delete_a_topic_in_the_sandbox(desk: Desk) -> None:
    sent = await desk.say(USER, USER, NO_FAQ)
    await desk.bot_says(USER, "зарегистрирована", after=sent)
    thread = (await desk.topic_of("DEMO-1"))["message_thread_id"]
    with pytest.raises(SandboxControlError, match="not an admin"):
        await desk.control.delete_topic(USER, STAFF_CHAT, thread)  # a client, not staff
    assert [t["message_thread_id"] for t in await desk.control.topics(STAFF_CHAT)] == [thread]
