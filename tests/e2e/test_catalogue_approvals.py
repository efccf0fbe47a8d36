"""Approvals through the sandbox: the approver's private message with «Согласовать» /
«Отклонить» (a refusal asks why), the user and the card told, the SLA paused while the
ticket waits; a reminder, then the client's manager; and the presses that must change
nothing: forged, another client's manager, the requester approving their own request."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.callbacks import ApprovalCb
from bot.compose import App
from bot.jobs.approvals import remind_once
from bot.reports.build import build_report, render_report
from bot.services.config import apply_config
from desk.config import load_config
from desk.enums import Status
from desk.model import User
from desk.reporting import parse_period
from tests.conftest import DEMO_CONFIG
from tests.e2e.catalogue import APPROVER, MANAGER, fill_access, join_people, rounds, send, tap
from tests.e2e.desk import STAFF_CHAT, USER, Desk, Message, forge_click, text_of


async def _requested(desk: Desk) -> Message:
    """USER's access request sent; the approver's message with its buttons."""
    await join_people(desk)
    told = await send(desk, await fill_access(desk))
    assert "согласует Алексей Морозов" in text_of(told)
    return await desk.bot_says(APPROVER, "Согласуйте заявку DEMO-1")


async def _card(desk: Desk, part: str) -> Message:
    topic = await desk.topic_of("DEMO-1")
    return await desk.wait_for(
        STAFF_CHAT,
        lambda m: "DEMO-1" in text_of(m) and part in text_of(m),
        thread_id=topic["message_thread_id"],
        what=f"the card with {part!r}",
    )


async def test_the_approver_approves_and_work_starts(desk: Desk, desk_app: App) -> None:
    """The approver sees the answers; «Согласовать» takes the ticket back to new with its
    SLA running, the user hears who approved, the card shows it and the wait, the audit
    trail has the decision with who."""
    asked = await _requested(desk)
    assert "Кому: Иванова Анна Сергеевна" in text_of(asked)
    ticket, _ = await rounds(desk_app, "DEMO-1")
    assert ticket.status is Status.APPROVAL
    assert ticket.sla is not None
    assert ticket.sla.paused_at is not None  # the clock stands while it waits
    await tap(desk, asked, "Согласовать", "согласована", chat=APPROVER)
    told = await desk.bot_says(USER, "согласовал Алексей Морозов")
    assert "Берём в работу" in text_of(told)
    ticket, found = await rounds(desk_app, "DEMO-1")
    assert ticket.status is Status.NEW
    assert ticket.sla is not None
    assert ticket.sla.paused_at is None
    assert [(r.state, r.decided_by) for r in found] == [("approved", APPROVER)]
    assert found[0].waited_minutes is not None
    card = await _card(desk, "✅ Согласовал: Алексей Морозов")
    assert "ждали" in text_of(card)  # the wait is on the card
    async with desk_app.db.uow() as uow:
        events = await uow.audit.for_ticket(ticket.id or 0)
        moment = desk_app.now()
        period = parse_period(moment.astimezone(ZoneInfo("Europe/Moscow")).strftime("%Y-%m"))
        report = await build_report(uow, "DEMO", period, moment)
    assert report.figures.approvals.rounds == 1  # the report shows the wait apart from the SLA
    assert "Ожидание согласования клиентом" in render_report(report, "html").decode()
    decided = [e for e in events if e.what == "approval" and e.actor == f"user:{APPROVER}"]
    assert len(decided) == 1
    assert '"approved"' in (decided[0].new or "")


async def test_a_refusal_asks_why_and_tells_the_user(desk: Desk, desk_app: App) -> None:
    """«Отклонить» asks for a reason; the reason cancels the request, reaches the user and
    the card; pressing again afterwards changes nothing."""
    asked = await _requested(desk)
    question = await tap(desk, asked, "Отклонить", "Почему отклоняете", chat=APPROVER)
    sent = await desk.say(APPROVER, APPROVER, "Нет служебной записки от руководителя")
    await desk.bot_says(APPROVER, "отклонена", after=sent)
    told = await desk.bot_says(USER, "не согласовал Алексей Морозов")
    assert "«Нет служебной записки от руководителя»" in text_of(told)
    ticket, found = await rounds(desk_app, "DEMO-1")
    assert ticket.status is Status.CANCELLED
    assert [(r.state, r.reason) for r in found] == [
        ("refused", "Нет служебной записки от руководителя")
    ]
    await _card(desk, "❌ Отклонил: Алексей Морозов")
    data = ApprovalCb(approval=found[0].id, action="ok").pack()
    forge_click(desk.handle, APPROVER, APPROVER, question["message_id"], data)
    await desk.until(lambda: _answered(desk, "решение уже принято"), "the late press refused")
    assert (await rounds(desk_app, "DEMO-1"))[0].status is Status.CANCELLED


async def _answered(desk: Desk, part: str) -> bool:
    return any(part in (r.answer_text or "") for r in desk.handle.sandbox.state.callbacks.values())


async def test_presses_by_people_the_config_does_not_name_change_nothing(
    desk: Desk, desk_app: App
) -> None:
    """A forged press of a stranger, another client's manager, and the requester
    pressing «Согласовать» on their own request are each refused; the ticket still waits."""
    asked = await _requested(desk)
    _, found = await rounds(desk_app, "DEMO-1")
    data = ApprovalCb(approval=found[0].id, action="ok").pack()
    config = load_config(DEMO_CONFIG)
    other = config.clients["URAL"]
    async with desk_app.db.uow() as uow:  # «Урал-Снаб» gets a manager of its own
        managers = {**config.managers, other.code: (1777,)}
        await apply_config(uow, replace(config, managers=managers), source="t", now=desk_app.now())
    await desk.control.create_user(1777, "Урал-менеджер")
    for presser in (3001, 1777, USER):  # a stranger, URAL's manager, the requester
        forge_click(desk.handle, presser, APPROVER, asked["message_id"], data)
    forged = ApprovalCb(approval=found[0].id + 100, action="ok").pack()
    forge_click(desk.handle, APPROVER, APPROVER, asked["message_id"], forged)

    async def all_refused() -> bool:
        answers = [r.answer_text or "" for r in desk.handle.sandbox.state.callbacks.values()]
        return sum("только согласующий клиента" in a for a in answers) >= 4

    await desk.until(all_refused, "four refusals")
    ticket, found = await rounds(desk_app, "DEMO-1")
    assert ticket.status is Status.APPROVAL
    assert [r.state for r in found] == ["pending"]


async def test_the_requester_who_is_an_approver_is_not_asked_the_manager_is(
    desk: Desk, desk_app: App
) -> None:
    """Алексей Морозов files an access request himself: it goes to the manager, and his
    own press is refused."""
    await join_people(desk)
    async with desk_app.db.uow() as uow:
        await uow.users.bind(User(APPROVER, "DEMO", "Алексей", desk_app.now(), "alexey_econ"))
    sent = await desk.say(APPROVER, APPROVER, "/new")
    types = await desk.bot_says(APPROVER, "Выберите вид заявки", after=sent)
    who = await tap(desk, types, "Доступ и права", "Кому нужен доступ", chat=APPROVER)

    async def say(question: Message, text: str, expect: str) -> Message:
        sent = await desk.say(APPROVER, APPROVER, text)
        return await desk.bot_says(APPROVER, expect, after=max(sent, question["message_id"]))

    base = await say(who, "Морозов Алексей", "В какой базе")
    roles = await tap(desk, base, "УТ", "Какие роли", chat=APPROVER)
    start = await say(roles, "Менеджер", "С какой даты")
    until = await say(start, "01.02.2031", "До какой даты")
    reason = await tap(desk, until, "Пропустить", "Для чего", chat=APPROVER)
    summary = await say(reason, "Отчёты по продажам", "Проверьте заявку")
    told = await tap(desk, summary, "Отправить", "зарегистрирована", chat=APPROVER)
    assert "согласует Светлана Иванова" in text_of(told)
    asked = await desk.bot_says(MANAGER, "Согласуйте заявку DEMO-1")
    _, found = await rounds(desk_app, "DEMO-1")
    assert found[0].asked == (MANAGER,)
    data = ApprovalCb(approval=found[0].id, action="ok").pack()
    forge_click(desk.handle, APPROVER, MANAGER, asked["message_id"], data)
    await desk.until(lambda: _answered(desk, "только согласующий клиента"), "the own press refused")
    assert (await rounds(desk_app, "DEMO-1"))[0].status is Status.APPROVAL


async def test_an_unanswered_request_is_reminded_then_brought_to_the_manager(
    desk: Desk, desk_app: App
) -> None:
    """Past «remind_after» (4 business hours) the approver is reminded once; past
    «escalate_after» (8) the client's manager gets the request with the buttons, the topic
    says so, and the manager's «Согласовать» decides it."""
    await _requested(desk)
    _, found = await rounds(desk_app, "DEMO-1")
    async with desk_app.db.uow() as uow:
        clock = (await desk_app.tickets.terms(uow, "DEMO")).clock
    asked_at = found[0].requested_at
    assert await remind_once(desk_app, clock.due(asked_at, 60)) == 0  # too early
    assert await remind_once(desk_app, clock.due(asked_at, 5 * 60)) == 1
    await desk.bot_says(APPROVER, "Напоминаю")
    assert await remind_once(desk_app, clock.due(asked_at, 5 * 60) + timedelta(minutes=5)) == 0
    assert await remind_once(desk_app, clock.due(asked_at, 8 * 60 + 1)) == 2
    escalated = await desk.bot_says(MANAGER, "согласующий не ответил")
    topic = await desk.topic_of("DEMO-1")
    await desk.bot_says(
        STAFF_CHAT, "Передал менеджеру клиента", thread_id=topic["message_thread_id"]
    )
    await tap(desk, escalated, "Согласовать", "согласована", chat=MANAGER)
    await desk.bot_says(USER, "согласовал Светлана Иванова")
    ticket, found = await rounds(desk_app, "DEMO-1")
    assert ticket.status is Status.NEW
    assert [(r.state, r.decided_by) for r in found] == [("approved", MANAGER)]
