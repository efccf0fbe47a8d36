"""Properties of the business clock that hold for every moment and every schedule.

Moments are drawn from 2024–2027 in UTC (the clock converts), with seconds and
microseconds; minutes up to two months of office time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from desk.clock import BusinessClock
from desk.model import CloseDays, ScheduleSpec, TimeRange

LUNCH = (TimeRange(13 * 60, 14 * 60),)
CLOCKS = [
    BusinessClock.from_spec(ScheduleSpec("moscow", breaks=LUNCH)),
    BusinessClock.from_spec(
        ScheduleSpec("berlin", timezone="Europe/Berlin", hours=TimeRange(8 * 60, 17 * 60),
                     breaks=(TimeRange(12 * 60, 12 * 60 + 30),), calendar=None)
    ),
    BusinessClock.from_spec(ScheduleSpec("vladivostok", timezone="Asia/Vladivostok")),
    BusinessClock.from_spec(
        ScheduleSpec("close", breaks=LUNCH, close_days=CloseDays(until=23 * 60, last=2, first=3))
    ),
    BusinessClock.from_spec(
        ScheduleSpec("night", timezone="Europe/Berlin", hours=TimeRange(0, 4 * 60), calendar=None)
    ),
    BusinessClock.round_the_clock("Europe/Berlin"),
]  # fmt: skip

clocks = st.sampled_from(CLOCKS)
moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2027, 10, 1), timezones=st.just(UTC)
)
minutes = st.integers(min_value=0, max_value=2 * 22 * 8 * 60)
positive = st.integers(min_value=1, max_value=2 * 22 * 8 * 60)
SETTINGS = settings(max_examples=300, deadline=None)


@SETTINGS
@given(clocks, moments, minutes, minutes)
def test_due_composes(clock: BusinessClock, t: datetime, a: int, b: int) -> None:
    """due(due(t, a), b) == due(t, a + b) for every t, a, b >= 0."""
    assert clock.due(clock.due(t, a), b) == clock.due(t, a + b)


@SETTINGS
@given(clocks, moments, minutes)
def test_minutes_between_inverts_due(clock: BusinessClock, t: datetime, m: int) -> None:
    """minutes_between(t, due(t, m)) == m, and backwards it is -m."""
    due = clock.due(t, m)
    assert clock.minutes_between(t, due) == m
    assert clock.minutes_between(due, t) == -m


@SETTINGS
@given(clocks, moments, minutes, positive)
def test_due_grows_with_minutes(clock: BusinessClock, t: datetime, m: int, more: int) -> None:
    """More business minutes give a strictly later due moment."""
    assert clock.due(t, m) < clock.due(t, m + more)


@SETTINGS
@given(clocks, moments, positive)
def test_due_is_never_in_a_gap(clock: BusinessClock, t: datetime, m: int) -> None:
    """The second before a due moment (m > 0) is working time: due ends a working minute."""
    due = clock.due(t, m)
    assert clock.is_working(due - timedelta(seconds=1))
    assert due.tzinfo is clock.tz


@SETTINGS
@given(clocks, moments)
def test_is_working_agrees_with_the_days_ranges(clock: BusinessClock, t: datetime) -> None:
    """is_working(t) is true exactly when t's local time falls in that day's working ranges."""
    local = t.astimezone(clock.tz)
    minute = local.hour * 60 + local.minute
    expected = any(r.start <= minute < r.end for r in clock.intervals_on(local.date()))
    assert clock.is_working(t) == expected


@SETTINGS
@given(clocks, st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 9, 30)))
def test_a_day_holds_its_working_minutes(clock: BusinessClock, d: date) -> None:
    """Business minutes from one local midnight to the next equal working_minutes_on(d)."""
    start = datetime(d.year, d.month, d.day, tzinfo=clock.tz)
    nxt = d + timedelta(days=1)
    end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=clock.tz)
    assert clock.minutes_between(start, end) == clock.working_minutes_on(d)


@SETTINGS
@given(clocks, moments, moments, moments)
def test_minutes_between_adds_up(
    clock: BusinessClock, a: datetime, b: datetime, c: datetime
) -> None:
    """Business time over [a, c) is the time over [a, b) plus [b, c), up to a minute of rounding."""
    a, b, c = sorted((a, b, c))
    total = clock.minutes_between(a, c)
    parts = clock.minutes_between(a, b) + clock.minutes_between(b, c)
    assert parts <= total <= parts + 1
