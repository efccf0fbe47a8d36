"""Approvals by the client's approvers: of a request when its form is sent, of a
functional design when a consultant attaches it (``/design``).

While a round is pending the ticket is in status ``approval`` (its SLA paused). The
approvers get a private message with «Согласовать» / «Отклонить» (a refusal asks why);
only people the config names for the ticket's client may decide, never the requester
(``desk.catalogue.may_decide``; every press is re-checked here). The decision is in the
audit trail, on the card, told to the user and in the topic. A round nobody answers is
reminded after the type's ``remind_after`` and brought to the client's managers after
``escalate_after`` (``remind_due``, run by the SLA job). People are written to through
``to_person``, the one place that knows how to reach a client's person.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from aiogram.types import InlineKeyboardMarkup

from bot import keyboards, texts
from bot.outbox import enqueue
from bot.services import notify, ticket_events
from bot.services.actors import Actor
from bot.services.catalogue_card import person_name
from bot.services.ticket_terms import Terms
from bot.services.tickets import TicketService
from desk.catalogue import (
    Approval,
    Catalogue,
    ClientPeople,
    RequestType,
    Verdict,
    asked_first,
    may_decide,
    start_resolution,
    verdict,
)
from desk.enums import OPEN_STATUSES, Status
from desk.errors import NotAllowed
from desk.model import Ticket
from storage.catalogue import ApprovalRecord
from storage.uow import UnitOfWork

REASON_WAIT = "refuse:"  # what the bot awaits from an approver who pressed «Отклонить»


def to_person(
    uow: UnitOfWork,
    telegram_id: int,
    html: str,
    markup: InlineKeyboardMarkup | None = None,
    ticket_id: int | None = None,
) -> None:
    """A message to a client's person (an approver, a manager) in their private chat."""
    enqueue.send(uow, telegram_id, html, markup=markup, ticket_id=ticket_id)


def _people(terms: Terms) -> tuple[ClientPeople, tuple[int, ...]]:
    code = terms.client.code
    return terms.config.people.get(code, ClientPeople()), terms.config.managers.get(code, ())


def _catalogue(terms: Terms) -> Catalogue:
    return terms.config.catalogues.get(terms.contract.name, Catalogue())


async def names(uow: UnitOfWork, svc: TicketService, client_code: str, ids: tuple[int, ...]) -> str:
    """«Алексей Морозов, Светлана Иванова»: the people by their names in the config."""
    config = (await svc.terms(uow, client_code)).config
    return ", ".join(person_name(config, client_code, i) for i in ids)


async def request(
    uow: UnitOfWork, svc: TicketService, ticket: Ticket, form_type: RequestType, now: datetime
) -> tuple[Ticket, tuple[int, ...]]:
    """Open an approval round of a just registered request; the ticket waits in status
    ``approval``. Nobody to ask (the requester is the only approver and there is no
    manager): no round, the ticket goes on (the audit trail says why)."""
    assert ticket.id is not None
    terms = await svc.terms(uow, ticket.client_code)
    people, managers = _people(terms)
    asked = asked_first(form_type.code, people, managers, ticket.requester_id)
    if not asked:
        await ticket_events.record(
            uow, ticket, Actor.system(), now, "approval", None, "nobody", "no approver"
        )
        return ticket, ()
    resume, ticket_id = ticket.status, ticket.id
    ticket = await svc.change_status(uow, ticket_id, Actor.system(), Status.APPROVAL, "approval")
    record = await uow.catalogue.add_approval(
        ticket_id=ticket_id,
        kind="request",
        type_code=form_type.code,
        rule=form_type.approval.value,
        asked=asked,
        resume_status=resume.value,
        now=now,
    )
    await _audit(uow, ticket, Actor.system(), now, record, "pending")
    return ticket, asked


async def ask(uow: UnitOfWork, svc: TicketService, ticket: Ticket, now: datetime) -> None:
    """Send the ticket's pending round to everyone asked (the design document first)."""
    assert ticket.id is not None
    rounds = [r for r in await uow.catalogue.approvals_of(ticket.id) if r.state == "pending"]
    if rounds:
        await _send(uow, svc, ticket, rounds[-1], rounds[-1].asked, "approval_request")


