"""The SLA watcher: warnings, breaches with escalation, waiting reminders and
auto-resolution -- read from the database on every pass, no in-memory timers.

A pass has two steps:

1. *plan*: open tickets changed since they were last planned (or never
   planned) get their next alert moment computed (``desk.watch``) and stored
   in ``sla_watch`` -- in bulk, from plain columns;
2. *act*: tickets whose moment has come are handled one transaction each:
   the watch row is taken (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), each
   due alert is claimed in ``alerts_sent`` and its messages are written to
   the outbox in the same transaction -- so an alert goes out once, across
   restarts and instances -- and the next moment is stored.

Warnings and breaches go into the ticket's topic mentioning the owner; a
breach also goes to the team's lead chat (or mentions the lead in the
topic) and refreshes the card, whose due words then say the time is up.

Each alert, once its transaction committed, is counted (``bot.metrics``:
``supportdesk_sla_alerts_total`` by kind) and logged with its ticket's number.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot import keyboards, metrics, texts
from bot.outbox import enqueue
from bot.services import notify, reasons
from bot.services.actors import Actor
from bot.services.tickets import TicketService
from desk import sla
from desk.clock import BusinessClock, clock_of
from desk.config import DeskConfig
from desk.enums import Priority
from desk.model import Ticket
from desk.terms import ContractTerms
from desk.timefmt import due_words
from desk.watch import Alert, AlertKind, Plan, plan
from storage import ops
from storage.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PassResult:
    planned: int  # tickets whose next alert moment was (re)computed
    alerts: int  # alerts sent (claimed and written to the outbox)


@dataclass(frozen=True)
class _Terms:
    """What alerts of one client's tickets count on."""

    schedule: BusinessClock
    config: DeskConfig
    contract: str
    terms: ContractTerms

    def sla_clock(self, priority: Priority) -> BusinessClock:
        targets = self.config.contracts[self.contract].targets
        target = targets.get(priority) or sla.default_targets(self.schedule.day_minutes)[priority]
        return sla.clock_for(target, self.schedule)

    def plan(self, facts: ops.WatchFacts, now: datetime) -> Plan:
        """The ticket's alerts, on the clock of the priority its SLA is measured
        against (a P1 lowered to P2 under the "peak" basis keeps P1's 24/7 clock)."""
        measured = sla.measured_of(
            facts.priority, facts.initial_priority, facts.peak_priority, self.terms.sla_basis
        )
        clock = self.sla_clock(measured)
        return plan(facts.sla, facts.status, now, clock, self.schedule, self.terms.watch)


class Watcher:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        tickets: TicketService,
        *,
        autoclose_minutes: int,
        batch: int = 1000,  # tickets planned per transaction: short write locks on SQLite
    ) -> None:
        self._uow = uow
        self._tickets = tickets
        self._autoclose = autoclose_minutes
        self._batch = batch

    async def run_pass(self, now: datetime) -> PassResult:
        async with self._uow() as uow:
            terms = await _load_terms(uow)
        planned = await self.plan_changed(now, terms)
        alerts = 0
        async with self._uow() as uow:
            due = await uow.ops.due_watches(now)
        for ticket_id in due:
            fired: list[tuple[str, str]] = []  # (kind, ticket number), told once committed
            try:
                async with self._uow() as uow:
                    alerts += await self._act(uow, ticket_id, now, terms, fired)
                metrics.sla_alerts(kind for kind, _ in fired)
                for kind, number in fired:
                    log.info("SLA %s of %s", kind, number, extra={"ticket": number})
            except Exception:  # one ticket's failure must not stop the others
                log.exception("SLA watcher: ticket %s failed; retried on the next pass", ticket_id)
        return PassResult(planned, alerts)

    async def plan_changed(self, now: datetime, terms: dict[str, _Terms]) -> int:
        """Store the next alert moment of every open ticket changed since it was planned."""
        total, after = 0, 0
        while True:
            async with self._uow() as uow:
                facts = await uow.ops.stale_watches(after, self._batch)
                if not facts:
                    return total
                sent = await uow.ops.sent_keys_for([f.ticket_id for f in facts])
                rows = []
                for f in facts:
                    p = terms[f.client_code].plan(f, now)
                    rows.append(
                        {
                            "ticket_id": f.ticket_id,
                            "seen_updated_at": f.updated_at,
                            "next_at": p.next_at(sent.get(f.ticket_id, frozenset())),
                        }
                    )
                await uow.ops.put_watches(rows)
            total += len(facts)
            after = facts[-1].ticket_id

    async def _act(
        self,
        uow: UnitOfWork,
        ticket_id: int,
        now: datetime,
        by_client: dict[str, _Terms],
        fired: list[tuple[str, str]],
    ) -> int:
        if not await uow.ops.lock_due(ticket_id, now):
            return 0  # another instance has it, or it was handled meanwhile
        facts = await uow.ops.watch_facts(ticket_id)
        if facts is None:
            return 0
        terms = by_client[facts.client_code]
        p = terms.plan(facts, now)
        sent = set(await uow.ops.sent_keys(ticket_id))
        count, changed = 0, False
        for alert in p.due(now, frozenset(sent)):
            if not await uow.ops.claim_alert(ticket_id, alert.key, now):
                continue
            sent.add(alert.key)
            ticket = await uow.tickets.get_by_id(ticket_id)
            await self._announce(uow, ticket, alert, p, terms, now)
            fired.append((alert.kind.value, ticket.number))
            changed = changed or alert.kind is AlertKind.RESOLVE
            count += 1
        if not changed:  # a ticket the watcher resolved is planned anew from its new state
            await uow.ops.set_next(ticket_id, facts.updated_at, p.next_at(frozenset(sent)))
        return count

    async def _announce(
        self,
        uow: UnitOfWork,
        ticket: Ticket,
        alert: Alert,
        p: Plan,
        terms: _Terms,
        now: datetime,
    ) -> None:
        if alert.kind is AlertKind.REMIND:
            resolve_at = next((a.at for a in p.alerts if a.kind is AlertKind.RESOLVE), None)
            client = await uow.directory.client(ticket.client_code)
            resolve = None if resolve_at is None else due_words(resolve_at, now, client.timezone)
            notify.to_user(uow, ticket, "watch_remind_user", resolve=resolve)
        elif alert.kind is AlertKind.RESOLVE:
            await self._auto_resolve(uow, ticket, alert, terms, now)
        else:
            await _sla_alert(uow, ticket, alert, now, terms.config)

    async def _auto_resolve(
        self, uow: UnitOfWork, ticket: Ticket, alert: Alert, terms: _Terms, now: datetime
    ) -> None:
        assert ticket.id is not None
        ticket_id = ticket.id
        ticket = await self._tickets.resolve(
            uow, ticket_id, Actor.system(), reasons.NO_ANSWER_WAITING
        )
        client = await uow.directory.client(ticket.client_code)
        close_at = terms.schedule.due(now, self._autoclose)
        await uow.drafts.ask_resolution(ticket_id, now, close_at)
        notify.to_user(
            uow,
            ticket,
            "resolved_ask",
            markup=keyboards.resolved(ticket_id),
            comment=texts.render("watch_auto_resolved_note"),
            close_words=texts.render("moment_words", w=due_words(close_at, now, client.timezone)),
        )
        await notify.to_topic(uow, ticket, "watch_auto_resolved_staff", waited=alert.spent_minutes)
        await notify.refresh_card(uow, ticket)


