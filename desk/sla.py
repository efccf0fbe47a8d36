"""SLA per ticket: reaction and resolution due times, pauses, breaches.

Every function takes the ticket's ``SlaState`` and returns a new state (the
one given is not changed).  Business minutes come from a ``BusinessClock``:
the one the priority's target counts on, ``clock_for(target, schedule_clock)``
(24/7 in the schedule's zone for a round-the-clock target, else the contract's
schedule).  ``change_priority`` alone takes the schedule clock itself, since
the old and the new targets may count on different clocks.

A ticket's SLA is measured against one of its priorities, as the contract
says (``desk.terms.SlaBasis``, ``measured_priority``): the highest it ever had
by default, so lowering a P1 to P2 keeps the P1 due times.

Time spent is net of waiting for the customer:
``spent = minutes_between(started_at, t) - paused_minutes - the current pause``.
``paused_minutes`` is the business time that does not count; when a priority
change moves the ticket to another clock it is rebased so that the time
already spent stays the same (it may then be negative).  Due moments are kept
in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from desk.clock import BusinessClock, round_the_clock
from desk.enums import Priority
from desk.model import SlaState, SlaTarget, Ticket
from desk.terms import SlaBasis


@dataclass(frozen=True)
class Breach:
    kind: str  # "reaction" | "resolution"
    due: datetime
    target_minutes: int | None
    actual_minutes: int  # business minutes taken so far (or in total, if done)


def default_targets(day_minutes: int) -> dict[Priority, SlaTarget]:
    """The support contract's defaults; ``day_minutes`` turns "business days" into minutes.

    P1 15 min / 30 min round the clock, P2 30 min / 4 h, P3 1 h / 8 h,
    P4 4 h / 3 business days, P5 1 business day / by plan (no target).
    """
    return {
        Priority.CRITICAL: SlaTarget(15, 30, round_the_clock=True),
        Priority.HIGH: SlaTarget(30, 4 * 60),
        Priority.MEDIUM: SlaTarget(60, 8 * 60),
        Priority.LOW: SlaTarget(4 * 60, 3 * day_minutes),
        Priority.BACKGROUND: SlaTarget(day_minutes, None),
    }


def measured_priority(ticket: Ticket, basis: SlaBasis) -> Priority:
    """The priority whose targets ``ticket``'s SLA counts against under ``basis``."""
    return measured_of(ticket.priority, ticket.initial_priority, ticket.peak_priority, basis)


def measured_of(
    priority: Priority, initial: Priority | None, peak: Priority | None, basis: SlaBasis
) -> Priority:
    """``measured_priority`` from the three priorities as stored (None: not recorded)."""
    if basis is SlaBasis.INITIAL:
        return initial or priority
    if basis is SlaBasis.PEAK:
        return min(peak or priority, priority)
    return priority


def clock_for(target: SlaTarget, schedule_clock: BusinessClock) -> BusinessClock:
    """The clock a target counts on: 24/7 in the schedule's zone, or the schedule."""
    if target.round_the_clock and not schedule_clock.spec.round_the_clock:
        return round_the_clock(schedule_clock.spec.timezone)
    return schedule_clock


def start(now: datetime, target: SlaTarget, clock: BusinessClock) -> SlaState:
    """A fresh SLA for a ticket created at ``now``."""
    return SlaState(
        reaction_due=_due(clock, now, target.reaction_minutes),
        resolution_due=_due(clock, now, target.resolution_minutes),
        started_at=_utc(now),
        reaction_target=target.reaction_minutes,
        resolution_target=target.resolution_minutes,
    )


def spent(state: SlaState, now: datetime, clock: BusinessClock) -> int:
    """Business minutes that count against the targets, from the start to ``now``."""
    if state.started_at is None:
        raise ValueError("this SLA was never started")
    minutes = clock.minutes_between(state.started_at, now) - state.paused_minutes
    if state.paused_at is not None and now > state.paused_at:
        minutes -= clock.minutes_between(state.paused_at, now)
    return minutes


def record_reaction(state: SlaState, now: datetime, clock: BusinessClock) -> SlaState:
    """The first staff answer; a second call changes nothing."""
    if state.reacted_at is not None:
        return state
    return replace(
        state,
        reacted_at=_utc(now),
        reaction_minutes=_actual(state, now, clock),
        reaction_breached=state.reaction_breached or _late(state.reaction_due, state, now, clock),
    )


def pause(state: SlaState, now: datetime) -> SlaState:
    """Waiting for the customer from ``now``; pausing a paused or resolved SLA changes nothing."""
    if state.paused_at is not None or state.resolved_at is not None:
        return state
    return replace(state, paused_at=_utc(now))


def resume(state: SlaState, now: datetime, clock: BusinessClock) -> SlaState:
    """Back from waiting: open due moments move on by the paused business time.

    A target already missed before the pause stays missed (its due does not move).
    """
    if state.paused_at is None:
        return state
    waited = max(0, clock.minutes_between(state.paused_at, now))
    reaction_due, reaction_breached = state.reaction_due, state.reaction_breached
    if state.reacted_at is None:
        reaction_due, missed = _shift(reaction_due, state.paused_at, waited, clock)
        reaction_breached = reaction_breached or missed
    resolution_due, missed = _shift(state.resolution_due, state.paused_at, waited, clock)
    return replace(
        state,
        paused_at=None,
        paused_minutes=state.paused_minutes + waited,
        reaction_due=reaction_due,
        reaction_breached=reaction_breached,
        resolution_due=resolution_due,
        resolution_breached=state.resolution_breached or missed,
    )


