"""Monitoring alerts become incident tickets (``desk.alerts`` decides, this does).

Everything happens in the caller's unit of work -- one per HTTP request -- and every
message is an outbox row of it (ARCHITECTURE.md, invariant 2):

- a firing key opens an incident ticket of the client: the contract's severity map
  gives its priority, category monitoring, the summary as subject, the details on
  the card; owner, SLA, topic and card as any registration (``bot.services.intake``);
- a repeat of an open key adds a line to the topic at most once per ``repeat_every``;
- ``resolved`` says «восстановлено» in the topic and, per contract, resolves the
  ticket (silence then closes it) or asks its owner to;
- firing again while the ticket is resolved, or within ``reopen_within`` of its
  recovery once closed, reopens the same ticket (flapping makes no new one).

The requester is the client's monitoring (``desk.alerts.system_user_id``): a user
row no chat belongs to, so nothing is queued for it (``bot.outbox.enqueue``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot import texts
from bot.outbox import enqueue
from bot.services import csat, incidents, notify
from bot.services.actors import Actor
from bot.services.cards import render_card, text_overflows
from bot.services.tickets import TicketService
from desk.alerts import AlertRules, AlertStatus, Severity, Step, firing_step, system_user_id
from desk.enums import OPEN_STATUSES, Category
from desk.incidents import Origin
from desk.model import Ticket
from desk.timefmt import due_words
from storage.uow import UnitOfWork

REASON = "monitoring"  # the audit reason of what an alert does to its ticket


@dataclass(frozen=True)
class Alert:
    """One alert as the API received it (validated at the edge, ``bot.web.alerts``)."""

    key: str
    status: AlertStatus
    summary: str
    details: str = ""
    severity: Severity = Severity.WARNING
    source: str | None = None
    started_at: datetime | None = None
    url: str | None = None


@dataclass(frozen=True)
class Outcome:
    """The incident ticket (None: a recovery of a key never seen) and whether it is new."""

    ticket: str | None
    created: bool


async def receive(
    uow: UnitOfWork,
    svc: TicketService,
    client_code: str,
    alert: Alert,
    now: datetime,
    close_after_minutes: int,
) -> Outcome:
    """Apply one alert of ``client_code``'s monitoring."""
    terms = await svc.terms(uow, client_code)
    rules = (await uow.ops.terms_of(terms.contract.name)).alerts
    if alert.status is AlertStatus.FIRING:
        return await _fire(uow, svc, client_code, alert, rules, now)
    return await _recover(uow, svc, client_code, alert, rules, now, close_after_minutes)


async def _fire(
    uow: UnitOfWork,
    svc: TicketService,
    client_code: str,
    alert: Alert,
    rules: AlertRules,
    now: datetime,
) -> Outcome:
    state = await uow.alerts.get(client_code, alert.key)
    if state is None and not await uow.alerts.claim(client_code, alert.key, alert.source, now):
        # A request racing this one claimed the key and has committed its ticket.
        state = await uow.alerts.get(client_code, alert.key)
    ticket = None
    if state is not None:
        ticket = await uow.tickets.get_by_id(state.ticket_id, for_update=True)
    step = firing_step(state, ticket.status if ticket else None, now, rules)
    if step is Step.OPEN or ticket is None:
        ticket = await _open(uow, svc, client_code, alert, rules, now)
        await uow.alerts.record(client_code, alert.key, now=now, status=AlertStatus.FIRING,
            ticket_id=ticket.id,
        )  # fmt: skip
        return Outcome(ticket.number, True)
    moment = _moment(now, (await svc.terms(uow, client_code)).client.timezone)
    if step is Step.REPEAT:
        await notify.to_topic(uow, ticket, "alert_repeat", summary=alert.summary, moment=moment)
    elif step in (Step.REFIRE, Step.REOPEN):
        reopened = step is Step.REOPEN
        if reopened:
            was_closed = ticket.status in notify.TOPIC_CLOSED
            ticket = await svc.reopen(uow, ticket.number, Actor.system(), REASON)
            if was_closed:
                await notify.reopen_topic(uow, ticket)
            await notify.refresh_card(uow, ticket)
        owner = await notify.person(uow, ticket.owner_id)
        await notify.to_topic(
            uow, ticket, "alert_refired", summary=alert.summary, moment=moment,
            owner=owner, reopened=reopened,
        )  # fmt: skip
    await uow.alerts.record(client_code, alert.key, now=now, status=AlertStatus.FIRING,
        repeated=step is not Step.QUIET,
    )  # fmt: skip
    return Outcome(ticket.number, False)