async def _send(
    uow: UnitOfWork,
    svc: TicketService,
    ticket: Ticket,
    record: ApprovalRecord,
    people: tuple[int, ...],
    template: str,
) -> None:
    terms = await svc.terms(uow, ticket.client_code)
    form = await uow.catalogue.ticket_form(record.ticket_id)
    requester = await uow.users.get(ticket.requester_id)
    html = texts.render(
        template,
        number=ticket.number,
        subject=ticket.subject,
        client=terms.client.name,
        requester=requester.first_name if requester else str(ticket.requester_id),
        lines=form.lines if form and record.kind == "request" else [],
        kind=record.kind,
        design=record.design_name,
    )
    for person in people:
        if record.design_chat_id is not None and record.design_message_id is not None:
            enqueue.copy(
                uow,
                person,
                record.design_chat_id,
                record.design_message_id,
                caption=None,
                ticket_id=ticket.id,
            )
        to_person(uow, person, html, keyboards.approval(record.id), ticket.id)


async def _audit(
    uow: UnitOfWork,
    ticket: Ticket,
    actor: Actor,
    now: datetime,
    record: ApprovalRecord,
    state: str,
    reason: str | None = None,
) -> None:
    old = None if state == "pending" else "pending"
    new = {"kind": record.kind, "state": state, "asked": list(record.asked)}
    await ticket_events.record(uow, ticket, actor, now, "approval", old, new, reason)


# -- decisions ---------------------------------------------------------------------


async def _authorized(
    uow: UnitOfWork, svc: TicketService, approval_id: int, person: int
) -> tuple[ApprovalRecord, Ticket, Terms]:
    """The round and its ticket if ``person`` may decide it; ``NotAllowed`` otherwise (a
    forged id, another client's manager, the requester)."""
    record = await uow.catalogue.approval(approval_id, for_update=True)
    if record is None:
        raise NotAllowed(f"no approval {approval_id}")
    ticket = await uow.tickets.get_by_id(record.ticket_id)
    terms = await svc.terms(uow, ticket.client_code)
    people, managers = _people(terms)
    if not may_decide(person, record.type_code, people, managers, ticket.requester_id):
        raise NotAllowed(f"{person} may not decide approval {approval_id} of {ticket.number}")
    return record, ticket, terms


async def approve(
    uow: UnitOfWork, svc: TicketService, approval_id: int, person: int, chat_id: int, now: datetime
) -> str:
    """«Согласовать»: the person's vote; the round is approved once the rule says so.
    Returns the template of the answer to the press."""
    record, ticket, terms = await _authorized(uow, svc, approval_id, person)
    if record.state != "pending":
        return "approval_already"
    await uow.catalogue.vote(record.id, person, "approved", now)
    if await _verdict(uow, record, terms) is Verdict.APPROVED:
        await _close(uow, svc, record, ticket, terms, person, "approved", None, now)
        to_person(uow, chat_id, texts.render("approval_done", number=ticket.number, ok=True))
    else:
        to_person(uow, chat_id, texts.render("approval_counted", number=ticket.number))
    return "approval_thanks"


async def ask_reason(
    uow: UnitOfWork, svc: TicketService, approval_id: int, person: int, chat_id: int, now: datetime
) -> str:
    """«Отклонить»: the refusal waits for one line of why."""
    record, ticket, _ = await _authorized(uow, svc, approval_id, person)
    if record.state != "pending":
        return "approval_already"
    await uow.drafts.await_from(person, f"{REASON_WAIT}{record.id}", ticket.id, now)
    html = texts.render("approval_reason_ask", number=ticket.number)
    to_person(uow, chat_id, html, keyboards.approval_keep(record.id))
    return "approval_thanks"


async def keep(uow: UnitOfWork, person: int) -> None:
    """«Не отклонять» under the question of why: nothing is refused."""
    await uow.drafts.stop_awaiting(person)


