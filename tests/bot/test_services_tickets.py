"""The ticket service on real databases: numbers, owners, SLA, permissions, audit."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services.actors import Actor
from bot.services.tickets import TicketService
from desk.enums import Category, Priority, Status
from desk.errors import IllegalTransition, NotAllowed, NotFound
from desk.model import Ticket
from storage.uow import UnitOfWork, UnitOfWorkFactory

MSK = ZoneInfo("Europe/Moscow")
USER = Actor.user(1001)
ANNA, BORIS = Actor.staff(2001), Actor.staff(2002)


class FakeClock:
    """The service's notion of now, moved by the test."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def to(self, moment: datetime) -> None:
        self.now = moment


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 5, 5, 10, 0, tzinfo=MSK))  # a Tuesday, a working day


@pytest.fixture
def service(clock: FakeClock) -> TicketService:
    return TicketService(now=clock)


async def _create(
    factory: UnitOfWorkFactory, service: TicketService, priority: Priority = Priority.MEDIUM
) -> Ticket:
    async with factory() as uow:
        return await service.create_ticket(
            uow,
            requester_id=1001,
            subject="Не проводится реализация",
            text="Не проводится реализация: ошибка при записи",
            priority=priority,
            category=Category.INCIDENT,
        )


async def _events(
    factory: UnitOfWorkFactory, ticket: Ticket
) -> list[tuple[str, str | None, str | None]]:
    assert ticket.id is not None
    async with factory() as uow:
        return [(e.what, e.old, e.new) for e in await uow.audit.for_ticket(ticket.id)]


async def test_a_new_ticket_gets_number_owner_due_times_and_audit(
    demo_uow_factory: UnitOfWorkFactory, service: TicketService
) -> None:
    """Registration gives DEMO-1, an owner on shift, the P3 due times in business
    time of the contract (09-18, lunch 13-14) and a 'created' audit event."""
    ticket = await _create(demo_uow_factory, service)
    assert ticket.number == "DEMO-1"
    assert ticket.status is Status.NEW
    assert ticket.owner_id in (2001, 2002)
    assert ticket.sla is not None
    assert ticket.sla.reaction_due == datetime(2026, 5, 5, 11, 0, tzinfo=MSK)
    assert ticket.sla.resolution_due == datetime(2026, 5, 6, 10, 0, tzinfo=MSK)
    async with demo_uow_factory() as uow:
        stored = await service.get(uow, "demo-1")
    assert stored == ticket
    assert [what for what, _, _ in await _events(demo_uow_factory, ticket)] == ["created"]


async def test_owners_are_the_least_loaded_weighted_by_priority(
    demo_uow_factory: UnitOfWorkFactory, service: TicketService
) -> None:
    """A P1 weighs more than two P3s: after a P1 to one consultant, the next
    two P3 tickets go to the other one."""
    first = await _create(demo_uow_factory, service, Priority.CRITICAL)
    second = await _create(demo_uow_factory, service)
    third = await _create(demo_uow_factory, service)
    assert second.owner_id != first.owner_id
    assert third.owner_id == second.owner_id


async def test_equal_load_is_shared_round_robin(
    demo_uow_factory: UnitOfWorkFactory, service: TicketService
) -> None:
    """With equal load the consultants take turns."""
    owners = [(await _create(demo_uow_factory, service)).owner_id for _ in range(4)]
    assert owners in ([2001, 2002, 2001, 2002], [2002, 2001, 2002, 2001])


async def test_concurrent_registrations_get_distinct_numbers(
    demo_uow_factory: UnitOfWorkFactory, service: TicketService
) -> None:
    """20 requests registered at once get DEMO-1 .. DEMO-20, each once."""
    tickets = await asyncio.gather(*(_create(demo_uow_factory, service) for _ in range(20)))
    assert sorted(t.number for t in tickets) == sorted(f"DEMO-{n}" for n in range(1, 21))


async def test_an_unbound_user_cannot_register(
    demo_uow_factory: UnitOfWorkFactory, service: TicketService
) -> None:
    """A Telegram user not bound to a client by an invite gets NotAllowed, and
    no number is used up."""
    with pytest.raises(NotAllowed):
        async with demo_uow_factory() as uow:
            await service.create_ticket(
                uow,
                requester_id=4242,
                subject="x",
                text="x",
                priority=Priority.MEDIUM,
                category=Category.INCIDENT,
            )
    assert (await _create(demo_uow_factory, service)).number == "DEMO-1"


async def test_an_illegal_transition_changes_nothing(
    demo_uow_factory: UnitOfWorkFactory, service: TicketService
) -> None:
    """NEW -> CLOSED is refused with IllegalTransition; status and audit stay."""
    ticket = await _create(demo_uow_factory, service)
    with pytest.raises(IllegalTransition):
        async with demo_uow_factory() as uow:
            await service.change_status(uow, ticket.number, ANNA, Status.CLOSED)
    async with demo_uow_factory() as uow:
        assert (await service.get(uow, ticket.number)).status is Status.NEW
    assert len(await _events(demo_uow_factory, ticket)) == 1


