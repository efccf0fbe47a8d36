"""Inputs that used to raise or slip through, driven through the sandbox (issue 18):
forged button data with huge numbers, impossible report periods, junk texts,
outsiders' commands in the staff group, and another client's invite."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.compose import App
from bot.services.config import apply_config
from desk.config import load_config
from tests.bot.cli_support import DEMO_CONFIG
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


KOPY = """

[[clients]]
code = "KOPY"
name = "Рога и копыта"
contract = "demo"
team = "demo"

[[invites]]
code = "kopy"
client = "KOPY"
"""


async def _add_second_client(app: App, tmp_path: Path) -> None:
    source = tmp_path / "two_clients.toml"
    source.write_text(DEMO_CONFIG.read_text(encoding="utf-8") + KOPY, encoding="utf-8")
    async with app.db.uow() as uow:
        await apply_config(uow, load_config(source), source=str(source), now=datetime.now(UTC))


async def test_another_clients_invite_asks_first_and_a_move_keeps_old_tickets_working(
    desk: Desk, desk_app: App, tmp_path: Path
) -> None:
    """A user of «Демо» opening «Рога и копыта»'s invite is asked; «Остаться»
    keeps them, a forged press does nothing, «Перейти» moves them with an audit
    event, and their open «Демо» ticket still shows in /my and takes follow-ups
    in its topic."""
    first = await desk.say(USER, USER, NO_FAQ)
    await desk.bot_says(USER, "зарегистрирована", after=first)
    topic = await desk.topic_of("DEMO-1")
    thread = topic["message_thread_id"]
    await desk.bot_says(STAFF_CHAT, "DEMO-1", thread_id=thread)
    await _add_second_client(desk_app, tmp_path)

    same = await desk.say(USER, USER, "/start demo")
    await desk.bot_says(USER, "Вы уже подключены к поддержке как сотрудник «Демо»", after=same)

    asked = await desk.say(USER, USER, "/start kopy")
    offer = await desk.bot_says(USER, "Перейти в «Рога и копыта»?", after=asked)
    assert "Вы уже подключены к «Демо»" in text_of(offer)
    assert "Открытые заявки (1) останутся у «Демо»" in text_of(offer)
    assert await _client_of(desk_app, USER) == "DEMO"  # not moved by the invite alone

    await desk.press(USER, USER, offer, "Остаться")
    await desk.bot_says(USER, "остаётесь в «Демо»", after=offer["message_id"])
    state = desk.handle.sandbox.state
    forged = [  # the used offer pressed again, a client never offered, a stranger's press
        forge_click(desk.handle, USER, USER, offer["message_id"], "r:go:KOPY"),
        forge_click(desk.handle, USER, USER, offer["message_id"], "r:go:DEMO"),
        forge_click(desk.handle, STRANGER, STRANGER, _any_message(desk, STRANGER), "r:go:KOPY"),
    ]

    async def refused() -> bool:
        return all(state.callbacks[i].answered for i in forged)

    await desk.until(refused, "the forged presses answered")
    for i in forged:
        assert "больше не действует" in str(state.callbacks[i].answer_text)
    assert await _client_of(desk_app, USER) == "DEMO"

    again = await desk.say(USER, USER, "/start kopy")
    offer = await desk.bot_says(USER, "Перейти в «Рога и копыта»?", after=again)
    await desk.press(USER, USER, offer, "Перейти")
    await desk.bot_says(USER, "теперь вы подключены к «Рога и копыта»", after=offer["message_id"])
    assert await _client_of(desk_app, USER) == "KOPY"
    async with desk_app.db.uow() as uow:
        moves = [e for e in await uow.audit.latest(20) if e.what == "user.client"]
        ticket = await uow.tickets.get("DEMO-1")
    assert [(e.actor, e.old, e.new) for e in moves] == [(f"user:{USER}", "DEMO", "KOPY")]
    assert (ticket.client_code, ticket.status.value) == ("DEMO", "new")

    listed = await desk.say(USER, USER, "/my")
    mine = await desk.bot_says(USER, "DEMO-1", after=listed)
    view = forge_click(desk.handle, USER, USER, mine["message_id"], f"u:{ticket.id}:view:")
    await desk.bot_says(USER, NO_FAQ, after=mine["message_id"])
    assert state.callbacks[view].answered
    assert not state.callbacks[view].show_alert
    await desk.say(USER, USER, "Дополнение: пустые листы и на втором принтере")
    await desk.bot_says(STAFF_CHAT, "на втором принтере", thread_id=thread)


async def _client_of(app: App, user_id: int) -> str | None:
    async with app.db.uow() as uow:
        user = await uow.users.get(user_id)
    return None if user is None else user.client_code


def _any_message(desk: Desk, chat_id: int) -> int:
    """A message in the chat to hang a forged press on (the stranger's own)."""
    return inject_message(desk.handle, chat_id, chat_id, {"text": "привет"})
