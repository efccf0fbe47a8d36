"""Messages about a ticket that several services send (always through the outbox).

Staff are named in the staff group as mentions (``Person``, rendered by
``watch_macros.j2``'s ``mention``: ``<a href="tg://user?id=…">Name</a>``), so
Telegram notifies the person a new message names: the owner on a new card, a
reopened ticket or a handover, the team on shift on a P1 (``alert_p1``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiogram.types import InlineKeyboardMarkup

from bot import texts
from bot.outbox import enqueue
from bot.services.tickets import TicketService
from desk.clock import clock_of
from desk.enums import Priority, Status
from desk.model import Client, Line, Staff, Ticket
from desk.timefmt import DueWords, due_of
from storage.uow import UnitOfWork

# A ticket in one of these has its forum topic closed (nothing more happens in it).
TOPIC_CLOSED = frozenset({Status.CLOSED, Status.CANCELLED})


def to_user(
    uow: UnitOfWork,
    ticket: Ticket,
    template: str,
    markup: InlineKeyboardMarkup | None = None,
    **context: object,
) -> None:
    """A bot message to the ticket's user, in the chat the ticket came from; a reply
    to it finds the ticket."""
    to_user_in(uow, ticket, ticket.user_chat, template, markup, **context)


def to_user_in(
    uow: UnitOfWork,
    ticket: Ticket,
    chat_id: int,
    template: str,
    markup: InlineKeyboardMarkup | None = None,
    **context: object,
) -> None:
    """As ``to_user``, in ``chat_id``: where the user just wrote about the ticket (a
    person on two messengers may write about it from the other one)."""
    html = texts.render(template, number=ticket.number, **context)
    enqueue.send(
        uow,
        chat_id,
        html,
        ticket_id=ticket.id,
        markup=markup,
        link_as=enqueue.link("bot", None, public=False, text=None),
    )


async def to_topic(uow: UnitOfWork, ticket: Ticket, template: str, **context: object) -> None:
    """A bot message into the ticket's topic (for staff only)."""
    html = texts.render(template, number=ticket.number, **context)
    enqueue.send(uow, await _staff_chat(uow, ticket), html, ticket_id=ticket.id, topic=True)


async def refresh_card(uow: UnitOfWork, ticket: Ticket) -> None:
    """Bring the card and the topic name up to date (edited in place, not re-posted).

    A closed (or cancelled) ticket's forum topic is closed after the card shows it.
    """
    assert ticket.id is not None
    chat_id = await _staff_chat(uow, ticket)
    enqueue.refresh(uow, chat_id, ticket.id)
    if ticket.status in TOPIC_CLOSED:
        enqueue.topic_state(uow, chat_id, ticket.id, closed=True)


async def reopen_topic(uow: UnitOfWork, ticket: Ticket) -> None:
    """Open the forum topic of a ticket brought back from closed (before anything is said)."""
    chat_id = await _staff_chat(uow, ticket)
    assert ticket.id is not None
    enqueue.topic_state(uow, chat_id, ticket.id, closed=False)


async def _staff_chat(uow: UnitOfWork, ticket: Ticket) -> int:
    client = await uow.directory.client(ticket.client_code)
    return (await uow.directory.team(client.team)).chat_id


@dataclass(frozen=True)
class Person:
    """A staff member as a notice names them: a mention when ``id`` is known."""

    id: int | None
    name: str


def person_of(staff: Staff | None, telegram_id: int) -> Person:
    """``staff`` as a mention; someone no longer in the directory by their id."""
    return Person(telegram_id, staff.name if staff else str(telegram_id))


async def person(uow: UnitOfWork, telegram_id: int) -> Person:
    return person_of(await uow.directory.staff(telegram_id), telegram_id)


async def owner_name(uow: UnitOfWork, ticket: Ticket) -> str:
    return await staff_name(uow, ticket.owner_id)


async def staff_name(uow: UnitOfWork, telegram_id: int) -> str:
    """A staff member's name from the directory (their id if they are not in it)."""
    staff = await uow.directory.staff(telegram_id)
    return staff.name if staff else str(telegram_id)


def dues(ticket: Ticket, client: Client, now: datetime) -> dict[str, DueWords | None]:
    """``reaction`` and ``resolution`` due times in the client's words."""
    sla = ticket.sla
    return {
        "reaction": due_of(sla.reaction_due if sla else None, now, client.timezone),
        "resolution": due_of(sla.resolution_due if sla else None, now, client.timezone),
    }


async def alert_p1(
    uow: UnitOfWork, svc: TicketService, ticket: Ticket, now: datetime, *, raised: bool = False
) -> None:
    """A ticket that is P1 (new, or ``raised`` to it) calls the whole team on shift in its
    topic: the duty person, the lead and every line-1 consultant working now, mentioned.

    Does nothing for other priorities, so callers need not check.
    """
    if ticket.priority is not Priority.CRITICAL:
        return
    terms = await svc.terms(uow, ticket.client_code)
    config = terms.config
    team = config.teams[terms.client.team]
    on_shift = [
        s
        for s in sorted(config.staff.values(), key=lambda s: s.telegram_id)
        if s.team == team.name
        and s.active
        and s.line is Line.ONE
        and (clock_of(config.schedules[s.shift]) if s.shift else terms.clock).is_working(now)
    ]
    named = {team.duty, team.lead}
    html = texts.render(
        "staff_p1_alert",
        number=ticket.number,
        subject=ticket.subject,
        raised=raised,
        reaction=dues(ticket, terms.client, now)["reaction"],
        duty=None if team.duty is None else person_of(config.staff.get(team.duty), team.duty),
        lead=None if team.lead is None else person_of(config.staff.get(team.lead), team.lead),
        others=[person_of(s, s.telegram_id) for s in on_shift if s.telegram_id not in named],
    )
    enqueue.send(uow, team.chat_id, html, ticket_id=ticket.id, topic=True)