async def test_waiting_for_the_customer_pauses_the_sla(
    demo_uow_factory: UnitOfWorkFactory, service: TicketService, clock: FakeClock
) -> None:
    """Two business hours spent waiting move the resolution due two business hours on."""
    ticket = await _create(demo_uow_factory, service)
    clock.to(datetime(2026, 5, 5, 10, 30, tzinfo=MSK))
    async with demo_uow_factory() as uow:
        waiting = await service.pause(uow, ticket.number, ANNA, "нужна выгрузка")
    clock.to(datetime(2026, 5, 5, 15, 30, tzinfo=MSK))  # 10:30-13:00 + 14:00-15:30 = 4 h
    async with demo_uow_factory() as uow:
        resumed = await service.resume(uow, ticket.number, USER)
    assert waiting.status is Status.WAITING
    assert resumed.status is Status.IN_PROGRESS
    assert resumed.sla is not None
    # 8 business hours from Tue 10:00 was Wed 10:00; plus the 4 waited hours: Wed 15:00.
    assert resumed.sla.resolution_due == datetime(2026, 5, 6, 15, 0, tzinfo=MSK)
    events = await _events(demo_uow_factory, ticket)
    assert events[1:] == [("status", "new", "waiting"), ("status", "waiting", "in_progress")]


async def test_a_priority_change_counts_the_time_spent(
    demo_uow_factory: UnitOfWorkFactory, service: TicketService, clock: FakeClock
) -> None:
    """P3 -> P2 after 10 business minutes: P2's 30 min reaction and 4 h
    resolution less the 10 minutes already spent."""
    ticket = await _create(demo_uow_factory, service)
    clock.to(datetime(2026, 5, 5, 10, 10, tzinfo=MSK))
    async with demo_uow_factory() as uow:
        changed = await service.change_priority(uow, ticket.number, ANNA, Priority.HIGH, "отгрузка")
    assert changed.sla is not None
    assert changed.sla.reaction_due == datetime(2026, 5, 5, 10, 30, tzinfo=MSK)
    assert changed.sla.resolution_due == datetime(2026, 5, 5, 15, 0, tzinfo=MSK)
    assert (await _events(demo_uow_factory, ticket))[-1] == ("priority", "3", "2")


async def test_staff_outside_the_team_and_other_users_are_refused(
    demo_uow_factory: UnitOfWorkFactory, service: TicketService
) -> None:
    """Someone who is not staff of the client's team, or a user who did not
    write the ticket, can change nothing."""
    ticket = await _create(demo_uow_factory, service)
    for stranger in (Actor.staff(9999), Actor.user(1002)):
        with pytest.raises(NotAllowed):
            async with demo_uow_factory() as uow:
                await service.change_status(uow, ticket.number, stranger, Status.IN_PROGRESS)
        with pytest.raises(NotAllowed):
            async with demo_uow_factory() as uow:
                await service.change_priority(uow, ticket.number, stranger, Priority.HIGH)


async def test_the_requester_may_fix_priority_only_while_new(
    demo_uow_factory: UnitOfWorkFactory, service: TicketService
) -> None:
    """The user changes the guessed priority right after registration, but not
    once a consultant has taken the ticket."""
    ticket = await _create(demo_uow_factory, service)
    async with demo_uow_factory() as uow:
        assert (
            await service.change_priority(uow, ticket.number, USER, Priority.LOW)
        ).priority is Priority.LOW
        await service.take(uow, ticket.number, ANNA)
    with pytest.raises(NotAllowed):
        async with demo_uow_factory() as uow:
            await service.change_priority(uow, ticket.number, USER, Priority.HIGH)


async def test_resolve_confirm_and_reopen(
    demo_uow_factory: UnitOfWorkFactory, service: TicketService, clock: FakeClock
) -> None:
    """Staff resolve; the user may not resolve, but confirms (closed) -- and
    staff may reopen a closed ticket, whose resolution clock runs again."""
    ticket = await _create(demo_uow_factory, service)
    with pytest.raises(NotAllowed):
        async with demo_uow_factory() as uow:
            await service.resolve(uow, ticket.number, USER)
    clock.to(datetime(2026, 5, 5, 11, 0, tzinfo=MSK))
    async with demo_uow_factory() as uow:
        resolved = await service.resolve(uow, ticket.number, ANNA, "перепровели документ")
        closed = await service.close(uow, ticket.number, USER)
        reopened = await service.reopen(uow, ticket.number, BORIS, "ошибка вернулась")
    assert resolved.sla is not None
    assert resolved.sla.resolution_minutes == 60
    assert closed.status is Status.CLOSED
    assert closed.sla is not None
    assert closed.sla.resolved_at == resolved.sla.resolved_at  # closing keeps it for reports
    assert closed.sla.resolution_minutes == 60
    assert reopened.status is Status.IN_PROGRESS
    assert reopened.sla is not None
    assert reopened.sla.resolved_at is None