def change_priority(
    state: SlaState,
    now: datetime,
    old_target: SlaTarget,
    new_target: SlaTarget,
    clock: BusinessClock,
) -> SlaState:
    """New due moments from the new targets; time already spent counts.

    ``clock`` is the *schedule* clock: the time spent so far is measured on
    the old target's clock, the new due moments on the new target's.  A new
    due is ``due(now, max(0, new target - spent))`` (from the start of the
    current pause while waiting, so that ``resume`` adds the whole pause);
    a target already exceeded is breached at once.  Reached targets stay.
    """
    old_clock, new_clock = clock_for(old_target, clock), clock_for(new_target, clock)
    if state.started_at is None:  # a ticket that never had an SLA gets one now
        return start(now, new_target, new_clock)
    used = spent(state, now, old_clock)
    changed = replace(state)
    if new_clock is not old_clock:
        changed.paused_minutes = new_clock.minutes_between(state.started_at, now) - used
        if changed.paused_at is not None:
            changed.paused_at = _utc(now)
    base = changed.paused_at or now
    if state.reacted_at is None:
        changed.reaction_target = new_target.reaction_minutes
        changed.reaction_due = _remaining_due(new_clock, base, new_target.reaction_minutes, used)
        changed.reaction_breached = state.reaction_breached or _over(
            new_target.reaction_minutes, used
        )
    if state.resolved_at is None:
        changed.resolution_target = new_target.resolution_minutes
        changed.resolution_due = _remaining_due(
            new_clock, base, new_target.resolution_minutes, used
        )
        changed.resolution_breached = state.resolution_breached or _over(
            new_target.resolution_minutes, used
        )
    return changed


def record_resolution(state: SlaState, now: datetime, clock: BusinessClock) -> SlaState:
    """The ticket is resolved at ``now``: actual minutes kept, breach flags set.

    A resolution with no reaction before it is the reaction too; a pause in
    progress ends here.  A second call changes nothing.
    """
    if state.resolved_at is not None:
        return state
    state = record_reaction(state, now, clock)
    resolved = replace(
        state,
        resolved_at=_utc(now),
        resolution_minutes=_actual(state, now, clock),
        resolution_breached=state.resolution_breached
        or _late(state.resolution_due, state, now, clock),
    )
    if state.paused_at is not None:
        waited = max(0, clock.minutes_between(state.paused_at, now))
        resolved.paused_minutes += waited
        resolved.paused_at = None
    return resolved


def reopen(state: SlaState, now: datetime, clock: BusinessClock) -> SlaState:
    """A resolved ticket reopened: the time it sat resolved does not count,
    the resolution due moves on by it, a breach already recorded stays."""
    if state.resolved_at is None:
        return state
    idle = max(0, clock.minutes_between(state.resolved_at, now))
    resolution_due = state.resolution_due
    if resolution_due is not None and not state.resolution_breached:
        resolution_due = _utc(clock.due(resolution_due, idle))
    return replace(
        state,
        resolved_at=None,
        resolution_minutes=None,
        paused_minutes=state.paused_minutes + idle,
        resolution_due=resolution_due,
    )


def breaches(state: SlaState, now: datetime, clock: BusinessClock) -> list[Breach]:
    """Targets missed as of ``now``: recorded ones, and open ones past their due."""
    found: list[Breach] = []
    checks = (
        ("reaction", state.reaction_due, state.reaction_target, state.reacted_at,
         state.reaction_minutes, state.reaction_breached),
        ("resolution", state.resolution_due, state.resolution_target, state.resolved_at,
         state.resolution_minutes, state.resolution_breached),
    )  # fmt: skip
    for kind, due, target, done_at, actual, breached in checks:
        if due is None:
            continue
        if done_at is not None:
            if breached and actual is not None:
                found.append(Breach(kind, due, target, actual))
        elif breached or _late(due, state, now, clock):
            found.append(Breach(kind, due, target, spent(state, now, clock)))
    return found


def update_breaches(state: SlaState, now: datetime, clock: BusinessClock) -> SlaState:
    """``state`` with the breach flags set from ``breaches(state, now, clock)``."""
    kinds = {b.kind for b in breaches(state, now, clock)}
    return replace(
        state,
        reaction_breached=state.reaction_breached or "reaction" in kinds,
        resolution_breached=state.resolution_breached or "resolution" in kinds,
    )


def _actual(state: SlaState, now: datetime, clock: BusinessClock) -> int | None:
    return None if state.started_at is None else spent(state, now, clock)


def _utc(t: datetime) -> datetime:
    return t.astimezone(UTC)


def _due(clock: BusinessClock, now: datetime, minutes: int | None) -> datetime | None:
    return None if minutes is None else _utc(clock.due(now, minutes))


def _remaining_due(
    clock: BusinessClock, base: datetime, target: int | None, used: int
) -> datetime | None:
    return None if target is None else _utc(clock.due(base, max(0, target - used)))


def _over(target: int | None, used: int) -> bool:
    return target is not None and used > target


def _shift(
    due: datetime | None, paused_at: datetime, waited: int, clock: BusinessClock
) -> tuple[datetime | None, bool]:
    """A due moved by a pause; ``True`` if it had passed before the pause began."""
    if due is None:
        return None, False
    if clock.seconds_between(due, paused_at) > 0:
        return due, True
    return _utc(clock.due(due, waited)), False


def _late(due: datetime | None, state: SlaState, now: datetime, clock: BusinessClock) -> bool:
    """Whether business time has run past ``due`` by ``now`` (a deadline at 13:00 is
    not missed during the 13:00–14:00 lunch), ``due`` moved by a pause in progress."""
    if due is None:
        return False
    if state.paused_at is not None:
        waited = max(0, clock.minutes_between(state.paused_at, now))
        moved, missed = _shift(due, state.paused_at, waited, clock)
        return missed or (moved is not None and clock.seconds_between(moved, now) > 0)
    return clock.seconds_between(due, now) > 0
