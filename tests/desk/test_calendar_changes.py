"""Corrections of the production calendar in a schedule (``calendar_changes``):
a day off a decree added after the release, a transferred working Saturday, a
shortened day -- each moves due times, and the config states them once per date."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from desk.calendar import DayKind, get_calendar
from desk.clock import clock_of
from desk.config import parse_config
from desk.errors import ConfigError
from desk.model import ScheduleSpec, TimeRange

MSK = ZoneInfo("Europe/Moscow")
LUNCH = (TimeRange(13 * 60, 14 * 60),)


def office(*changes: tuple[date, DayKind]) -> ScheduleSpec:
    return ScheduleSpec("office", breaks=LUNCH, calendar_changes=tuple(sorted(changes)))


def msk(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=MSK)


def test_a_day_off_added_by_a_decree_moves_the_due_time_a_day_later() -> None:
    """Two hours from Friday 30 April 16:00 (a shortened day): 10:00 on Tuesday 4 May,
    the next working day; with 4 May made a day off, 10:00 on Wednesday 5 May."""
    start = msk(4, 30, 16)
    assert clock_of(office()).due(start, 120) == msk(5, 4, 10)
    assert clock_of(office((date(2027, 5, 4), DayKind.OFF))).due(start, 120) == msk(5, 5, 10)


def test_a_transferred_working_saturday_counts() -> None:
    """Two hours from Friday 7 May 17:00: Tuesday 11 May 10:00 (8-10 May are off);
    with Saturday 8 May a working day, 10:00 that Saturday."""
    start = msk(5, 7, 17)
    assert clock_of(office()).due(start, 120) == msk(5, 11, 10)
    working = office((date(2027, 5, 8), DayKind.WORKING))
    assert clock_of(working).due(start, 120) == msk(5, 8, 10)
    assert clock_of(working).calendar.is_working_day(date(2027, 5, 8))


def test_a_shortened_day_ends_an_hour_earlier() -> None:
    """Tuesday 12 January made shortened: 7 business hours, and an hour from 17:00
    is no longer 18:00 that day but 09:00 plus the rest on the next."""
    short = clock_of(office((date(2027, 1, 12), DayKind.SHORTENED)))
    assert short.working_minutes_on(date(2027, 1, 12)) == 7 * 60
    assert clock_of(office()).due(msk(1, 12, 16, 30), 60) == msk(1, 12, 17, 30)
    assert short.due(msk(1, 12, 16, 30), 60) == msk(1, 13, 9, 30)


def test_corrections_change_only_their_own_schedule() -> None:
    """The shared calendar and a schedule without corrections are untouched."""
    clock_of(office((date(2027, 5, 4), DayKind.OFF))).due(msk(5, 4, 9), 1)
    assert get_calendar("RU").day_kind(date(2027, 5, 4)) is DayKind.WORKING
    assert clock_of(office()).is_working(msk(5, 4, 10))


CONFIG = """
[schedules.office]
hours = "09:00-18:00"
breaks = ["13:00-14:00"]

[schedules.office.calendar_changes]
days_off = [2027-05-04, "2027-05-05"]
working_days = [2027-05-08]
short_days = [2027-01-12]
"""


def test_the_config_reads_the_three_lists_into_the_schedule() -> None:
    spec = parse_config(CONFIG).schedules["office"]
    assert spec.calendar_changes == (
        (date(2027, 1, 12), DayKind.SHORTENED),
        (date(2027, 5, 4), DayKind.OFF),
        (date(2027, 5, 5), DayKind.OFF),
        (date(2027, 5, 8), DayKind.WORKING),
    )


OFFICE_HOURS = 'hours = "09:00-18:00"\nbreaks = ["13:00-14:00"]'
ROUND_THE_CLOCK = CONFIG.replace(OFFICE_HOURS, "round_the_clock = true")


@pytest.mark.parametrize(
    ("text", "line", "why"),
    [
        pytest.param(
            CONFIG.replace("short_days = [2027-01-12]", "short_days = [2027-05-04]"),
            9, "дата 2027-05-04 уже указана в строке 7", id="in two lists",
        ),
        pytest.param(
            CONFIG.replace("[2027-05-08]", "[2027-05-08, 2027-05-08]"),
            8, "дата 2027-05-08 уже указана в строке 8", id="twice in one list",
        ),
        pytest.param(
            CONFIG.replace("[2027-05-08]", '["8 мая"]'),
            8, "неверная дата «8 мая»", id="not a date",
        ),
        pytest.param(
            CONFIG.replace("[2027-05-08]", "[2027-05-08T09:00:00]"),
            8, "неверная дата", id="a moment, not a date",
        ),
        pytest.param(
            CONFIG.replace("short_days", "holidays"),
            9, "неизвестный ключ «holidays»", id="unknown list",
        ),
        pytest.param(
            ROUND_THE_CLOCK,
            5, "круглосуточное расписание не сочетается с ключом «calendar_changes»",
            id="round the clock",
        ),
    ],
)  # fmt: skip
def test_a_bad_correction_is_refused_with_its_line(text: str, line: int, why: str) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_config(text, "c.toml")
    assert refused.value.line == line
    assert why in str(refused.value)