async def test_assign_escalate_and_reaction_are_audited_once(
    demo_uow_factory: UnitOfWorkFactory, service: TicketService
) -> None:
    """Reassigning to a team member, escalating to line 2 and the first answer
    each leave one event; repeating them changes nothing; a non-member cannot
    become the owner."""
    ticket = await _create(demo_uow_factory, service)
    other = 2002 if ticket.owner_id == 2001 else 2001
    async with demo_uow_factory() as uow:
        for _ in range(2):
            await service.assign(uow, ticket.number, ANNA, other, "отпуск")
            await service.escalate(uow, ticket.number, ANNA, "расхождение НУ и БУ")
            await service.record_reaction(uow, ticket.number, Actor.staff(other))
    with pytest.raises(NotAllowed):
        async with demo_uow_factory() as uow:
            await service.assign(uow, ticket.number, ANNA, 9999)
    events = await _events(demo_uow_factory, ticket)
    assert [what for what, _, _ in events] == ["created", "owner", "escalated", "reaction"]
    assert events[1] == ("owner", str(ticket.owner_id), str(other))
    assert events[2] == ("escalated", "false", "true")


async def test_route_out_keeps_where_it_went(
    demo_uow_factory: UnitOfWorkFactory, service: TicketService
) -> None:
    """Routing out of scope records the recipient as the event's reason."""
    ticket = await _create(demo_uow_factory, service)
    async with demo_uow_factory() as uow:
        routed = await service.route_out(uow, ticket.id or 0, ANNA, "ИТ-служба клиента")
        events = await uow.audit.for_ticket(ticket.id or 0)
    assert routed.status is Status.ROUTED_OUT
    assert (events[-1].what, events[-1].reason) == ("status", "ИТ-служба клиента")


async def test_unknown_tickets_are_not_found(
    demo_uow_factory: UnitOfWorkFactory, service: TicketService
) -> None:
    """A number that does not exist, or is not a number at all, is NotFound."""
    for ref in ("DEMO-77", "не номер", 12345):
        with pytest.raises(NotFound):
            async with demo_uow_factory() as uow:
                await service.get(uow, ref)


async def test_the_chain_stays_intact_through_a_ticket_life(
    demo_uow_factory: UnitOfWorkFactory, service: TicketService, clock: FakeClock
) -> None:
    """After a ticket's whole life the audit chain verifies."""
    ticket = await _create(demo_uow_factory, service)
    async with demo_uow_factory() as uow:
        await service.take(uow, ticket.number, BORIS)
        clock.to(clock.now + timedelta(minutes=20))
        await service.record_reaction(uow, ticket.number, BORIS)
        await service.resolve(uow, ticket.number, BORIS)
        await service.close(uow, ticket.number, Actor.system(), "нет ответа 3 рабочих дня")
        assert await uow.audit.verify() == []


async def _load_as_counted(factory: UnitOfWorkFactory) -> dict[int, dict[Priority, int]]:
    """What a count over the open tickets gives (the truth the kept load must match)."""
    counted: dict[int, dict[Priority, int]] = {2001: {}, 2002: {}}
    async with factory() as uow:
        for t in await uow.tickets.list(open_only=True, limit=1000):
            counted[t.owner_id][t.priority] = counted[t.owner_id].get(t.priority, 0) + 1
    return counted


def _other(owner: int) -> int:
    return 2001 if owner == 2002 else 2002


async def _load_kept(factory: UnitOfWorkFactory) -> dict[int, dict[Priority, int]]:
    async with factory() as uow:
        kept = await uow.tickets.team_load("demo")
    return {owner: kept.get(owner, {}) for owner in (2001, 2002)}


async def test_owner_load_follows_every_change_of_status_owner_and_priority(
    demo_uow_factory: UnitOfWorkFactory, service: TicketService
) -> None:
    """The load kept for choosing owners equals a count over the open tickets after
    registrations, a priority change, a reassignment, waiting, resolving, closing,
    reopening and routing out."""
    tickets = [await _create(demo_uow_factory, service) for _ in range(4)]
    steps: list[Callable[[UnitOfWork], Awaitable[Ticket]]] = [
        lambda uow: service.change_priority(uow, tickets[0].number, ANNA, Priority.CRITICAL, "все"),
        lambda uow: service.assign(uow, tickets[1].number, BORIS, _other(tickets[1].owner_id)),
        lambda uow: service.pause(uow, tickets[2].number, ANNA, "ждём выгрузку"),
        lambda uow: service.resolve(uow, tickets[3].number, ANNA, "перепровели"),
        lambda uow: service.close(uow, tickets[3].number, ANNA),
        lambda uow: service.reopen(uow, tickets[3].number, ANNA),
        lambda uow: service.route_out(uow, tickets[2].number, ANNA, "ИТ клиента"),
    ]
    assert await _load_kept(demo_uow_factory) == await _load_as_counted(demo_uow_factory)
    for step in steps:
        async with demo_uow_factory() as uow:
            await step(uow)
        assert await _load_kept(demo_uow_factory) == await _load_as_counted(demo_uow_factory)
    kept = await _load_kept(demo_uow_factory)
    assert sum(n for by_priority in kept.values() for n in by_priority.values()) == 3
