"""Inputs that used to raise or slip through, driven through the sandbox (issue 18):
forged button data with huge numbers, impossible report periods, junk texts,
outsiders' commands in the staff group, and another client's invite."""

from __future__ import annotations

import logging

import pytest

from bot.compose import App
from tests.e2e.desk import (
    CONSULTANT,
    STAFF_CHAT,
    STRANGER,
    USER,
    Desk,
    forge_click,
    inject_message,
    text_of,
)

NO_FAQ = "У нас сломался принтер в бухгалтерии, печатает пустые листы"
HUGE = "99999999999999999999"
OTHER = 3002  # a second user of the client  # above 2^63-1: no database key can hold it


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_forged_presses_with_huge_numbers_are_answered_in_every_family(
    desk: Desk, desk_app: App, caplog: pytest.LogCaptureFixture
) -> None:
    """A number past 2^63-1 in any button family is answered «Кнопка устарела»,
    and nothing raises (no ERROR in the log)."""
    caplog.set_level(logging.INFO)
    sent = await desk.say(USER, USER, "/start")
    welcome = await desk.bot_says(USER, "подключены", after=sent)
    said = await desk.say(CONSULTANT, STAFF_CHAT, "кто на смене?")
    private = [
        f"f:{HUGE}:open:0",
        f"f:1:open:{HUGE}",
        f"w:{HUGE}:0",
        f"w:1:{HUGE}",
        f"u:{HUGE}:view:",
        f"u:{HUGE}:setp:1",
        f"m:{HUGE}",
        f"q:{HUGE}:1:5",
        f"q:1:{HUGE}:5",
        f"q:1:1:{HUGE}",
    ]
    state = desk.handle.sandbox.state
    ids = [forge_click(desk.handle, USER, USER, welcome["message_id"], d) for d in private]
    staff = [f"s:{HUGE}:take:", f"s:{HUGE}:setp:1", f"u:{HUGE}:view:"]
    ids += [forge_click(desk.handle, CONSULTANT, STAFF_CHAT, said, d) for d in staff]

    async def answered() -> bool:
        return all(state.callbacks[i].answered for i in ids)

    await desk.until(answered, "an answer to every press")
    for i in ids:
        assert "устарела" in str(state.callbacks[i].answer_text), state.callbacks[i].data
    assert _errors(caplog) == []


async def test_report_for_an_impossible_period_answers_the_consultant(
    desk: Desk, desk_app: App, caplog: pytest.LogCaptureFixture
) -> None:
    """``/report DEMO 0001-W01`` and ``9999-12`` get a clear answer, not a traceback."""
    caplog.set_level(logging.INFO)
    for period in ("0001-W01", "9999-12"):
        sent = await desk.say(CONSULTANT, STAFF_CHAT, f"/report DEMO {period}")
        reply = await desk.bot_says(STAFF_CHAT, f"Не понял период «{period}»", after=sent)
        assert "/report" in text_of(reply)
    assert _errors(caplog) == []


async def test_invisible_and_one_character_texts_make_no_ticket_but_a_photo_does(
    desk: Desk, desk_app: App
) -> None:
    """«ㅤ», «ㅤㅤ» and «0» are answered with how to write a request and register
    nothing; a photo with an invisible caption is still registered."""
    for junk in ("\u3164", "\u3164\u3164", "0", "\u200b\u2800"):
        sent = await desk.say(USER, USER, junk)
        await desk.bot_says(USER, "опишите вопрос словами", after=sent)
    async with desk_app.db.uow() as uow:
        assert await uow.tickets.list() == []
    photo = [{"file_id": "AgADjunk", "file_unique_id": "j1", "width": 3, "height": 2}]
    sent = inject_message(desk.handle, USER, USER, {"photo": photo, "caption": "\u3164"})
    await desk.bot_says(USER, "зарегистрирована", after=sent)
    async with desk_app.db.uow() as uow:
        assert len(await uow.tickets.list()) == 1
    # with a ticket open, an invisible text is not relayed to it as a follow-up either
    topic = await desk.topic_of("DEMO-1")
    thread = topic["message_thread_id"]
    relayed = await desk.wait_for(STAFF_CHAT, lambda m: "photo" in m, thread_id=thread)
    sent = await desk.say(USER, USER, "\u3164")
    await desk.bot_says(USER, "опишите вопрос словами", after=sent)
    await desk.say(USER, USER, "И ещё: печать тоже не работает")
    await desk.bot_says(STAFF_CHAT, "печать тоже", thread_id=thread)  # per-chat order: after it
    later = await desk.control.messages(
        STAFF_CHAT, message_thread_id=thread, after=relayed["message_id"]
    )
    assert [m for m in later if "печать тоже" not in text_of(m)] == []


async def test_an_outsider_is_answered_once_however_many_commands_and_cards_still_come(
    desk: Desk, desk_app: App
) -> None:
    """Five commands from a group member who is not staff get one reply in the
    group; a consultant's command after them is answered, and a new ticket's card
    arrives as usual."""
    first = await desk.say(USER, USER, NO_FAQ)
    await desk.bot_says(USER, "зарегистрирована", after=first)
    topic = await desk.topic_of("DEMO-1")
    thread = topic["message_thread_id"]
    await desk.bot_says(STAFF_CHAT, "DEMO-1", thread_id=thread)
    await desk.control._request(
        "POST", f"chats/{STAFF_CHAT}/members", json={"user_id": STRANGER, "status": "member"}
    )
    for command in ("/take", "/resolve", "/priority 1", "/report DEMO", "/history"):
        await desk.say(STRANGER, STAFF_CHAT, command, message_thread_id=thread)
    # one chat's updates are handled, and its messages sent, in order: this comes after
    asked = await desk.say(CONSULTANT, STAFF_CHAT, "/history", message_thread_id=thread)
    await desk.bot_says(STAFF_CHAT, "История", after=asked, thread_id=thread)
    await desk.control.create_user(OTHER, "Ольга")
    bound = await desk.say(OTHER, OTHER, "/start demo")
    await desk.bot_says(OTHER, "Вы подключены", after=bound)
    second = await desk.say(OTHER, OTHER, "Не открывается отчёт по продажам, ошибка")
    await desk.bot_says(OTHER, "зарегистрирована", after=second)
    new_topic = await desk.topic_of("DEMO-2")
    await desk.bot_says(STAFF_CHAT, "DEMO-2", thread_id=new_topic["message_thread_id"])
    refusals = [
        m
        for m in await desk.control.messages(STAFF_CHAT)
        if m["from"]["is_bot"] and "только сотрудникам" in text_of(m)
    ]
    assert len(refusals) == 1
    assert "в течение часа" in text_of(refusals[0])
    async with desk_app.db.uow() as uow:
        assert (await uow.tickets.get("DEMO-1")).status.value == "new"
