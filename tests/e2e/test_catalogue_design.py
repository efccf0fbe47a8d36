"""An enhancement's functional design through the sandbox: the consultant's ``/design``
in reply to a document sends it to the client's approver, the ticket waits; the approval
starts the resolution clock; a changed design needs a new approval."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.compose import App
from desk.enums import Priority, Status
from tests.e2e.catalogue import MANAGER, answer, rounds, send, start_form, tap
from tests.e2e.desk import CONSULTANT, STAFF_CHAT, USER, Desk, Message, text_of


async def _enhancement(desk: Desk) -> int:
    """USER's enhancement request sent; its topic's thread id."""
    what = await start_form(desk, "Доработка", "Что нужно доработать")
    why = await answer(desk, what, "Отчёт по продажам с колонкой «Менеджер»", "Зачем это нужно")
    summary = await answer(desk, why, "Премии считаем по менеджерам", "Проверьте заявку")
    told = await send(desk, summary)
    assert "Доработка: Отчёт по продажам с колонкой «Менеджер»" in text_of(told)
    topic = await desk.topic_of("DEMO-1")
    return int(topic["message_thread_id"])


async def _design(desk: Desk, thread: int, path: Path, content: bytes) -> Message:
    """The consultant posts the design and answers it with /design; the manager's request."""
    before = await _last(desk, MANAGER)
    await asyncio.to_thread(path.write_bytes, content)
    doc = await desk.control.send(CONSULTANT, STAFF_CHAT, "", file=path, message_thread_id=thread)
    sent = await desk.say(
        CONSULTANT, STAFF_CHAT, "/design", message_thread_id=thread, reply_to_message_id=doc
    )
    await desk.bot_says(STAFF_CHAT, "отправлен на согласование", thread_id=thread, after=sent)
    return await desk.wait_for(
        MANAGER,
        lambda m: "Согласуйте проект доработки" in text_of(m) and m["message_id"] > 0,
        what="the design's approval request",
        after=before,
    )


async def _last(desk: Desk, chat: int) -> int:
    found = await desk.control.messages(chat)
    return max((m["message_id"] for m in found), default=0)


async def test_the_design_is_approved_and_the_resolution_clock_starts(
    desk: Desk, desk_app: App, tmp_path: Path
) -> None:
    thread = await _enhancement(desk)
    ticket, found = await rounds(desk_app, "DEMO-1")
    assert ticket.priority is Priority.BACKGROUND
    assert ticket.status is Status.NEW
    assert found == []  # the request itself needs no approval: its design will
    assert ticket.sla is not None
    assert ticket.sla.resolution_due is None  # no resolution clock before the design
    before = await _last(desk, MANAGER)
    asked = await _design(desk, thread, tmp_path / "ФТ-отчёт.pdf", b"%PDF-1.4 design v1")
    copies = await desk.control.messages(MANAGER, after=before)
    assert any(m.get("document") for m in copies)  # the document itself, before the request
    ticket, found = await rounds(desk_app, "DEMO-1")
    assert ticket.status is Status.APPROVAL
    assert [(r.kind, r.state, r.design_name) for r in found] == [
        ("design", "pending", "ФТ-отчёт.pdf")
    ]
    await desk.bot_says(USER, "отправлен на согласование: Светлана Иванова")
    await tap(desk, asked, "Согласовать", "согласована", chat=MANAGER)
    await desk.bot_says(USER, "Проект доработки по заявке DEMO-1 согласовал Светлана Иванова")
    await desk.bot_says(STAFF_CHAT, "срок решения пошёл", thread_id=thread)
    ticket, found = await rounds(desk_app, "DEMO-1")
    assert ticket.status is Status.IN_PROGRESS  # the consultant had answered: work goes on
    assert ticket.sla is not None
    assert ticket.sla.resolution_due is not None
    assert ticket.sla.resolution_target == 10 * 8 * 60  # «resolution = "10d"» of the type
    async with desk_app.db.uow() as uow:
        events = [e.what for e in await uow.audit.for_ticket(ticket.id or 0)]
    assert "resolution started" in events


async def test_a_changed_design_needs_a_new_approval(
    desk: Desk, desk_app: App, tmp_path: Path
) -> None:
    """After an approval a new /design puts the ticket back to waiting; a /design while one
    is pending supersedes it (the approver is told), and only the newest counts."""
    thread = await _enhancement(desk)
    first = await _design(desk, thread, tmp_path / "v1.pdf", b"%PDF v1")
    await tap(desk, first, "Согласовать", "согласована", chat=MANAGER)
    await desk.bot_says(USER, "согласовал Светлана Иванова")
    due = (await rounds(desk_app, "DEMO-1"))[0].sla
    await _design(desk, thread, tmp_path / "v2.pdf", b"%PDF v2")
    ticket, found = await rounds(desk_app, "DEMO-1")
    assert ticket.status is Status.APPROVAL
    third = await _design(desk, thread, tmp_path / "v3.pdf", b"%PDF v3")
    await desk.bot_says(MANAGER, "заменён новой версией")
    ticket, found = await rounds(desk_app, "DEMO-1")
    assert [(r.design_name, r.state) for r in found] == [
        ("v1.pdf", "approved"),
        ("v2.pdf", "superseded"),
        ("v3.pdf", "pending"),
    ]
    await tap(desk, third, "Согласовать", "согласована", chat=MANAGER)
    ticket, found = await rounds(desk_app, "DEMO-1")
    assert found[-1].state == "approved"
    assert ticket.status is Status.IN_PROGRESS  # the consultant had answered: work goes on
    assert due is not None
    assert ticket.sla is not None
    assert ticket.sla.resolution_target == due.resolution_target  # started once, at v1
