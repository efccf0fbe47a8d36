"""Who may do what to a ticket (ARCHITECTURE.md, invariant 4), checked in the database.

- staff: active members of the team that serves the ticket's client -- everything;
- the requester (user): confirm or reopen a resolved ticket, answer while it
  waits for them, cancel their open ticket, and fix priority and category
  while it is still new;
- the system (SLA watcher, auto-close): everything;
- anyone else: nothing.
"""

from __future__ import annotations

from enum import StrEnum

from bot.services.actors import Actor, ActorKind
from desk.enums import Status
from desk.errors import NotAllowed
from desk.model import Client, Staff, Ticket
from storage.uow import UnitOfWork


class Action(StrEnum):
    STATUS = "status"
    PRIORITY = "priority"
    CATEGORY = "category"
    ASSIGN = "assign"
    ESCALATE = "escalate"
    REACTION = "reaction"


USER_STATUS_MOVES = frozenset(
    {
        (Status.RESOLVED, Status.CLOSED),  # confirms
        (Status.RESOLVED, Status.IN_PROGRESS),  # reopens
        (Status.WAITING, Status.IN_PROGRESS),  # answers
        (Status.NEW, Status.CANCELLED),
        (Status.IN_PROGRESS, Status.CANCELLED),
        (Status.WAITING, Status.CANCELLED),
        (Status.APPROVAL, Status.CANCELLED),
    }
)


async def team_member(uow: UnitOfWork, telegram_id: int | None, team: str) -> Staff:
    """The active staff member ``telegram_id`` of ``team``, else ``NotAllowed``."""
    staff = None if telegram_id is None else await uow.directory.staff(telegram_id)
    if staff is None or not staff.active or staff.team != team:
        raise NotAllowed(f"{telegram_id} is not active staff of team {team}")
    return staff


async def authorize(
    uow: UnitOfWork,
    actor: Actor,
    ticket: Ticket,
    client: Client,
    action: Action,
    new_status: Status | None = None,
) -> None:
    """Return if ``actor`` may do ``action`` to ``ticket``; raise ``NotAllowed`` if not."""
    if actor.kind is ActorKind.SYSTEM:
        return
    if actor.kind is ActorKind.STAFF:
        await team_member(uow, actor.telegram_id, client.team)
        return
    if actor.kind is ActorKind.USER and actor.telegram_id == ticket.requester_id:
        if action in (Action.PRIORITY, Action.CATEGORY) and ticket.status is Status.NEW:
            return
        if action is Action.STATUS and (ticket.status, new_status) in USER_STATUS_MOVES:
            return
    raise NotAllowed(f"{actor} may not {action.value} ticket {ticket.number}")
