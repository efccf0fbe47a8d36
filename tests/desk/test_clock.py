"""The business clock on examples: holidays, shortened days, breaks, zones, year ends."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from desk.clock import BadSchedule, BusinessClock
from desk.model import CloseDays, ScheduleSpec, TimeRange

MSK = ZoneInfo("Europe/Moscow")
LUNCH = (TimeRange(13 * 60, 14 * 60),)
OFFICE = BusinessClock.from_spec(ScheduleSpec("office", breaks=LUNCH))


def msk(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=MSK)


def test_due_within_one_morning() -> None:
    """30 minutes from 09:00 on a Monday is 09:30, in the schedule's zone."""
    due = OFFICE.due(msk(2026, 5, 4, 9, 0), 30)
    assert due == msk(2026, 5, 4, 9, 30)
    assert due.isoformat() == "2026-05-04T09:30:00+03:00"


def test_due_keeps_the_seconds_of_the_start() -> None:
    """09:10:30 plus 5 business minutes is 09:15:30."""
    assert OFFICE.due(msk(2026, 5, 4, 9, 10, 30), 5) == msk(2026, 5, 4, 9, 15, 30)


def test_due_of_zero_minutes_is_the_start_itself() -> None:
    """due(t, 0) == t, even at night."""
    night = msk(2026, 5, 4, 3, 0)
    assert OFFICE.due(night, 0) == night


def test_due_skips_the_lunch_break() -> None:
    """An hour from 12:30 crosses 13:00–14:00 and ends at 14:30."""
    assert OFFICE.due(msk(2026, 5, 4, 12, 30), 60) == msk(2026, 5, 4, 14, 30)


def test_due_ending_at_the_break_is_the_break_start() -> None:
    """The minute that ends at 13:00 gives 13:00, not 14:00."""
    assert OFFICE.due(msk(2026, 5, 4, 12, 30), 30) == msk(2026, 5, 4, 13, 0)


def test_due_from_the_night_counts_from_the_morning() -> None:
    """A ticket filed at 03:00 starts counting at 09:00."""
    assert OFFICE.due(msk(2026, 5, 4, 3, 0), 15) == msk(2026, 5, 4, 9, 15)


def test_due_over_the_may_holidays() -> None:
    """From Thursday 30 April 2026 (shortened, ends 17:00) over 1–3 May to Monday 4 May."""
    start = msk(2026, 4, 30, 16, 0)
    assert OFFICE.due(start, 60) == msk(2026, 4, 30, 17, 0)
    assert OFFICE.due(start, 61) == msk(2026, 5, 4, 9, 1)


def test_shortened_day_has_seven_hours() -> None:
    """8 May 2026 (before Victory Day) has 7 business hours, an ordinary day 8."""
    assert OFFICE.working_minutes_on(date(2026, 5, 8)) == 7 * 60
    assert OFFICE.working_minutes_on(date(2026, 5, 7)) == 8 * 60
    assert OFFICE.working_minutes_on(date(2026, 5, 9)) == 0


def test_due_over_the_year_end_and_january_holidays() -> None:
    """From the last working day of 2026 the next business minute is on 11 January 2027."""
    assert OFFICE.due(msk(2026, 12, 30, 17, 30), 60) == msk(2027, 1, 11, 9, 30)
    assert OFFICE.due(msk(2025, 12, 30, 17, 0), 120) == msk(2026, 1, 12, 10, 0)


def test_minutes_between_over_the_new_year() -> None:
    """From 30 Dec 2025 17:00 to 12 Jan 2026 10:00: one hour + one hour."""
    assert OFFICE.minutes_between(msk(2025, 12, 30, 17, 0), msk(2026, 1, 12, 10, 0)) == 120