async def refuse(
    uow: UnitOfWork,
    svc: TicketService,
    approval_id: int,
    person: int,
    chat_id: int,
    why: str,
    now: datetime,
) -> None:
    """The reason of a refusal arrived: the round is refused (one refusal is enough)."""
    await uow.drafts.stop_awaiting(person)
    record, ticket, terms = await _authorized(uow, svc, approval_id, person)
    if record.state != "pending":
        to_person(uow, chat_id, texts.render("approval_already"))
        return
    reason = " ".join(why.split())[:500]
    await uow.catalogue.vote(record.id, person, "refused", now, reason)
    await _close(uow, svc, record, ticket, terms, person, "refused", reason, now)
    to_person(uow, chat_id, texts.render("approval_done", number=ticket.number, ok=False))


async def _verdict(uow: UnitOfWork, record: ApprovalRecord, terms: Terms) -> Verdict | None:
    votes = await uow.catalogue.votes(record.id)
    _, managers = _people(terms)
    return verdict(
        Approval(record.rule),
        record.asked,
        managers,
        frozenset(p for p, d in votes.items() if d == "approved"),
        frozenset(p for p, d in votes.items() if d == "refused"),
    )


async def _close(
    uow: UnitOfWork,
    svc: TicketService,
    record: ApprovalRecord,
    ticket: Ticket,
    terms: Terms,
    person: int,
    state: str,
    reason: str | None,
    now: datetime,
) -> None:
    """End the round: recorded with who, when and how long it waited; the ticket goes on
    (approved: back to work; a refused request is cancelled, a refused design goes back
    to the consultant); the user, the topic and the card are told."""
    assert ticket.id is not None
    waited = max(0, terms.clock.minutes_between(record.requested_at, now))
    await uow.catalogue.close_approval(
        record.id, state, now=now, by=person, reason=reason, waited_minutes=waited
    )
    await _audit(uow, ticket, Actor.user(person), now, record, state, reason)
    approved, ticket_id = state == "approved", ticket.id
    if ticket.status is Status.APPROVAL:
        if approved or record.kind == "design":
            back = Status(record.resume_status)
            back = back if back in (Status.NEW, Status.IN_PROGRESS) else Status.IN_PROGRESS
            ticket = await svc.change_status(uow, ticket_id, Actor.system(), back, state)
        else:
            why = texts.render("approval_cancel_reason", reason=reason or "")
            ticket = await svc.change_status(uow, ticket_id, Actor.system(), Status.CANCELLED, why)
    if approved and record.kind == "design":
        ticket = await _start_resolution(uow, svc, ticket, terms, record, now)
    name = person_name(terms.config, ticket.client_code, person)
    said = {"by": name, "ok": approved, "kind": record.kind, "reason": reason}
    notify.to_user(uow, ticket, "approval_user", None, subject=ticket.subject, **said)
    await notify.to_topic(uow, ticket, "approval_staff", design=record.design_name, **said)
    await notify.refresh_card(uow, ticket)


async def _start_resolution(
    uow: UnitOfWork,
    svc: TicketService,
    ticket: Ticket,
    terms: Terms,
    record: ApprovalRecord,
    now: datetime,
) -> Ticket:
    """The first approved design starts the resolution clock (a later one changes nothing)."""
    state = ticket.sla
    if state is None or state.resolution_due is not None or state.resolved_at is not None:
        return ticket
    form_type = _catalogue(terms).get(record.type_code)
    minutes = form_type.resolution_minutes if form_type else None
    if minutes is None:
        minutes = terms.target(await svc.measured_priority(uow, ticket)).resolution_minutes
    changed = replace(ticket, sla=start_resolution(state, now, minutes, terms.clock))
    await uow.tickets.save(changed, now)
    due = changed.sla.resolution_due if changed.sla else None
    await ticket_events.record(
        uow, changed, Actor.system(), now, "resolution started", None, ticket_events.iso(due)
    )
    return changed


# -- the design of an enhancement ------------------------------------------------------


