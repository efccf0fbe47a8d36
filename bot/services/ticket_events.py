"""Audit events of ticket changes: what each kind records, as text."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.services.actors import Actor
from desk.model import Ticket
from storage.uow import UnitOfWork


async def record(
    uow: UnitOfWork,
    ticket: Ticket,
    actor: Actor,
    now: datetime,
    what: str,
    old: object,
    new: object,
    reason: str | None = None,
) -> None:
    """Append one event to the hash chain (in the caller's transaction)."""
    await uow.audit.append(
        ticket_id=ticket.id,
        actor=str(actor),
        at=now,
        what=what,
        old=_text(old),
        new=_text(new),
        reason=reason,
    )


def field(ticket: Ticket, what: str) -> object:
    """The value an event of kind ``what`` records for ``ticket``."""
    state = ticket.sla
    values: dict[str, object] = {
        "status": ticket.status.value,
        "priority": int(ticket.priority),
        "category": ticket.category.value,
        "owner": ticket.owner_id,
        "escalated": ticket.escalated,
        "reaction": iso(state.reacted_at if state else None),
    }
    return values[what]


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
