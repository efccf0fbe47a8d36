"""A ticket's priority changes: who, when and why, and what the user is told.

A user raising their ticket to P1 or P2 is asked for one line of reason first
(the conversation waits for it: ``awaiting = "priority:1"``); the change is made
when it arrives and the reason is kept in the audit event, shown on the card
and in /history. Any change by anyone goes through ``change``: the card is
refreshed, the registration message — which showed «Ответим до …» for the
old priority — is edited to the terms now in force, and a notice with them
follows (an edit alone could go unnoticed; the notice alone would leave a
false message above it).
"""

from __future__ import annotations

from datetime import datetime

from bot import keyboards, texts
from bot.outbox import enqueue
from bot.services import notify
from bot.services.actors import Actor, ActorKind
from bot.services.incoming import Incoming
from bot.services.permissions import Action, authorize
from bot.services.tickets import TicketService
from desk.enums import OPEN_STATUSES, Priority, Status
from desk.errors import NotAllowed
from desk.intake import subject_of
from desk.model import Ticket
from storage.uow import UnitOfWork

ASKS_REASON = frozenset({Priority.CRITICAL, Priority.HIGH})
REASON_LIMIT = 200  # one line: what the card and the history show
_AWAITING = "priority:"


def needs_reason(ticket: Ticket, priority: Priority) -> bool:
    """Whether a user's move of ``ticket`` to ``priority`` waits for a reason (a raise to P1/P2)."""
    return priority in ASKS_REASON and priority < ticket.priority


async def ask_reason(
    uow: UnitOfWork,
    svc: TicketService,
    ticket: Ticket,
    user_id: int,
    priority: Priority,
    now: datetime,
) -> None:
    """Ask the user why; their next text message is the reason (``take_reason``)."""
    terms = await svc.terms(uow, ticket.client_code)
    await authorize(uow, Actor.user(user_id), ticket, terms.client, Action.PRIORITY)
    await uow.drafts.await_from(user_id, f"{_AWAITING}{int(priority)}", ticket.id, now)
    notify.to_user(uow, ticket, "priority_reason_ask", priority=int(priority))


def _awaited(awaiting: str) -> Priority | None:
    if not awaiting.startswith(_AWAITING):
        return None
    value = awaiting.removeprefix(_AWAITING)
    return Priority(int(value)) if value in {str(int(p)) for p in Priority} else None


async def take_reason(
    uow: UnitOfWork,
    svc: TicketService,
    waiting: tuple[str, int | None],
    msg: Incoming,
    now: datetime,
) -> bool:
    """If the bot waits for a priority reason from this user, ``msg`` is it: the
    priority changes (or, if the ticket was taken meanwhile, the team is asked).
    False if the bot waits for something else or ``msg`` has no text."""
    priority = _awaited(waiting[0])
    if priority is None or waiting[1] is None or not msg.text.strip():
        return False
    await uow.drafts.stop_awaiting(msg.user_id)
    ticket = await uow.tickets.get_by_id(waiting[1])
    if ticket.requester_id != msg.user_id:
        raise NotAllowed(f"ticket {ticket.number} is not {msg.user_id}'s")
    reason = subject_of(msg.text, "", REASON_LIMIT)
    if ticket.status is Status.NEW:
        await change(uow, svc, ticket, Actor.user(msg.user_id), priority, now, reason)
    elif ticket.status in OPEN_STATUSES and priority < ticket.priority:
        # taken meanwhile: the user may no longer change it; the team decides
        await notify.to_topic(
            uow, ticket, "priority_request_staff", priority=int(priority), reason=reason
        )
        notify.to_user(uow, ticket, "priority_request_user", priority=int(priority))
    return True


async def change(
    uow: UnitOfWork,
    svc: TicketService,
    ticket: Ticket,
    actor: Actor,
    priority: Priority,
    now: datetime,
    reason: str | None = None,
) -> bool:
    """Change the priority and tell the user the terms now in force.

    False if the ticket already has ``priority``: nothing changes, nothing is recorded.
    """
    if priority is ticket.priority or ticket.id is None:
        return False
    ticket_id = ticket.id
    ticket = await svc.change_priority(uow, ticket_id, actor, priority, reason)
    terms = await svc.terms(uow, ticket.client_code)
    await notify.refresh_card(uow, ticket)
    await notify.alert_p1(uow, svc, ticket, now, raised=True)  # the team on shift, mentioned
    due = notify.dues(ticket, terms.client, now)
    measured = await svc.measured_priority(uow, ticket)
    registered = await uow.messaging.first_bot_message(ticket_id, ticket.user_chat)
    if registered is not None:
        owner = terms.config.staff.get(ticket.owner_id)
        html = texts.render(
            "registered",
            number=ticket.number,
            owner=owner.name if owner else str(ticket.owner_id),
            priority=ticket.priority.value,
            initial=ticket.registered_priority.value,
            category=ticket.category.value,
            reaction=due["reaction"],
            resolution=due["resolution"],
        )
        markup = keyboards.registered(ticket_id) if ticket.status is Status.NEW else None
        enqueue.edit(uow, ticket.user_chat, registered, html, markup)
    notify.to_user(
        uow,
        ticket,
        "changed_user",
        what="priority",
        value=ticket.priority.value,
        measured=measured.value,
        reason=reason if actor.kind is ActorKind.STAFF else None,
        reaction=due["reaction"],
        resolution=due["resolution"],
    )
    return True
