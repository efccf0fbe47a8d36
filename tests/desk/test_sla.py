"""SLA per ticket: due times, waiting for the customer, priority changes, breaches."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from desk import sla
from desk.clock import BusinessClock
from desk.enums import Priority
from desk.model import ScheduleSpec, SlaState, SlaTarget, TimeRange

MSK = ZoneInfo("Europe/Moscow")
OFFICE = BusinessClock.from_spec(ScheduleSpec("office", breaks=(TimeRange(780, 840),)))
TARGETS = sla.default_targets(OFFICE.day_minutes)
P1, P2, P3, P4, P5 = (TARGETS[p] for p in Priority)


def msk(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=MSK)


MONDAY_9 = msk(5, 18, 9)  # an ordinary Monday


def test_default_targets_follow_the_design() -> None:
    """P1 15m/30m 24/7, P2 30m/4h, P3 1h/8h, P4 4h/3 days, P5 1 day/none."""
    assert SlaTarget(15, 30, round_the_clock=True) == P1
    assert SlaTarget(30, 240) == P2
    assert SlaTarget(60, 480) == P3
    assert SlaTarget(240, 3 * 480) == P4
    assert SlaTarget(480, None) == P5


def test_start_sets_both_due_times_in_utc() -> None:
    """A P3 ticket at 09:00 Monday: reaction by 10:00, resolution by 18:00 (lunch skipped)."""
    state = sla.start(MONDAY_9, P3, OFFICE)
    assert state.reaction_due == msk(5, 18, 10)
    assert state.resolution_due == msk(5, 18, 18)
    assert state.reaction_due is not None
    assert state.reaction_due.tzinfo is UTC
    assert (state.reaction_target, state.resolution_target) == (60, 480)


def test_p5_has_no_resolution_due() -> None:
    """P5 is resolved by plan: no resolution due, never a resolution breach."""
    state = sla.start(MONDAY_9, P5, OFFICE)
    assert state.resolution_due is None
    assert [b.kind for b in sla.breaches(state, msk(12, 1, 12), OFFICE)] == ["reaction"]


def test_p1_counts_round_the_clock_on_a_saturday() -> None:
    """clock_for(P1) is 24/7: a Saturday-night P1 is due 15 and 30 minutes later."""
    clock = sla.clock_for(P1, OFFICE)
    state = sla.start(msk(5, 16, 3), P1, clock)
    assert state.reaction_due == msk(5, 16, 3, 15)
    assert state.resolution_due == msk(5, 16, 3, 30)
    assert sla.clock_for(P3, OFFICE) is OFFICE


def test_reaction_on_time_keeps_actual_minutes() -> None:
    """A reply after 20 business minutes meets the target; a second reply changes nothing."""
    state = sla.record_reaction(sla.start(MONDAY_9, P3, OFFICE), msk(5, 18, 9, 20), OFFICE)
    assert state.reaction_minutes == 20
    assert not state.reaction_breached
    again = sla.record_reaction(state, msk(5, 18, 15), OFFICE)
    assert again == state


def test_late_reaction_is_a_breach_with_the_actual_time() -> None:
    """A P2 reply after 45 minutes misses the 30-minute target; the report shows 30 vs 45."""
    state = sla.record_reaction(sla.start(MONDAY_9, P2, OFFICE), msk(5, 18, 9, 45), OFFICE)
    assert state.reaction_breached
    [breach] = sla.breaches(state, msk(5, 18, 10), OFFICE)
    assert (breach.kind, breach.target_minutes, breach.actual_minutes) == ("reaction", 30, 45)


def test_waiting_for_the_customer_moves_the_due_times() -> None:
    """Paused from Mon 09:30 to Tue 09:30 (8 business hours): both dues move a business day."""
    state = sla.pause(sla.start(MONDAY_9, P3, OFFICE), msk(5, 18, 9, 30))
    state = sla.resume(state, msk(5, 19, 9, 30), OFFICE)
    assert state.paused_at is None
    assert state.paused_minutes == 480
    assert state.reaction_due == msk(5, 19, 10)
    assert state.resolution_due == msk(5, 19, 18)
    assert sla.spent(state, msk(5, 19, 10), OFFICE) == 60


def test_pause_after_the_reaction_leaves_the_reaction_due() -> None:
    """Once reacted, only the resolution due moves on resume."""
    state = sla.record_reaction(sla.start(MONDAY_9, P3, OFFICE), msk(5, 18, 9, 10), OFFICE)
    state = sla.pause(state, msk(5, 18, 9, 30))
    state = sla.resume(state, msk(5, 18, 11, 30), OFFICE)
    assert state.reaction_due == msk(5, 18, 10)
    assert state.resolution_due == msk(5, 19, 11)  # 18:00 Mon + 2 h paused


def test_no_breach_while_waiting_past_the_old_due() -> None:
    """Waiting for the customer stops the clock: an old due passing is no breach."""
    state = sla.pause(sla.start(MONDAY_9, P2, OFFICE), msk(5, 18, 9, 10))
    assert sla.breaches(state, msk(5, 18, 17), OFFICE) == []


def test_a_target_missed_before_the_pause_stays_missed() -> None:
    """Pausing after the due passed does not forgive the breach."""
    state = sla.pause(sla.start(MONDAY_9, P2, OFFICE), msk(5, 18, 10))
    state = sla.resume(state, msk(5, 18, 11), OFFICE)
    assert state.reaction_breached
    assert state.reaction_due == msk(5, 18, 9, 30)


def test_pausing_twice_keeps_the_first_pause() -> None:
    """A second pause while waiting changes nothing; resume without pause changes nothing."""
    state = sla.pause(sla.start(MONDAY_9, P3, OFFICE), msk(5, 18, 9, 30))
    assert sla.pause(state, msk(5, 18, 10)) == state
    running = sla.start(MONDAY_9, P3, OFFICE)
    assert sla.resume(running, msk(5, 18, 10), OFFICE) == running


def test_raising_the_priority_counts_time_already_spent() -> None:
    """P3 -> P2 at 11:00, two business hours in: two of the 4-hour resolution are left."""
    state = sla.record_reaction(sla.start(MONDAY_9, P3, OFFICE), msk(5, 18, 9, 5), OFFICE)
    changed = sla.change_priority(state, msk(5, 18, 11), P3, P2, OFFICE)
    assert changed.resolution_due == msk(5, 18, 13)  # the last minute ends as lunch begins
    assert changed.resolution_target == 240
    assert changed.reaction_due == state.reaction_due  # already reacted
    assert sla.breaches(changed, msk(5, 18, 13, 30), OFFICE) == []  # lunch does not count
    assert [b.kind for b in sla.breaches(changed, msk(5, 18, 14, 1), OFFICE)] == ["resolution"]


def test_raising_the_priority_past_its_target_is_a_breach_at_once() -> None:
    """P4 -> P2 after 5 business hours exceeds 4 hours: breached immediately."""
    state = sla.start(MONDAY_9, P4, OFFICE)
    changed = sla.change_priority(state, msk(5, 18, 15), P4, P2, OFFICE)
    assert changed.resolution_breached
    assert changed.reaction_breached  # not reacted in 5 h either (P2: 30 min)


def test_lowering_from_p1_on_a_weekend_keeps_the_minutes_spent_24_7() -> None:
    """A Saturday P1 lowered to P2 after 10 minutes: 20 reaction minutes are left, counted
    from Monday morning on the office schedule."""
    saturday = msk(5, 16, 10)
    state = sla.start(saturday, P1, sla.clock_for(P1, OFFICE))
    changed = sla.change_priority(state, msk(5, 16, 10, 10), P1, P2, OFFICE)
    assert changed.reaction_due == msk(5, 18, 9, 20)
    assert changed.resolution_due == msk(5, 18, 12, 50)
    assert sla.spent(changed, msk(5, 18, 9, 20), OFFICE) == 30


def test_priority_change_while_waiting_moves_from_the_pause() -> None:
    """Changing the priority while paused: resume still adds the whole pause."""
    state = sla.pause(sla.start(MONDAY_9, P3, OFFICE), msk(5, 18, 10))
    changed = sla.change_priority(state, msk(5, 18, 11), P3, P2, OFFICE)
    resumed = sla.resume(changed, msk(5, 18, 12), OFFICE)
    assert resumed.resolution_due == msk(5, 18, 16)  # 10:00 + 3 h left = 13:00, + 2 h paused


def test_resolution_records_actual_minutes_and_the_reaction() -> None:
    """Resolved after 5 business hours with no reply before: reaction and resolution recorded."""
    state = sla.record_resolution(sla.start(MONDAY_9, P3, OFFICE), msk(5, 18, 15), OFFICE)
    assert state.resolution_minutes == 300
    assert not state.resolution_breached
    assert state.reaction_minutes == 300
    assert state.reaction_breached
    assert [b.kind for b in sla.breaches(state, msk(5, 25, 9), OFFICE)] == ["reaction"]


def test_resolution_while_waiting_ends_the_pause() -> None:
    """Resolving a paused ticket: the pause does not count, and no breach from it."""
    state = sla.record_reaction(sla.start(MONDAY_9, P2, OFFICE), msk(5, 18, 9, 10), OFFICE)
    state = sla.pause(state, msk(5, 18, 10))
    state = sla.record_resolution(state, msk(5, 20, 10), OFFICE)
    assert state.paused_at is None
    assert state.resolution_minutes == 60
    assert not state.resolution_breached


def test_open_ticket_past_due_is_reported_with_time_so_far() -> None:
    """No reply two hours into a P3: a reaction breach of 120 minutes against 60."""
    state = sla.start(MONDAY_9, P3, OFFICE)
    assert sla.breaches(state, msk(5, 18, 10), OFFICE) == []
    [breach] = sla.breaches(state, msk(5, 18, 11), OFFICE)
    assert (breach.kind, breach.target_minutes, breach.actual_minutes) == ("reaction", 60, 120)
    updated = sla.update_breaches(state, msk(5, 18, 11), OFFICE)
    assert updated.reaction_breached
    assert not updated.resolution_breached
    assert not state.reaction_breached  # the given state is not changed


def test_reopened_ticket_does_not_count_the_time_it_sat_resolved() -> None:
    """Resolved Mon 12:00, reopened Tue 12:00: the resolution due moves a business day."""
    state = sla.record_resolution(sla.start(MONDAY_9, P3, OFFICE), msk(5, 18, 12), OFFICE)
    reopened = sla.reopen(state, msk(5, 19, 12), OFFICE)
    assert reopened.resolved_at is None
    assert reopened.resolution_due == msk(5, 19, 18)
    assert sla.spent(reopened, msk(5, 19, 13), OFFICE) == 4 * 60


def test_a_state_without_a_start_records_times_without_minutes() -> None:
    """An SLA never started (no due times) records moments, no minutes, no breach."""
    empty = SlaState(None, None)
    state = sla.record_resolution(empty, MONDAY_9, OFFICE)
    assert state.resolved_at == MONDAY_9
    assert state.resolution_minutes is None
    assert sla.breaches(state, msk(6, 1, 9), OFFICE) == []
    started = sla.change_priority(empty, MONDAY_9, P3, P2, OFFICE)
    assert started.reaction_due == msk(5, 18, 9, 30)


def test_spent_of_an_unstarted_sla_is_a_clear_error() -> None:
    """Asking how much time an SLA that never started has used is refused."""
    with pytest.raises(ValueError, match="never started"):
        sla.spent(SlaState(None, None), MONDAY_9, OFFICE)
