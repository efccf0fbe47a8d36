"""The SLA watcher on real databases: alerts land in the outbox once, on time.

The clock is simulated: the ticket service and each pass get ``now``
explicitly (no sleeps).  Demo config: office hours 09-18 with lunch 13-14
(Moscow), team chat -1001000000001, lead 2002, consultants 2001 and 2002.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.jobs.watcher import Watcher
from bot.services.actors import Actor
from bot.services.config import apply_config
from bot.services.tickets import TicketService
from desk.config import load_config
from desk.enums import Category, Priority, Status
from desk.model import Ticket
from storage.tables import OutboxRow
from storage.uow import UnitOfWorkFactory

MSK = ZoneInfo("Europe/Moscow")
STAFF_CHAT = -1001000000001
LEAD_CHAT = -1001000000099
DEMO_CONFIG = Path(__file__).parents[2] / "bot" / "demo_config.toml"


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def msk(day: int, hour: int, minute: int, month: int = 5) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=MSK)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(msk(5, 10, 0))  # Tuesday 5 May 2026, a working day


@pytest.fixture
def service(clock: FakeClock) -> TicketService:
    return TicketService(now=clock)


def watcher(factory: UnitOfWorkFactory, service: TicketService) -> Watcher:
    return Watcher(factory, service, autoclose_minutes=480)


async def _create(factory: UnitOfWorkFactory, service: TicketService) -> Ticket:
    async with factory() as uow:
        return await service.create_ticket(
            uow,
            requester_id=1001,
            subject="Не проводится реализация",
            text="Не проводится реализация: ошибка при записи",
            priority=Priority.MEDIUM,
            category=Category.INCIDENT,
        )


async def _outbox(factory: UnitOfWorkFactory, after: int = 0) -> list[dict[str, Any]]:
    async with factory() as uow:
        rows = await uow.session.scalars(
            select(OutboxRow).where(OutboxRow.id > after).order_by(OutboxRow.id)
        )
        return [
            {"id": r.id, "chat": r.chat_id, "kind": r.kind, **r.payload, "ticket": r.ticket_id}
            for r in rows
        ]


async def _last_id(factory: UnitOfWorkFactory) -> int:
    rows = await _outbox(factory)
    return rows[-1]["id"] if rows else 0


async def test_warning_then_breach_in_the_topic_each_once(
    demo_uow_factory: UnitOfWorkFactory, service: TicketService, clock: FakeClock
) -> None:
    """P3 at 10:00: nothing at 10:30; at 10:46 the topic gets a warning that
    mentions the owner; at 11:02 the breach (the lead mentioned, since the demo
    team has no lead chat) and a card refresh; a restarted watcher sends nothing again."""
    ticket = await _create(demo_uow_factory, service)
    start = await _last_id(demo_uow_factory)
    w = watcher(demo_uow_factory, service)

    assert (await w.run_pass(msk(5, 10, 30))).alerts == 0
    assert (await w.run_pass(msk(5, 10, 46))).alerts == 1
    sent = await _outbox(demo_uow_factory, start)
    assert len(sent) == 1
    warn = sent[0]
    assert warn["chat"] == STAFF_CHAT
    assert warn["topic"]
    assert warn["ticket"] == ticket.id
    assert f"tg://user?id={ticket.owner_id}" in warn["text"]
    assert "осталось 14 мин до срока реакции" in warn["text"]
    assert "DEMO-1" in warn["text"]
    assert "сегодня до 11:00 МСК" in warn["text"]

    assert (await w.run_pass(msk(5, 10, 50))).alerts == 0
    assert (await w.run_pass(msk(5, 11, 2))).alerts == 1
    breach = await _outbox(demo_uow_factory, warn["id"])
    texts = [m.get("text", "") for m in breach if m["kind"] == "send"]
    assert len(texts) == 1
    assert "нарушен" in texts[0]
    assert "tg://user?id=2002" in texts[0]
    assert "цель 1 ч, прошло 1 ч 2 мин" in texts[0]
    assert any(m["kind"] == "refresh" for m in breach)

    restarted = watcher(demo_uow_factory, service)
    assert (await restarted.run_pass(msk(5, 11, 5))).alerts == 0
    async with demo_uow_factory() as uow:
        events = [e.what for e in await uow.audit.for_ticket(ticket.id or 0)]
    assert events.count("sla breach") == 1


async def test_two_instances_at_once_send_each_alert_once(
    demo_uow_factory: UnitOfWorkFactory, service: TicketService
) -> None:
    """Two watchers running the same pass concurrently (two bot instances) claim
    the due alerts between them: 3 tickets' reaction breaches go out 3 times, not 6."""
    for _ in range(3):
        await _create(demo_uow_factory, service)
    start = await _last_id(demo_uow_factory)
    first, second = watcher(demo_uow_factory, service), watcher(demo_uow_factory, service)
    results = await asyncio.gather(first.run_pass(msk(5, 11, 30)), second.run_pass(msk(5, 11, 30)))
    assert sum(r.alerts for r in results) == 3
    sends = [m for m in await _outbox(demo_uow_factory, start) if m["kind"] == "send"]
    assert len(sends) == 3
    assert all("нарушен" in m["text"] for m in sends)