async def _sla_alert(
    uow: UnitOfWork, ticket: Ticket, alert: Alert, now: datetime, config: DeskConfig
) -> None:
    """A warning or a breach in the topic; a breach also reaches the lead.

    Names and chats come from the directory snapshot of this pass (``config``):
    the alert's transaction only touches the ticket's own rows.
    """
    assert ticket.id is not None
    client = config.clients[ticket.client_code]
    team = config.teams[client.team]
    context = {
        "number": ticket.number,
        "owner": _person(config, ticket.owner_id),
        "target": alert.target,
        "spent": alert.spent_minutes,
        "limit": alert.target_minutes,
    }
    if alert.kind is AlertKind.WARN:
        limit = alert.target_minutes or 1
        share = min(100, round(100 * alert.spent_minutes / limit))
        due = None if alert.due is None else due_words(alert.due, now, client.timezone)
        html = texts.render("watch_warn", share=share, due=due, **context)
        enqueue.send(uow, team.chat_id, html, ticket_id=ticket.id, topic=True)
        return
    lead = None if team.lead is None else _person(config, team.lead)
    in_topic_lead = lead if team.lead_chat_id is None else None
    html = texts.render("watch_breach", lead=in_topic_lead, **context)
    enqueue.send(uow, team.chat_id, html, ticket_id=ticket.id, topic=True)
    if team.lead_chat_id is not None:
        html = texts.render(
            "watch_lead_breach",
            priority=int(ticket.priority),
            client=client.name,
            subject=ticket.subject,
            **context,
        )
        enqueue.send(uow, team.lead_chat_id, html, ticket_id=ticket.id)
    await uow.audit.append(
        ticket_id=ticket.id,
        actor=str(Actor.system()),
        at=now,
        what="sla breach",
        old=None,
        new=alert.target,
        reason=reasons.sla_spent(alert.target_minutes, alert.spent_minutes),
    )
    enqueue.refresh(uow, team.chat_id, ticket.id)  # the card's due words turn "overdue"


@dataclass(frozen=True)
class _Person:
    id: int | None
    name: str


def _person(config: DeskConfig, telegram_id: int) -> _Person:
    staff = config.staff.get(telegram_id)
    return _Person(telegram_id, staff.name if staff else str(telegram_id))


async def _load_terms(uow: UnitOfWork) -> dict[str, _Terms]:
    config = await uow.directory.load()
    by_client = await uow.ops.client_terms()
    result = {}
    for code, client in config.clients.items():
        contract = config.contracts[client.contract]
        schedule = clock_of(config.schedules[contract.schedule])
        result[code] = _Terms(schedule, config, contract.name, by_client.get(code, ContractTerms()))
    return result