def test_minutes_between_is_negative_backwards() -> None:
    """Swapping the ends flips the sign."""
    a, b = msk(2026, 5, 4, 9, 0), msk(2026, 5, 5, 12, 0)
    assert OFFICE.minutes_between(a, b) == 8 * 60 + 3 * 60
    assert OFFICE.minutes_between(b, a) == -(8 * 60 + 3 * 60)


def test_minutes_between_rounds_down_to_whole_minutes() -> None:
    """59 seconds of working time are 0 business minutes."""
    assert OFFICE.minutes_between(msk(2026, 5, 4, 9, 0, 0), msk(2026, 5, 4, 9, 0, 59)) == 0


def test_is_working_at_the_edges() -> None:
    """Working time includes its start and excludes its end."""
    assert OFFICE.is_working(msk(2026, 5, 4, 9, 0))
    assert not OFFICE.is_working(msk(2026, 5, 4, 8, 59, 59))
    assert not OFFICE.is_working(msk(2026, 5, 4, 13, 0))
    assert OFFICE.is_working(msk(2026, 5, 4, 14, 0))
    assert not OFFICE.is_working(msk(2026, 5, 4, 18, 0))
    assert not OFFICE.is_working(msk(2026, 5, 1, 12, 0))  # 1 May


def test_input_in_another_zone_is_understood() -> None:
    """06:00 UTC is 09:00 in Moscow; the answer comes in Moscow time."""
    due = OFFICE.due(datetime(2026, 5, 4, 6, 0, tzinfo=UTC), 30)
    assert due.isoformat() == "2026-05-04T09:30:00+03:00"


def test_naive_datetimes_are_refused() -> None:
    """A datetime without a zone has no meaning for business time."""
    with pytest.raises(ValueError, match="naive"):
        OFFICE.due(datetime(2026, 5, 4, 9, 0), 5)


def test_negative_minutes_are_refused() -> None:
    """due() only goes forward."""
    with pytest.raises(ValueError, match="negative"):
        OFFICE.due(msk(2026, 5, 4, 9, 0), -1)


def test_month_hours_match_the_production_calendar() -> None:
    """May 2026: 19 working days, one of them shortened: 151 hours (no lunch: 9–18 less 1 h)."""
    assert OFFICE.business_minutes_in_month(2026, 5) == 151 * 60
    assert OFFICE.business_minutes_in_month(2026, 1) == 15 * 8 * 60


def test_day_minutes_is_hours_less_breaks() -> None:
    """09:00–18:00 with an hour of lunch is an 8-hour day; 24/7 is 1440 minutes."""
    assert OFFICE.day_minutes == 480
    assert BusinessClock.round_the_clock("Europe/Moscow").day_minutes == 1440


def test_berlin_over_the_spring_dst_change() -> None:
    """Berlin moves to summer time on 29 March 2026; office hours stay 09:00–17:00 local."""
    berlin = ZoneInfo("Europe/Berlin")
    clock = BusinessClock.from_spec(
        ScheduleSpec("berlin", timezone="Europe/Berlin", hours=TimeRange(9 * 60, 17 * 60),
                     calendar=None)
    )  # fmt: skip
    friday = datetime(2026, 3, 27, 16, 0, tzinfo=berlin)
    due = clock.due(friday, 120)
    assert due == datetime(2026, 3, 30, 10, 0, tzinfo=berlin)
    assert due.isoformat() == "2026-03-30T10:00:00+02:00"


def test_round_the_clock_counts_real_time_over_dst() -> None:
    """A 24/7 Berlin clock counts 23 hours on the spring-forward day."""
    clock = BusinessClock.round_the_clock("Europe/Berlin")
    assert clock.working_minutes_on(date(2026, 3, 29)) == 23 * 60
    assert clock.working_minutes_on(date(2026, 10, 25)) == 25 * 60
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 3, 29, 1, 0, tzinfo=berlin)
    assert clock.due(start, 60) == datetime(2026, 3, 29, 3, 0, tzinfo=berlin)


