"""SLA per ticket: reaction and resolution due times, pauses, breaches.

Every function takes the ticket's ``SlaState`` and returns the new state
(states are not mutated in place).  Due moments come from a ``BusinessClock``:
the contract's schedule, or ``BusinessClock.round_the_clock(tz)`` when the
priority's target says ``round_the_clock`` (see ``clock_for``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from desk.enums import Priority

if TYPE_CHECKING:
    from desk.clock import BusinessClock


@dataclass
class SlaState:
    reaction_due: datetime | None
    resolution_due: datetime | None
    reacted_at: datetime | None = None
    resolved_at: datetime | None = None
    paused_at: datetime | None = None  # waiting for the customer since
    reaction_breached: bool = False
    resolution_breached: bool = False
    started_at: datetime | None = None  # when the clock started (ticket created)
    paused_minutes: int = 0  # business minutes spent waiting for the customer, in total
    reaction_minutes: int | None = None  # actual business minutes to the reaction
    resolution_minutes: int | None = None  # actual business minutes to resolution (net of pauses)
    reaction_target: int | None = None  # target minutes in force (for reports)
    resolution_target: int | None = None


# desk.model imports SlaState from here, so this import must follow SlaState.
from desk.model import SlaTarget  # noqa: E402


@dataclass(frozen=True)
class Breach:
    kind: str  # "reaction" | "resolution"
    due: datetime
    target_minutes: int | None
    actual_minutes: int  # business minutes taken so far (or in total, if done)


def default_targets(day_minutes: int) -> dict[Priority, SlaTarget]:
    """DESIGN.md defaults; ``day_minutes`` turns "business days" into minutes."""
    raise NotImplementedError


def clock_for(target: SlaTarget, schedule_clock: BusinessClock) -> BusinessClock:
    """The clock a target counts on: 24/7 in the schedule's zone, or the schedule."""
    raise NotImplementedError


def start(now: datetime, target: SlaTarget, clock: BusinessClock) -> SlaState:
    """A fresh SLA for a ticket created at ``now``."""
    raise NotImplementedError


def record_reaction(state: SlaState, now: datetime, clock: BusinessClock) -> SlaState:
    """The first staff answer; a second call changes nothing."""
    raise NotImplementedError


def pause(state: SlaState, now: datetime) -> SlaState:
    """Waiting for the customer from ``now``; pausing a paused SLA changes nothing."""
    raise NotImplementedError


def resume(state: SlaState, now: datetime, clock: BusinessClock) -> SlaState:
    """Back from waiting: due moments move on by the paused business time."""
    raise NotImplementedError


def change_priority(
    state: SlaState,
    now: datetime,
    old_target: SlaTarget,
    new_target: SlaTarget,
    clock: BusinessClock,
) -> SlaState:
    """New due moments from the new targets; time already spent counts."""
    raise NotImplementedError


def record_resolution(state: SlaState, now: datetime, clock: BusinessClock) -> SlaState:
    """The ticket is resolved at ``now``: actual minutes kept, breach flags set."""
    raise NotImplementedError


def breaches(state: SlaState, now: datetime, clock: BusinessClock) -> list[Breach]:
    """Targets missed as of ``now`` (also for still-open targets)."""
    raise NotImplementedError


def update_breaches(state: SlaState, now: datetime, clock: BusinessClock) -> SlaState:
    """``state`` with the breach flags set from ``breaches(state, now, clock)``."""
    raise NotImplementedError
