"""Ownership: who gets a new ticket.

The least-loaded line-1 consultant on shift now (load weighted by priority),
ties broken round-robin after the last assignee; nobody on shift: the duty
person; no duty person: ``NoOwnerAvailable``.  Never unassigned.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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


def load_of(priorities: Iterable[Priority]) -> int:
    """The weighted load of a consultant's open tickets."""
    return sum(PRIORITY_WEIGHT[p] for p in priorities)


def choose_owner(
    candidates: Sequence[Candidate],
    now: datetime,
    last_assigned: int | None,
    duty: int | None,
) -> int:
    """The Telegram id of the new owner (see the module docstring)."""
    raise NotImplementedError


__all__ = ["PRIORITY_WEIGHT", "Candidate", "NoOwnerAvailable", "choose_owner", "load_of"]
