"""The ticket service: every change to a ticket, with its SLA and audit event.

Each method works in the caller's unit of work (one transaction): it loads
the ticket locked for change, re-checks the actor (``permissions``) and the
status transition (``desk.enums.check_transition``), applies the SLA rules of
``desk.sla`` and appends a hash-chained audit event. A ticket is named by its
id or its number (``"DEMO-12"``, any case).

A ticket keeps its priority at registration and the highest it ever had; its
SLA counts against the one the contract chooses (``[contracts.NAME.sla]
measure``, ``desk.sla.measured_priority``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from bot import metrics
from bot.services import ticket_events
from bot.services.actors import Actor
from bot.services.permissions import Action, authorize, team_member
from bot.services.ticket_terms import DirectoryCache, Terms, TicketRef, find_ticket
from desk import sla
from desk.assignment import Candidate, choose_owner, load_of
from desk.clock import clock_of
from desk.enums import PAUSED_STATUSES, Category, Priority, Status, check_transition
from desk.errors import NotAllowed
from desk.model import SlaState, SlaTarget, Ticket
from desk.numbering import format_number
from desk.terms import SlaBasis
from storage.uow import UnitOfWork

__all__ = ["TicketRef", "TicketService", "utc_now"]

SUBJECT_LIMIT = 200  # tickets.subject is String(200)


def utc_now() -> datetime:
    return datetime.now(UTC)


class TicketService:
    """Build one per application: it caches the directory (``DirectoryCache``)."""

    def __init__(self, now: Callable[[], datetime] = utc_now) -> None:
        self._now = now
        self._cache = DirectoryCache()

    async def terms(self, uow: UnitOfWork, client_code: str) -> Terms:
        """A client's terms and the whole directory (cached per config version)."""
        return await self._cache.terms(uow, client_code)

    # -- creation --------------------------------------------------------------

    async def create_ticket(
        self,
        uow: UnitOfWork,
        *,
        requester_id: int,
        reply_chat: int | None = None,
        subject: str,
        text: str,
        priority: Priority,
        category: Category,
        target: SlaTarget | None = None,
    ) -> Ticket:
        """Register a request of a bound user: number, owner, SLA and audit, at once.
        ``target``: the request type's own targets instead of the priority's."""
        user = await uow.users.get(requester_id)
        if user is None:
            raise NotAllowed(f"user {requester_id} is not bound to a client")
        now = self._now()
        terms = await self.terms(uow, user.client_code)
        owner = await self._choose_owner(uow, terms, now)
        number = format_number(user.client_code, await uow.counters.next_number(user.client_code))
        target = target or terms.target(priority)
        ticket = await uow.tickets.add(
            Ticket(
                id=None,
                number=number,
                client_code=user.client_code,
                requester_id=requester_id,
                subject=_subject(subject, text),
                text=text,
                priority=priority,
                category=category,
                status=Status.NEW,
                owner_id=owner,
                created_at=now,
                sla=sla.start(now, target, sla.clock_for(target, terms.clock)),
                initial_priority=priority,
                peak_priority=priority,
                reply_chat=reply_chat,
            ),
            now,
        )
        summary = {
            "number": number,
            "priority": int(priority),
            "category": category.value,
            "owner": owner,
            "reaction_due": ticket_events.iso(ticket.sla.reaction_due if ticket.sla else None),
            "resolution_due": ticket_events.iso(ticket.sla.resolution_due if ticket.sla else None),
        }
        await ticket_events.record(
            uow, ticket, Actor.user(requester_id), now, "created", None, summary
        )
        metrics.ticket_registered(uow.session, int(priority))
        return ticket

    async def _choose_owner(self, uow: UnitOfWork, terms: Terms, now: datetime) -> int:
        config = terms.config
        team = config.teams[terms.client.team]
        staff = sorted(
            (s for s in config.staff.values() if s.team == team.name and s.active),
            key=lambda s: s.telegram_id,
        )
        load = await uow.tickets.team_load(team.name)
        shifts = {s.shift for s in staff if s.shift is not None}
        on_shift = {name: clock_of(config.schedules[name]).is_working(now) for name in shifts}
        candidates = [
            Candidate(
                telegram_id=s.telegram_id,
                line=s.line,
                on_shift=on_shift[s.shift] if s.shift is not None else terms.clock.is_working(now),
                load=load_of(load.get(s.telegram_id, {})),
            )
            for s in staff
        ]
        return await uow.counters.advance_cursor(
            team.name, lambda last: choose_owner(candidates, now, last, team.duty)
        )

    # -- status ----------------------------------------------------------------

    async def change_status(
        self,
        uow: UnitOfWork,
        ref: TicketRef,
        actor: Actor,
        status: Status,
        reason: str | None = None,
    ) -> Ticket:
        """Move the ticket to ``status``: an illegal move raises ``IllegalTransition``.

        The SLA follows: WAITING (and APPROVAL) pauses it, leaving it resumes it,
        RESOLVED records the resolution, reopening a resolved ticket restarts
        its resolution clock, ROUTED_OUT and CANCELLED stop it.
        """
        ticket, terms = await self._load(uow, ref)
        check_transition(ticket.status, status)
        await authorize(uow, actor, ticket, terms.client, Action.STATUS, status)
        now = self._now()
        clock = terms.clock_for(await self._measured(uow, ticket, terms))
        state = ticket.sla or SlaState(None, None)
        if ticket.status in PAUSED_STATUSES:
            state = sla.resume(state, now, clock)
        if status in PAUSED_STATUSES or status in (Status.ROUTED_OUT, Status.CANCELLED):
            state = sla.pause(state, now)
        elif status is Status.RESOLVED:
            state = sla.record_resolution(state, now, clock)
        elif status is Status.CLOSED:
            pass  # closing (confirmed or silent) keeps the resolution as recorded
        elif ticket.status in (Status.RESOLVED, Status.CLOSED):
            state = sla.reopen(state, now, clock)
        elif ticket.status in (Status.ROUTED_OUT, Status.CANCELLED):
            state = sla.resume(state, now, clock)
        changed = replace(ticket, status=status, sla=state)
        return await self._save(uow, ticket, changed, actor, now, "status", reason)

    async def take(self, uow: UnitOfWork, ref: TicketRef, actor: Actor) -> Ticket:
        """A consultant takes the ticket: it becomes theirs and in progress."""
        ticket = await self.assign(uow, ref, actor, _staff_id(actor))
        if ticket.status is Status.NEW:
            ticket = await self.change_status(uow, ticket.number, actor, Status.IN_PROGRESS)
        return ticket

    async def pause(
        self, uow: UnitOfWork, ref: TicketRef, actor: Actor, reason: str | None = None
    ) -> Ticket:
        """Wait for the customer (the SLA clock stops)."""
        return await self.change_status(uow, ref, actor, Status.WAITING, reason)

    async def resume(
        self, uow: UnitOfWork, ref: TicketRef, actor: Actor, reason: str | None = None
    ) -> Ticket:
        """Back in progress after waiting (the SLA due moments move on)."""
        return await self.change_status(uow, ref, actor, Status.IN_PROGRESS, reason)

    async def resolve(
        self, uow: UnitOfWork, ref: TicketRef, actor: Actor, reason: str | None = None
    ) -> Ticket:
        return await self.change_status(uow, ref, actor, Status.RESOLVED, reason)

    async def close(
        self, uow: UnitOfWork, ref: TicketRef, actor: Actor, reason: str | None = None
    ) -> Ticket:
        """Close a resolved ticket (the user confirms, or silence closes it)."""
        return await self.change_status(uow, ref, actor, Status.CLOSED, reason)

    async def reopen(
        self, uow: UnitOfWork, ref: TicketRef, actor: Actor, reason: str | None = None
    ) -> Ticket:
        return await self.change_status(uow, ref, actor, Status.IN_PROGRESS, reason)

    async def route_out(self, uow: UnitOfWork, ref: TicketRef, actor: Actor, where: str) -> Ticket:
        """Out of scope: handed to ``where`` (e.g. a contact from the contract)."""
        return await self.change_status(uow, ref, actor, Status.ROUTED_OUT, where)

    # -- other fields ----------------------------------------------------------

    async def change_priority(
        self,
        uow: UnitOfWork,
        ref: TicketRef,
        actor: Actor,
        priority: Priority,
        reason: str | None = None,
    ) -> Ticket:
        """A new priority, recorded with who, when and ``reason``.

        The ticket's highest priority follows; the SLA gets new targets from
        now on (the business time already spent counts) only if the priority it
        is measured against changed: under the default basis lowering a P1 to
        P2 keeps the P1 due times.
        """
        ticket, terms = await self._load(uow, ref)
        await authorize(uow, actor, ticket, terms.client, Action.PRIORITY)
        if priority is ticket.priority:
            return ticket
        now = self._now()
        changed = replace(
            ticket,
            priority=priority,
            initial_priority=ticket.registered_priority,
            peak_priority=min(ticket.highest_priority, priority),
        )
        basis = await self._basis(uow, terms)
        was, measured = sla.measured_priority(ticket, basis), sla.measured_priority(changed, basis)
        if measured is not was:
            old, new = terms.target(was), terms.target(measured)
            changed.sla = sla.change_priority(
                ticket.sla or SlaState(None, None), now, old, new, terms.clock
            )
        return await self._save(uow, ticket, changed, actor, now, "priority", reason)

    async def measured_priority(self, uow: UnitOfWork, ticket: Ticket) -> Priority:
        """The priority ``ticket``'s SLA counts against under its contract."""
        return await self._measured(uow, ticket, await self.terms(uow, ticket.client_code))

    async def change_category(
        self,
        uow: UnitOfWork,
        ref: TicketRef,
        actor: Actor,
        category: Category,
        reason: str | None = None,
    ) -> Ticket:
        ticket, terms = await self._load(uow, ref)
        await authorize(uow, actor, ticket, terms.client, Action.CATEGORY)
        if category is ticket.category:
            return ticket
        changed = replace(ticket, category=category)
        return await self._save(uow, ticket, changed, actor, self._now(), "category", reason)

    async def assign(
        self,
        uow: UnitOfWork,
        ref: TicketRef,
        actor: Actor,
        owner_id: int,
        reason: str | None = None,
    ) -> Ticket:
        """Hand the ticket to ``owner_id``, an active staff member of the same team."""
        ticket, terms = await self._load(uow, ref)
        await authorize(uow, actor, ticket, terms.client, Action.ASSIGN)
        await team_member(uow, owner_id, terms.client.team)
        if owner_id == ticket.owner_id:
            return ticket
        changed = replace(ticket, owner_id=owner_id)
        return await self._save(uow, ticket, changed, actor, self._now(), "owner", reason)

    async def escalate(
        self,
        uow: UnitOfWork,
        ref: TicketRef,
        actor: Actor,
        reason: str | None = None,
        *,
        on: bool = True,
    ) -> Ticket:
        """Involve line 2 (``on=False`` takes it back); a flag, not a status."""
        ticket, terms = await self._load(uow, ref)
        await authorize(uow, actor, ticket, terms.client, Action.ESCALATE)
        if ticket.escalated is on:
            return ticket
        changed = replace(ticket, escalated=on)
        return await self._save(uow, ticket, changed, actor, self._now(), "escalated", reason)

    async def record_reaction(self, uow: UnitOfWork, ref: TicketRef, actor: Actor) -> Ticket:
        """The first public staff answer; later answers change nothing."""
        ticket, terms = await self._load(uow, ref)
        await authorize(uow, actor, ticket, terms.client, Action.REACTION)
        state = ticket.sla or SlaState(None, None)
        if state.reacted_at is not None:
            return ticket
        now = self._now()
        clock = terms.clock_for(await self._measured(uow, ticket, terms))
        state = sla.record_reaction(state, now, clock)
        changed = replace(ticket, sla=state)
        return await self._save(uow, ticket, changed, actor, now, "reaction", None)

    # -- reading -----------------------------------------------------------------

    async def get(self, uow: UnitOfWork, ref: TicketRef) -> Ticket:
        """The ticket (not locked); ``NotFound`` for an unknown id or number."""
        return await find_ticket(uow, ref, for_update=False)

    # -- internals ---------------------------------------------------------------

    async def _load(self, uow: UnitOfWork, ref: TicketRef) -> tuple[Ticket, Terms]:
        ticket = await find_ticket(uow, ref, for_update=True)
        return ticket, await self._cache.terms(uow, ticket.client_code)

    async def _basis(self, uow: UnitOfWork, terms: Terms) -> SlaBasis:
        return (await uow.ops.terms_of(terms.contract.name)).sla_basis

    async def _measured(self, uow: UnitOfWork, ticket: Ticket, terms: Terms) -> Priority:
        return sla.measured_priority(ticket, await self._basis(uow, terms))

    async def _save(
        self,
        uow: UnitOfWork,
        before: Ticket,
        after: Ticket,
        actor: Actor,
        now: datetime,
        what: str,
        reason: str | None,
    ) -> Ticket:
        await uow.tickets.save(after, now)
        old, new = ticket_events.field(before, what), ticket_events.field(after, what)
        await ticket_events.record(uow, after, actor, now, what, old, new, reason)
        return after


def _subject(subject: str, text: str) -> str:
    """The subject as given, else the text's first line; cut to the column's size."""
    source = subject.strip() or text.strip()
    line = source.splitlines()[0].strip() if source else ""
    return line if len(line) <= SUBJECT_LIMIT else line[: SUBJECT_LIMIT - 1] + "…"


def _staff_id(actor: Actor) -> int:
    if actor.telegram_id is None:
        raise NotAllowed(f"{actor} cannot take a ticket")
    return actor.telegram_id
