"""What consultants do in the staff group: ticket actions from buttons and commands.

Each action names the ticket by its topic (or the card it replies to) and
goes through ``TicketService``, which re-checks in the database that the
actor is active staff of the ticket's team and that the transition is
allowed.  The card and topic name are refreshed (edited, not re-posted) and
the user is told what concerns them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from bot.outbox import enqueue
from bot.services import cards, csat, incidents, notify
from bot.services.actors import Actor
from bot.services.tickets import TicketService
from desk.errors import NotFound
from desk.model import Line, Staff, Ticket
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Place:
    """Where a staff message or button press happened."""

    chat_id: int
    thread_id: int | None
    reply_to: int | None


async def ticket_at(uow: UnitOfWork, place: Place) -> Ticket | None:
    """The ticket of a forum topic, or of the card/relay a plain-group message replies to."""
    ticket_id = None
    if place.thread_id is not None:
        ticket_id = await uow.messaging.ticket_by_thread(place.chat_id, place.thread_id)
    if ticket_id is None and place.reply_to is not None:
        link = await uow.messaging.link_of(place.chat_id, place.reply_to)
        ticket_id = link.ticket_id if link is not None else None
    if ticket_id is None:
        return None
    return await uow.tickets.get_by_id(ticket_id)


async def staff_of_chat(uow: UnitOfWork, chat_id: int, telegram_id: int) -> Staff | None:
    """The active staff member of the team whose group ``chat_id`` is, if the sender is one."""
    team = await uow.directory.team_of_chat(chat_id)
    staff = await uow.directory.staff(telegram_id)
    if team is None or staff is None or not staff.active or staff.team != team.name:
        return None
    return staff


async def take(uow: UnitOfWork, svc: TicketService, ticket: Ticket, actor_id: int) -> None:
    """The actor takes the ticket; taking over someone else's ticket is noted in the topic."""
    before = ticket.owner_id
    ticket = await svc.take(uow, _id(ticket), Actor.staff(actor_id))
    await notify.refresh_card(uow, ticket)
    if ticket.owner_id != before:
        taker = await notify.owner_name(uow, ticket)
        previous = await notify.staff_name(uow, before)
        await notify.to_topic(uow, ticket, "staff_taken_over", taker=taker, previous=previous)
        notify.to_user(uow, ticket, "owner_changed_user", owner=taker)


class Assigned(Enum):
    """How ``/assign`` went."""

    DONE = "done"  # the named member owns the ticket now
    ALREADY = "already"  # they owned it already: nothing changes, nobody is told
    UNKNOWN = "unknown"  # no active member of the ticket's team goes by that name
    SEVERAL = "several"  # more than one does: the consultant has to say whom


def _words(text: str) -> list[str]:
    return text.casefold().replace("ё", "е").split()


def matching(members: list[Staff], wanted: str) -> list[Staff]:
    """The active ``members`` that ``wanted`` names: a @username (the @ may be left
    out), the full name, or some of its words («Борис», «Ким», «ким борис»)."""
    query = _words(wanted.lstrip("@"))
    if not query:
        return []
    active = [s for s in members if s.active]
    by_username = [s for s in active if [(s.username or "").casefold()] == query]
    if by_username:
        return by_username
    return [s for s in active if all(word in _words(s.name) for word in query)]


async def team_people(uow: UnitOfWork, ticket: Ticket) -> list[Staff]:
    """The active members of the ticket's team, by name (whom /assign can name)."""
    members = await uow.directory.team_staff(await team_name(uow, ticket))
    return sorted((s for s in members if s.active), key=lambda s: s.name)


async def assign(
    uow: UnitOfWork, svc: TicketService, ticket: Ticket, actor_id: int, wanted: str
) -> Assigned:
    """Reassign to the active member of the ticket's team that ``wanted`` names.

    Naming oneself is taking the ticket (``take``).  Otherwise the topic gets a
    note mentioning the new owner, and the user is told who handles it now.
    """
    found = matching(await team_people(uow, ticket), wanted)
    if not found:
        return Assigned.UNKNOWN
    if len(found) > 1:
        return Assigned.SEVERAL
    target = found[0]
    if target.telegram_id == ticket.owner_id:
        return Assigned.ALREADY
    if target.telegram_id == actor_id:
        await take(uow, svc, ticket, actor_id)
        return Assigned.DONE
    before = ticket.owner_id
    ticket = await svc.assign(uow, _id(ticket), Actor.staff(actor_id), target.telegram_id)
    await notify.refresh_card(uow, ticket)
    await notify.to_topic(
        uow,
        ticket,
        "staff_assigned",
        owner=notify.person_of(target, target.telegram_id),
        by=await notify.staff_name(uow, actor_id),
        previous=await notify.staff_name(uow, before),
        status=ticket.status.value,
    )
    notify.to_user(uow, ticket, "owner_changed_user", owner=target.name)
    return Assigned.DONE


async def team_name(uow: UnitOfWork, ticket: Ticket) -> str:
    return (await uow.directory.client(ticket.client_code)).team