async def test_a_breach_goes_to_the_lead_chat_when_the_team_has_one(
    demo_uow_factory: UnitOfWorkFactory, service: TicketService, tmp_path: Path
) -> None:
    config_file = tmp_path / "config.toml"
    text = DEMO_CONFIG.read_text(encoding="utf-8")
    config_file.write_text(
        text.replace("lead = 2002", f"lead = 2002\nlead_chat_id = {LEAD_CHAT}"), encoding="utf-8"
    )
    async with demo_uow_factory() as uow:
        await apply_config(uow, load_config(config_file), source=str(config_file), now=msk(5, 9, 0))
    await _create(demo_uow_factory, service)
    start = await _last_id(demo_uow_factory)
    await watcher(demo_uow_factory, service).run_pass(msk(5, 11, 30))
    sends = [m for m in await _outbox(demo_uow_factory, start) if m["kind"] == "send"]
    lead = [m for m in sends if m["chat"] == LEAD_CHAT]
    assert len(lead) == 1
    assert "DEMO-1" in lead[0]["text"]
    assert "Демо" in lead[0]["text"]
    topic = [m for m in sends if m["chat"] == STAFF_CHAT]
    assert len(topic) == 1
    assert "tg://user?id=2002" not in topic[0]["text"]


async def test_waiting_ticket_is_reminded_then_resolved_with_a_clear_message(
    demo_uow_factory: UnitOfWorkFactory, service: TicketService, clock: FakeClock
) -> None:
    """Waiting from Tue 10:10: no SLA alerts while paused; the user is reminded after
    8 business hours (Wed 10:10), and after 24 (Fri 10:10) the ticket is resolved,
    the user asked to confirm, told why, and the topic told."""
    ticket = await _create(demo_uow_factory, service)
    clock.now = msk(5, 10, 10)
    async with demo_uow_factory() as uow:
        await service.pause(uow, ticket.number, Actor.staff(ticket.owner_id), "нужен скриншот")
    w = watcher(demo_uow_factory, service)
    start = await _last_id(demo_uow_factory)
    assert (await w.run_pass(msk(6, 10, 9))).alerts == 0  # a paused SLA never breaches
    assert (await w.run_pass(msk(6, 10, 11))).alerts == 1
    [reminder] = await _outbox(demo_uow_factory, start)
    assert reminder["chat"] == 1001
    assert "ждём вашего ответа" in reminder["text"]
    assert "в пятницу, 8 мая, в 10:10 МСК мы сочтём вопрос решённым" in reminder["text"]

    clock.now = msk(8, 10, 11)
    assert (await w.run_pass(msk(8, 10, 11))).alerts == 1
    async with demo_uow_factory() as uow:
        resolved = await uow.tickets.get(ticket.number)
        asked = await uow.drafts.resolution_of(resolved.id or 0)
    assert resolved.status is Status.RESOLVED
    assert asked is not None
    assert asked.close_at > msk(8, 10, 11).astimezone(UTC)
    after = await _outbox(demo_uow_factory, reminder["id"])
    to_user = [m for m in after if m["chat"] == 1001]
    assert len(to_user) == 1
    assert "не получили вашего ответа" in to_user[0]["text"]
    assert to_user[0]["markup"] is not None  # confirm / reopen buttons
    assert any(m["chat"] == STAFF_CHAT and "решена автоматически" in m["text"] for m in after)
    assert (await w.run_pass(msk(9, 10, 0))).alerts == 0


async def test_a_p1_lowered_to_p2_is_watched_on_p1s_round_the_clock_time(
    demo_uow_factory: UnitOfWorkFactory, service: TicketService, clock: FakeClock
) -> None:
    """Under the default "peak" basis a P1 lowered to P2 keeps P1's targets and
    24/7 clock: on a Friday evening its warning and breach come that evening,
    not on Monday morning by P2's office hours."""
    clock.now = msk(8, 20, 0)  # Friday 8 May 2026, after hours
    async with demo_uow_factory() as uow:
        ticket = await service.create_ticket(
            uow,
            requester_id=1001,
            subject="1С не запускается у всех",
            text="1С не запускается у всех, работа стоит",
            priority=Priority.CRITICAL,
            category=Category.INCIDENT,
        )
    clock.now = msk(8, 20, 1)
    async with demo_uow_factory() as uow:
        lowered = await service.change_priority(
            uow, ticket.id or 0, Actor.staff(2001), Priority.HIGH, "не у всех, у одного"
        )
    assert lowered.priority is Priority.HIGH
    w = watcher(demo_uow_factory, service)
    start = await _last_id(demo_uow_factory)
    assert (await w.run_pass(msk(8, 20, 13))).alerts == 1  # 75 % of P1's 15 minutes
    sent = await _outbox(demo_uow_factory, start)
    assert any("до срока реакции" in m.get("text", "") for m in sent)
    assert (await w.run_pass(msk(8, 20, 16))).alerts == 1  # the reaction breach, that evening