def test_round_the_clock_ignores_holidays() -> None:
    """On 1 January a 24/7 clock runs as on any day."""
    clock = BusinessClock.round_the_clock("Europe/Moscow")
    assert clock.due(msk(2026, 1, 1, 23, 50), 30) == msk(2026, 1, 2, 0, 20)
    assert clock.minutes_between(msk(2026, 1, 1), msk(2026, 1, 2)) == 1440
    assert clock.is_working(msk(2026, 1, 1, 3, 0))


def test_vladivostok_office_counts_in_its_own_zone() -> None:
    """09:00 in Vladivostok is 02:00 in Moscow; the Moscow morning is their afternoon."""
    vvo = ZoneInfo("Asia/Vladivostok")
    clock = BusinessClock.from_spec(ScheduleSpec("vvo", timezone="Asia/Vladivostok"))
    assert clock.is_working(msk(2026, 5, 4, 2, 0))
    assert not clock.is_working(msk(2026, 5, 4, 12, 0))  # 19:00 in Vladivostok
    due = clock.due(msk(2026, 5, 4, 10, 30), 60)  # 17:30 there, the day ends at 18:00
    assert due == datetime(2026, 5, 5, 9, 30, tzinfo=vvo)
    assert due.isoformat() == "2026-05-05T09:30:00+10:00"


CLOSE = BusinessClock.from_spec(
    ScheduleSpec("close", breaks=LUNCH, close_days=CloseDays(until=23 * 60, last=3, first=5))
)


def test_close_days_extend_to_23_00() -> None:
    """The last 3 and the first 5 working days of a month run to 23:00."""
    assert CLOSE.working_minutes_on(date(2026, 5, 26)) == 8 * 60  # 4th from the end
    assert CLOSE.working_minutes_on(date(2026, 5, 27)) == 13 * 60
    assert CLOSE.working_minutes_on(date(2026, 5, 29)) == 13 * 60
    assert CLOSE.working_minutes_on(date(2026, 6, 1)) == 13 * 60  # 1st working day of June
    assert CLOSE.working_minutes_on(date(2026, 6, 8)) == 8 * 60  # 6th working day
    assert CLOSE.due(msk(2026, 5, 29, 22, 0), 30) == msk(2026, 5, 29, 22, 30)


def test_shortened_close_day_ends_an_hour_early() -> None:
    """30 April 2026 is both a close day and pre-holiday: it ends at 22:00."""
    assert CLOSE.working_minutes_on(date(2026, 4, 30)) == 12 * 60
    assert CLOSE.due(msk(2026, 4, 30, 21, 30), 30) == msk(2026, 4, 30, 22, 0)
    assert CLOSE.due(msk(2026, 4, 30, 21, 30), 31) == msk(2026, 5, 4, 9, 1)


def test_schedule_with_no_working_time_is_refused() -> None:
    """Breaks that swallow the whole day are a clear error, not an endless search."""
    with pytest.raises(BadSchedule, match="no working time"):
        BusinessClock.from_spec(ScheduleSpec("none", breaks=(TimeRange(0, 1440),)))


def test_earlier_years_load_on_demand() -> None:
    """A clock first asked about 2026 still answers about 2024 correctly."""
    clock = BusinessClock.from_spec(ScheduleSpec("fresh", breaks=LUNCH))
    assert clock.due(msk(2026, 5, 4, 9, 0), 1) == msk(2026, 5, 4, 9, 1)
    assert (
        clock.minutes_between(msk(2024, 12, 27, 17, 0), msk(2025, 1, 9, 10, 0)) == 60 + 8 * 60 + 60
    )


def test_absurdly_far_due_is_refused() -> None:
    """A billion business minutes (thousands of years) is a clear error, not a hang."""
    clock = BusinessClock.from_spec(ScheduleSpec("plain", calendar=None))
    with pytest.raises(ValueError, match="reach beyond"):
        clock.due(msk(2026, 5, 4, 9, 0), 1_000_000_000)
