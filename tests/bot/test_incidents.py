"""Mass incidents on a real database (SQLite and PostgreSQL), below the chat: an alert's
incident takes users' outage reports of its client only; an incident counts once in the
SLA figures with its users and reports, and on the client page; the SLA watcher leaves
reports alone; the resolution is told to each report once.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.reports.build import build_report, render_report
from bot.services import alerts, incidents
from bot.services.actors import Actor
from bot.services.incoming import Incoming
from bot.services.tickets import TicketService
from desk.alerts import AlertStatus, Severity
from desk.enums import Status
from desk.incidents import Origin, ReportState
from desk.model import Ticket, User
from desk.reporting import IncidentFigures, parse_period
from knowledge.analysis import Analyzer
from knowledge.morph import default_lemmatizer
from storage.tables import OutboxRow
from storage.uow import UnitOfWork, UnitOfWorkFactory

NOW = datetime.now(UTC).replace(microsecond=0)
PEOPLE = {1001: "Иван", 5001: "Ольга", 5002: "Пётр"}
URAL_USER = 6001


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(default_lemmatizer())


@pytest.fixture
async def factory(demo_uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    async with demo_uow_factory() as uow:
        for uid, name in PEOPLE.items():
            if uid != 1001:
                await uow.users.bind(User(uid, "DEMO", name, NOW))
        await uow.users.bind(User(URAL_USER, "URAL", "Урал", NOW))
    return demo_uow_factory


def _said(uid: int, text: str, message_id: int = 10) -> Incoming:
    return Incoming(uid, message_id, uid, PEOPLE.get(uid, "Урал"), None, text, text)


async def _report(
    uow: UnitOfWork, svc: TicketService, analyzer: Analyzer, uid: int, text: str
) -> Ticket | None:
    user = await uow.users.get(uid)
    assert user is not None
    return await incidents.take_report(uow, svc, analyzer, user, _said(uid, text), NOW)


async def _alert(uow: UnitOfWork, svc: TicketService) -> Ticket:
    alert = alerts.Alert("1c-down", AlertStatus.FIRING, "Сервер 1С не отвечает",
                         severity=Severity.CRITICAL)  # fmt: skip
    outcome = await alerts.receive(uow, svc, "DEMO", alert, NOW, 60)
    assert outcome.ticket is not None
    return await uow.tickets.get(outcome.ticket)


async def _sent_to(uow: UnitOfWork, chat_id: int) -> list[str]:
    rows = await uow.session.scalars(select(OutboxRow).where(OutboxRow.chat_id == chat_id))
    return [str(row.payload.get("text", "")) for row in rows]


async def test_an_alerts_incident_takes_outage_reports_of_its_client_only(
    factory: UnitOfWorkFactory, analyzer: Analyzer
) -> None:
    svc = TicketService(now=lambda: NOW)
    async with factory() as uow:
        incident = await _alert(uow, svc)
        mass = await uow.incidents.mass_of(incident.id or 0)
        assert mass is not None
        assert mass.origin is Origin.ALERT
        report = await _report(uow, svc, analyzer, 5001, "Не могу зайти в 1С, база не открывается")
        assert report is not None
        assert report.number == "DEMO-2"
        assert report.requester_id == 5001
        row = await uow.incidents.report_of(report.id or 0)
        assert row is not None
        assert (row.incident_id, row.state) == (incident.id, ReportState.LINKED)
        # another client's user, and a question about something else: requests of their own
        assert await _report(uow, svc, analyzer, URAL_USER, "Не могу зайти в 1С") is None
        assert await _report(uow, svc, analyzer, 5002, "Как загрузить выписку из банка?") is None
    async with factory() as uow:  # (outbox rows are written at the commit)
        known = [t for t in await _sent_to(uow, 5001) if "Мы уже знаем о проблеме" in t]
        assert len(known) == 1
        assert "DEMO-1" in known[0]
        assert await _sent_to(uow, URAL_USER) == []


async def test_an_incident_counts_once_in_the_sla_figures_and_on_the_client_page(
    factory: UnitOfWorkFactory, analyzer: Analyzer
) -> None:
    svc = TicketService(now=lambda: NOW)
    async with factory() as uow:
        incident = await _alert(uow, svc)
        for uid, text in ((5001, "1С не запускается"), (5002, "Упала база, не можем работать")):
            assert await _report(uow, svc, analyzer, uid, text) is not None
    period = parse_period(f"{NOW.year:04d}-{NOW.month:02d}")
    async with factory() as uow:
        report = await build_report(uow, "DEMO", period, NOW)
        stale = await uow.ops.stale_watches()
        shown = await uow.incidents.client_incidents("DEMO")
        parents = await uow.incidents.linked_numbers([incident.id or 0, 2, 3])
    assert report.tickets == 1  # the incident, not its two reports
    assert report.figures.incidents == (
        IncidentFigures("DEMO-1", "Сервер 1С не отвечает", incident.priority, 2, 2),
    )
    assert "Массовые инциденты" in render_report(report, "html").decode()
    assert len(render_report(report, "xlsx")) > 0
    assert [w.ticket_id for w in stale] == [incident.id]  # the watcher plans no report
    assert [(i.number, i.users, i.reports) for i in shown] == [("DEMO-1", 2, 2)]
    assert parents == {2: "DEMO-1", 3: "DEMO-1"}


async def test_the_resolution_is_told_to_each_report_once_and_closes_it(
    factory: UnitOfWorkFactory, analyzer: Analyzer
) -> None:
    svc = TicketService(now=lambda: NOW)
    async with factory() as uow:
        incident = await _alert(uow, svc)
        reports = [
            await _report(uow, svc, analyzer, uid, "1С не работает у всех") for uid in (5001, 5002)
        ]
    async with factory() as uow:
        assert await incidents.tell_resolution(uow, svc, NOW) == 0  # not resolved yet
        resolved = await svc.resolve(uow, incident.id or 0, Actor.staff(2001))
        await incidents.resolved(uow, svc, resolved, NOW, "Перезапустили сервер")
    async with factory() as uow:
        assert await incidents.tell_resolution(uow, svc, NOW) == 2
    async with factory() as uow:
        assert await incidents.tell_resolution(uow, svc, NOW) == 0  # told once
        for report in reports:
            assert report is not None
            assert (await uow.tickets.get_by_id(report.id or 0)).status is Status.CLOSED
            told = [t for t in await _sent_to(uow, report.requester_id) if "устранена" in t]
            assert len(told) == 1
            assert "Перезапустили сервер" in told[0]
            events = [e.what for e in await uow.audit.for_ticket(report.id or 0)]
            assert events == ["created", "linked", "status", "status"]
