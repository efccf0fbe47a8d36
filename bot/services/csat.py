"""After resolve: "Решено?" (confirm / reopen), a 1–5 rating and an optional comment.

Silence closes the ticket ``close_after_minutes`` business minutes after the
question (``close_silent``, run periodically by ``bot.jobs.housekeeping``).
"""

from __future__ import annotations

from datetime import datetime

from bot import keyboards, texts
from bot.services import notify, reasons
from bot.services.actors import Actor
from bot.services.tickets import TicketService
from desk.clock import clock_of
from desk.enums import Status
from desk.errors import NotAllowed
from desk.model import Ticket
from desk.timefmt import due_words
from storage.uow import UnitOfWork

COMMENT = "csat_comment"


async def ask(
    uow: UnitOfWork,
    ticket: Ticket,
    now: datetime,
    close_after_minutes: int,
    comment: str | None = None,
) -> None:
    """Ask the user to confirm (``comment``: how it was solved, in the consultant's words);
    remember when silence closes the ticket."""
    assert ticket.id is not None
    client = await uow.directory.client(ticket.client_code)
    contract = await uow.directory.contract(client.contract)
    clock = clock_of(await uow.directory.schedule(contract.schedule))
    close_at = clock.due(now, close_after_minutes)
    await uow.drafts.ask_resolution(ticket.id, now, close_at)
    close_words = texts.render("moment_words", w=due_words(close_at, now, client.timezone))
    notify.to_user(
        uow,
        ticket,
        "resolved_ask",
        markup=keyboards.resolved(ticket.id),
        comment=comment,
        close_words=close_words,
    )


async def confirm(uow: UnitOfWork, svc: TicketService, ticket: Ticket, user_id: int) -> None:
    ticket_id = _id(ticket)
    ticket = await svc.close(uow, ticket_id, Actor.user(user_id), reasons.CONFIRMED)
    await uow.drafts.answer_resolution(ticket_id, answer="confirmed")
    await notify.refresh_card(uow, ticket)
    notify.to_user(uow, ticket, "csat_ask", markup=keyboards.rating(ticket_id))


async def reopen(uow: UnitOfWork, svc: TicketService, ticket: Ticket, user_id: int) -> None:
    ticket_id = _id(ticket)
    ticket = await svc.reopen(uow, ticket_id, Actor.user(user_id), reasons.NOT_SOLVED)
    await uow.drafts.answer_resolution(ticket_id, answer="reopened")
    await notify.refresh_card(uow, ticket)
    owner = await notify.person(uow, ticket.owner_id)  # mentioned: Telegram notifies them
    await notify.to_topic(uow, ticket, "staff_reopened", owner=owner, by=None)
    notify.to_user(uow, ticket, "reopened_user", owner=owner.name)


async def rate(uow: UnitOfWork, ticket: Ticket, user_id: int, score: int, now: datetime) -> None:
    """Record a 1–5 rating for a closed ticket of this user and offer a comment."""
    assert ticket.id is not None
    resolution = await uow.drafts.resolution_of(ticket.id)
    if ticket.requester_id != user_id or resolution is None or not 1 <= score <= 5:
        raise NotAllowed(f"user {user_id} may not rate {ticket.number}")
    if ticket.status is not Status.CLOSED or resolution.rating is not None:
        raise NotAllowed(f"{ticket.number} is not waiting for a rating")
    await uow.drafts.answer_resolution(ticket.id, rating=score)
    await uow.audit.append(
        ticket_id=ticket.id, actor=str(Actor.user(user_id)), at=now, what="rating", new=str(score)
    )
    await uow.drafts.await_from(user_id, COMMENT, ticket.id, now)
    notify.to_user(
        uow, ticket, "csat_comment_ask", markup=keyboards.skip_comment(ticket.id), rating=score
    )


async def comment(
    uow: UnitOfWork, ticket: Ticket, user_id: int, text: str | None, now: datetime
) -> None:
    """The optional comment (``None``: skipped); the team sees the rating in the topic."""
    assert ticket.id is not None
    await uow.drafts.stop_awaiting(user_id)
    if text:
        await uow.drafts.answer_resolution(ticket.id, comment=text)
        await uow.audit.append(
            ticket_id=ticket.id,
            actor=str(Actor.user(user_id)),
            at=now,
            what="rating comment",
            new=text,
        )
    resolution = await uow.drafts.resolution_of(ticket.id)
    await notify.to_topic(
        uow, ticket, "staff_rated", rating=resolution.rating if resolution else None, comment=text
    )
    notify.to_user(uow, ticket, "csat_thanks")


async def close_silent(uow: UnitOfWork, svc: TicketService, now: datetime) -> int:
    """Close resolved tickets whose user did not answer in time; how many were closed."""
    closed = 0
    for ticket_id in await uow.drafts.unanswered_due(now):
        ticket = await uow.tickets.get_by_id(ticket_id)
        await uow.drafts.answer_resolution(ticket_id, answer="silent")
        if ticket.status is not Status.RESOLVED:
            continue
        ticket = await svc.close(uow, ticket_id, Actor.system(), reasons.SILENT)
        await notify.refresh_card(uow, ticket)
        notify.to_user(uow, ticket, "closed_user", silent=True)
        closed += 1
    return closed


def _id(ticket: Ticket) -> int:
    assert ticket.id is not None
    return ticket.id