async def restore_buttons(uow: UnitOfWork, ticket: Ticket, chat_id: int, message_id: int) -> None:
    """«← Назад» from a menu: the card gets its own buttons back, a menu message loses its."""
    on_card = await _is_card(uow, ticket, message_id)
    markup = cards.card_markup(ticket) if on_card else None
    enqueue.set_markup(uow, chat_id, message_id, markup)


async def drop_menu(uow: UnitOfWork, ticket: Ticket, chat_id: int, message_id: int) -> None:
    """A choice was made in a menu message (not the card, which refreshes itself): its
    buttons go."""
    if not await _is_card(uow, ticket, message_id):
        enqueue.set_markup(uow, chat_id, message_id, None)


async def _is_card(uow: UnitOfWork, ticket: Ticket, message_id: int) -> bool:
    topic = await uow.messaging.topic_of(_id(ticket))
    return topic is not None and topic.card_message_id == message_id


class Escalated(Enum):
    """How an escalation went."""

    CALLED = "called"  # on line 2 now, the team's engineers are mentioned in the topic
    NOBODY = "nobody"  # on line 2 now, but the team has no engineer: the topic says what to set
    ALREADY = "already"  # it was on line 2: nothing changes


async def escalate(uow: UnitOfWork, svc: TicketService, ticket: Ticket, actor_id: int) -> Escalated:
    """Involve line 2 (one way): a note in the topic calls the team's engineers.

    With no engineer in the team the ticket is still marked as escalated, and
    the note says how to configure one.
    """
    if ticket.escalated:
        return Escalated.ALREADY
    ticket = await svc.escalate(uow, _id(ticket), Actor.staff(actor_id), on=True)
    await notify.refresh_card(uow, ticket)
    team = await team_name(uow, ticket)
    engineers = [
        {"id": s.telegram_id, "name": s.name, "username": s.username}
        for s in await uow.directory.team_staff(team)
        if s.line is Line.TWO and s.active and s.telegram_id != actor_id
    ]
    await notify.to_topic(uow, ticket, "staff_escalated", engineers=engineers, team=team)
    return Escalated.CALLED if engineers else Escalated.NOBODY


async def wait(uow: UnitOfWork, svc: TicketService, ticket: Ticket, actor_id: int) -> None:
    ticket = await svc.pause(uow, _id(ticket), Actor.staff(actor_id))
    await notify.refresh_card(uow, ticket)
    notify.to_user(uow, ticket, "waiting_user", comment=None)


async def route_targets(uow: UnitOfWork, ticket: Ticket) -> list[tuple[str, str]]:
    """Where this client's out-of-scope requests may go: (label, contact) from the contract."""
    client = await uow.directory.client(ticket.client_code)
    contract = await uow.directory.contract(client.contract)
    return sorted(contract.contacts.items())


async def route(
    uow: UnitOfWork, svc: TicketService, ticket: Ticket, actor_id: int, index: int
) -> bool:
    targets = await route_targets(uow, ticket)
    if not 0 <= index < len(targets):
        return False
    label, contact = targets[index]
    ticket = await svc.route_out(uow, _id(ticket), Actor.staff(actor_id), f"{label}: {contact}")
    await notify.refresh_card(uow, ticket)
    notify.to_user(uow, ticket, "routed_user", target=label, contact=contact)
    return True


async def resolve(
    uow: UnitOfWork,
    svc: TicketService,
    ticket: Ticket,
    actor_id: int,
    now: datetime,
    close_after_minutes: int,
    comment: str | None = None,
) -> None:
    """Resolve; the user is asked to confirm (told ``comment``, the consultant's words, if
    any), and a mass incident's linked users are told too (``incidents.resolved``)."""
    ticket = await svc.resolve(uow, _id(ticket), Actor.staff(actor_id))
    await notify.refresh_card(uow, ticket)
    await csat.ask(uow, ticket, now, close_after_minutes, comment)
    await incidents.resolved(uow, svc, ticket, now, comment)


async def close(uow: UnitOfWork, svc: TicketService, ticket: Ticket, actor_id: int) -> None:
    ticket = await svc.close(uow, _id(ticket), Actor.staff(actor_id))
    await notify.refresh_card(uow, ticket)
    notify.to_user(uow, ticket, "closed_user", silent=False)


async def reopen(uow: UnitOfWork, svc: TicketService, ticket: Ticket, actor_id: int) -> None:
    was_closed = ticket.status in notify.TOPIC_CLOSED
    ticket = await svc.reopen(uow, _id(ticket), Actor.staff(actor_id))
    if was_closed:
        await notify.reopen_topic(uow, ticket)
    await notify.refresh_card(uow, ticket)
    owner = await notify.person(uow, ticket.owner_id)
    await notify.to_topic(
        uow, ticket, "staff_reopened", owner=owner, by=await notify.staff_name(uow, actor_id)
    )
    notify.to_user(uow, ticket, "reopened_by_staff_user", owner=owner.name)


def _id(ticket: Ticket) -> int:
    if ticket.id is None:
        raise NotFound(ticket.number)
    return ticket.id