async def design(
    uow: UnitOfWork,
    svc: TicketService,
    ticket: Ticket,
    staff_id: int,
    document: tuple[int, int, str | None],
    now: datetime,
) -> str | None:
    """A consultant attaches a functional design (``/design`` in reply to the document):
    it goes to the client's approvers and the ticket waits; a round still pending is
    superseded (a changed design needs a new approval). None, or the template of why not."""
    assert ticket.id is not None
    if ticket.status not in OPEN_STATUSES:
        return "design_closed"
    terms = await svc.terms(uow, ticket.client_code)
    catalogue = _catalogue(terms)
    form = await uow.catalogue.ticket_form(ticket.id)
    form_type = catalogue.get(form.type_code) if form else None
    if form_type is None or not form_type.design:
        form_type = catalogue.design_type()
    if form_type is None:
        return "design_no_type"
    people, managers = _people(terms)
    asked = asked_first(form_type.code, people, managers, ticket.requester_id)
    if not asked:
        return "design_nobody"
    rounds = await uow.catalogue.approvals_of(ticket.id)
    resume = ticket.status
    for old in (r for r in rounds if r.state == "pending"):
        await uow.catalogue.close_approval(old.id, "superseded", now=now, by=staff_id)
        resume = Status(old.resume_status)
        for person in old.asked:
            to_person(uow, person, texts.render("approval_superseded", number=ticket.number))
    ticket_id = ticket.id
    if ticket.status is not Status.APPROVAL:
        actor = Actor.staff(staff_id)
        ticket = await svc.change_status(uow, ticket_id, actor, Status.APPROVAL, "design")
    record = await uow.catalogue.add_approval(
        ticket_id=ticket_id,
        kind="design",
        type_code=form_type.code,
        rule=form_type.approval.value,
        asked=asked,
        resume_status=resume.value if resume is not Status.APPROVAL else "in_progress",
        now=now,
        design=document,
    )
    await _audit(uow, ticket, Actor.staff(staff_id), now, record, "pending", document[2])
    await _send(uow, svc, ticket, record, asked, "approval_request")
    who = await names(uow, svc, ticket.client_code, asked)
    notify.to_user(uow, ticket, "design_sent_user", subject=ticket.subject, approvers=who)
    await notify.to_topic(uow, ticket, "design_sent_staff", approvers=who, design=document[2])
    await notify.refresh_card(uow, ticket)
    return None


# -- reminders -------------------------------------------------------------------------


async def remind_due(uow: UnitOfWork, svc: TicketService, now: datetime) -> int:
    """Remind the approvers of rounds waiting past their type's ``remind_after`` and bring
    those past ``escalate_after`` to the client's managers; how many messages were queued."""
    queued = 0
    for record in await uow.catalogue.pending():
        ticket = await uow.tickets.get_by_id(record.ticket_id)
        terms = await svc.terms(uow, ticket.client_code)
        form_type = _catalogue(terms).get(record.type_code)
        defaults = RequestType(record.type_code, "", ticket.category)
        remind = (form_type or defaults).remind_after_minutes
        escalate = (form_type or defaults).escalate_after_minutes
        waited = terms.clock.minutes_between(record.requested_at, now)
        voted = set(await uow.catalogue.votes(record.id))
        if record.escalated_at is None and waited >= escalate:
            _, managers = _people(terms)
            to = tuple(m for m in managers if m != ticket.requester_id and m not in voted)
            await uow.catalogue.mark(record.id, "escalated", now)
            if record.reminded_at is None:
                await uow.catalogue.mark(record.id, "reminded", now)
            await _send(uow, svc, ticket, record, to, "approval_escalated")
            await ticket_events.record(
                uow, ticket, Actor.system(), now, "approval escalated", None, list(to)
            )
            who = await names(uow, svc, ticket.client_code, to) if to else None
            await notify.to_topic(uow, ticket, "approval_escalated_staff", managers=who)
            await notify.refresh_card(uow, ticket)
            queued += len(to) + 1
        elif record.reminded_at is None and waited >= remind:
            to = tuple(p for p in record.asked if p not in voted)
            await uow.catalogue.mark(record.id, "reminded", now)
            await _send(uow, svc, ticket, record, to, "approval_reminder")
            await notify.refresh_card(uow, ticket)
            queued += len(to)
    return queued
