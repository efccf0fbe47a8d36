"""Audit events of ticket changes: what each kind records, as text.

Each event is also one log line once its transaction commits (``bot.logs``:
the ticket's number and the update that caused it), and from then on the
update's other lines name the ticket too.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from functools import partial

from bot import logs
from bot.services.actors import Actor
from desk.model import Ticket
from storage.hooks import after_commit
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

# Events whose old and new values are short codes, shown in the line; the others'
# values (texts, reasons, summaries) stay in the audit trail only.
_SHOWN = frozenset({"status", "priority", "category", "owner", "escalated"})


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
    logs.bind_ticket(ticket.number)
    change = f": {_text(old)} → {_text(new)}" if what in _SHOWN else ""
    line = "ticket %s %s%s by %s"
    extra = {"ticket": ticket.number}
    after_commit(
        uow.session, partial(log.info, line, ticket.number, what, change, actor, extra=extra)
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