async def _recover(
    uow: UnitOfWork,
    svc: TicketService,
    client_code: str,
    alert: Alert,
    rules: AlertRules,
    now: datetime,
    close_after_minutes: int,
) -> Outcome:
    state = await uow.alerts.get(client_code, alert.key)
    if state is None:
        return Outcome(None, False)  # nothing fired: nothing to recover
    ticket = await uow.tickets.get_by_id(state.ticket_id, for_update=True)
    if state.status is AlertStatus.RESOLVED:
        return Outcome(ticket.number, False)  # a retry of the recovery
    await uow.alerts.record(client_code, alert.key, now=now, status=AlertStatus.RESOLVED)
    was_open = ticket.status in OPEN_STATUSES
    resolve = was_open and rules.on_resolved.value == "resolve"
    if resolve:
        ticket = await svc.resolve(uow, ticket.number, Actor.system(), REASON)
        await notify.refresh_card(uow, ticket)
        await csat.ask(uow, ticket, now, close_after_minutes)  # silence closes it
        await incidents.resolved(uow, svc, ticket, now)  # its linked users are told
    terms = await svc.terms(uow, client_code)
    await notify.to_topic(
        uow, ticket, "alert_recovered", summary=alert.summary,
        moment=_moment(now, terms.client.timezone), resolved=resolve, asked=was_open,
        owner=await notify.person(uow, ticket.owner_id),
    )  # fmt: skip
    return Outcome(ticket.number, False)


async def _open(
    uow: UnitOfWork,
    svc: TicketService,
    client_code: str,
    alert: Alert,
    rules: AlertRules,
    now: datetime,
) -> Ticket:
    """Register the incident and queue its topic and card (as ``intake.register``)."""
    requester = system_user_id(client_code)
    name = texts.render("alert_requester")
    await uow.alerts.ensure_system_user(requester, client_code, name, now)
    text = texts.render(
        "alert_ticket_text",
        summary=alert.summary,
        details=alert.details.strip(),
        source=alert.source,
        key=alert.key,
        severity=alert.severity.value,
        started_at=alert.started_at.isoformat() if alert.started_at else None,
        url=alert.url,
    )
    ticket = await svc.create_ticket(
        uow,
        requester_id=requester,
        subject=alert.summary,
        text=text,
        priority=rules.priority(alert.severity),
        category=Category.MONITORING,
    )
    assert ticket.id is not None
    terms = await svc.terms(uow, client_code)
    team = terms.config.teams[terms.client.team]
    owner = terms.config.staff.get(ticket.owner_id)
    user = await uow.users.get(requester)
    card = render_card(ticket, terms.client, user, owner, None, routed=None, now=now)
    enqueue.open_topic(uow, team.chat_id, ticket.id, card)
    await notify.alert_p1(uow, svc, ticket, now)  # a critical alert calls the team on shift
    # users who write about it meanwhile are told it is known (bot.services.incidents)
    await incidents.declare(uow, ticket, Actor.system(), Origin.ALERT, now, announce=False)
    if text_overflows(text):
        html = texts.render("alert_details", text=text)
        enqueue.send(uow, team.chat_id, html, ticket_id=ticket.id, topic=True)
    return ticket


def _moment(now: datetime, timezone: str) -> str:
    return texts.render("moment_words", w=due_words(now, now, timezone))
