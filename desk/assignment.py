"""Ownership: who gets a new ticket.

The least-loaded line-1 consultant on shift now (load weighted by priority),
ties broken round-robin after the last assignee; nobody on shift: the duty
person; no duty person: ``NoOwnerAvailable``.  Never unassigned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from desk.enums import Priority
from desk.errors import NoOwnerAvailable
from desk.model import Line

PRIORITY_WEIGHT: dict[Priority, int] = {
    Priority.CRITICAL: 5,
    Priority.HIGH: 4,
    Priority.MEDIUM: 3,
    Priority.LOW: 2,
    Priority.BACKGROUND: 1,
}


@dataclass(frozen=True)
class Candidate:
    telegram_id: int
    line: Line
    on_shift: bool
    load: int  # weighted open-ticket load, see load_of()


def load_of(open_tickets: Mapping[Priority, int]) -> int:
    """The weighted load of a consultant's open tickets (how many of each priority)."""
    return sum(PRIORITY_WEIGHT[p] * n for p, n in open_tickets.items())


def choose_owner(
    candidates: Sequence[Candidate],
    now: datetime,
    last_assigned: int | None,
    duty: int | None,
) -> int:
    """The Telegram id of the new owner (see the module docstring).

    ``now`` is the moment of assignment; ``on_shift`` is already evaluated
    for it by the caller (it knows the shifts), ``now`` goes into the error.
    """
    on_shift = [c for c in candidates if c.line is Line.ONE and c.on_shift]
    if not on_shift:
        if duty is None:
            raise NoOwnerAvailable(f"nobody on shift at {now.isoformat()} and no duty person")
        return duty
    least = min(c.load for c in on_shift)
    tied = sorted(c.telegram_id for c in on_shift if c.load == least)
    if last_assigned is not None:
        for telegram_id in tied:
            if telegram_id > last_assigned:
                return telegram_id
    return tied[0]


__all__ = ["PRIORITY_WEIGHT", "Candidate", "NoOwnerAvailable", "choose_owner", "load_of"]
