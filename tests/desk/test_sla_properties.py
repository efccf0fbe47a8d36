"""SLA properties for every start, pause and target."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from desk import sla
from desk.clock import BusinessClock
from desk.model import ScheduleSpec, SlaTarget, TimeRange

OFFICE = BusinessClock.from_spec(ScheduleSpec("office", breaks=(TimeRange(780, 840),)))
moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2026, 11, 1), timezones=st.just(UTC)
)
targets = st.integers(min_value=1, max_value=5 * 480)
offsets = st.integers(min_value=0, max_value=10 * 86400)


@settings(max_examples=200, deadline=None)
@given(moments, targets, offsets, offsets)
def test_at_the_moved_due_exactly_the_target_is_spent(
    t: datetime, target: int, before_pause: int, pause_length: int
) -> None:
    """After a pause, the resolution due is where the net time spent reaches the target."""
    state = sla.start(t, SlaTarget(None, target), OFFICE)
    paused_at = t + timedelta(seconds=before_pause)
    assume(state.resolution_due is not None and paused_at < state.resolution_due)
    state = sla.pause(state, paused_at)
    state = sla.resume(state, paused_at + timedelta(seconds=pause_length), OFFICE)
    assert state.resolution_due is not None
    assert sla.spent(state, state.resolution_due, OFFICE) == target
    assert not state.resolution_breached
    assert sla.breaches(state, state.resolution_due, OFFICE) == []


@settings(max_examples=200, deadline=None)
@given(moments, targets, targets, offsets)
def test_a_priority_change_gives_the_new_target_in_total(
    t: datetime, old: int, new: int, after: int
) -> None:
    """Changing targets mid-way: at the new due, the time spent is the new target
    (or the target was already exceeded and is flagged)."""
    state = sla.start(t, SlaTarget(None, old), OFFICE)
    now = t + timedelta(seconds=after)
    used = sla.spent(state, now, OFFICE)
    changed = sla.change_priority(state, now, SlaTarget(None, old), SlaTarget(None, new), OFFICE)
    assert changed.resolution_due is not None
    if used > new:
        assert changed.resolution_breached
    else:
        assert sla.spent(changed, changed.resolution_due, OFFICE) == new
