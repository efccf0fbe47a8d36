"""The production calendar against the official Russian calendars of 2024–2026."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from desk.calendar import DayKind, ProductionCalendar, UnknownCalendar, get_calendar

RU = get_calendar("RU")


def _days(year: int, kind: DayKind) -> list[date]:
    start = date(year, 1, 1)
    return [start + timedelta(days=i) for i, k in enumerate(RU.year_kinds(year)) if k is kind]


@pytest.mark.parametrize(
    ("year", "shortened"),
    [
        (2024, ["2024-02-22", "2024-03-07", "2024-05-08", "2024-06-11", "2024-11-02"]),
        (2025, ["2025-03-07", "2025-04-30", "2025-06-11", "2025-11-01"]),
        (2026, ["2026-04-30", "2026-05-08", "2026-06-11", "2026-11-03"]),
    ],
)
def test_shortened_days_are_the_official_pre_holiday_days(year: int, shortened: list[str]) -> None:
    """Exactly the pre-holiday days of the government's calendar are one hour shorter."""
    assert _days(year, DayKind.SHORTENED) == [date.fromisoformat(d) for d in shortened]


@pytest.mark.parametrize(
    ("year", "working_days", "hours_40"),
    [(2024, 248, 1979), (2025, 247, 1972), (2026, 247, 1972)],
)
def test_year_totals_match_the_official_norms(year: int, working_days: int, hours_40: int) -> None:
    """Working days and the 40-hour-week norm (8 h a day, 7 h on shortened days)."""
    working = _days(year, DayKind.WORKING)
    shortened = _days(year, DayKind.SHORTENED)
    assert len(working) + len(shortened) == working_days
    assert 8 * len(working) + 7 * len(shortened) == hours_40


@pytest.mark.parametrize(
    "day",
    [
        "2024-11-02",  # Saturday made working (for 30 April)
        "2024-12-28",  # Saturday made working (for 30 December)
        "2024-04-27",  # Saturday made working (for 29 April)
        "2025-11-01",  # Saturday made working (for 3 November)
    ],
)
def test_transferred_working_saturdays_are_working(day: str) -> None:
    """A Saturday the government made a working day is not a day off."""
    assert RU.is_working_day(date.fromisoformat(day))


@pytest.mark.parametrize(
    "day",
    [
        "2024-04-29",
        "2024-04-30",
        "2024-12-30",
        "2024-12-31",
        "2025-05-02",
        "2025-05-08",
        "2025-06-13",
        "2025-11-03",
        "2025-12-31",
        "2026-01-09",
        "2026-03-09",  # 8 March fell on a Sunday
        "2026-05-11",  # 9 May fell on a Saturday
        "2026-12-31",
    ],
)
def test_transferred_and_moved_days_off_are_off(day: str) -> None:
    """Weekdays off by decree, or because a holiday fell on a weekend, are off."""
    assert RU.day_kind(date.fromisoformat(day)) is DayKind.OFF


@pytest.mark.parametrize(
    ("first_working", "year"), [("2024-01-09", 2024), ("2025-01-09", 2025), ("2026-01-12", 2026)]
)
def test_january_holidays_end_on_the_official_day(first_working: str, year: int) -> None:
    """Every day of January before the first working day is off."""
    first = date.fromisoformat(first_working)
    assert all(not RU.is_working_day(date(year, 1, d)) for d in range(1, first.day))
    assert RU.day_kind(first) is DayKind.WORKING


def test_last_working_days_of_the_years() -> None:
    """27 Dec 2024 is an ordinary Friday; 30 Dec 2025 and 2026 end the year, not shortened."""
    assert RU.day_kind(date(2024, 12, 27)) is DayKind.WORKING
    assert RU.day_kind(date(2024, 12, 28)) is DayKind.WORKING  # Saturday, full length
    assert RU.day_kind(date(2025, 12, 30)) is DayKind.WORKING
    assert RU.day_kind(date(2026, 12, 30)) is DayKind.WORKING


def test_friday_before_a_weekend_before_a_holiday_is_not_shortened() -> None:
    """20 Feb 2026 (Fri) precedes a weekend, not the holiday of 23 Feb (Mon)."""
    assert RU.day_kind(date(2026, 2, 20)) is DayKind.WORKING
    assert RU.day_kind(date(2026, 2, 23)) is DayKind.OFF


def test_day_before_a_holiday_on_a_saturday_is_shortened() -> None:
    """8 March 2025 was a Saturday: Friday 7 March was still one hour shorter."""
    assert RU.day_kind(date(2025, 3, 7)) is DayKind.SHORTENED


def test_plain_week_calendar_has_only_weekends_off() -> None:
    """Without a calendar, 1 January is a working day and no day is shortened."""
    plain = get_calendar(None)
    assert plain.day_kind(date(2026, 1, 1)) is DayKind.WORKING  # Thursday
    assert plain.day_kind(date(2026, 1, 3)) is DayKind.OFF  # Saturday
    assert DayKind.SHORTENED not in plain.year_kinds(2026)


def test_unknown_calendar_is_refused_with_its_name() -> None:
    """A calendar name other than RU or none is a clear error."""
    with pytest.raises(UnknownCalendar, match="'US'"):
        ProductionCalendar("US")
    with pytest.raises(UnknownCalendar):
        get_calendar("ru")


def test_get_calendar_shares_one_instance() -> None:
    """Each calendar is built once and cached."""
    assert get_calendar("RU") is get_calendar("RU")
