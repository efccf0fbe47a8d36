"""The production calendar: which days are working, shortened or off.

``"RU"`` is the Russian official production calendar.  Its data comes from
the ``holidays`` package: the non-working public holidays (Labour Code
art. 112), holidays falling on a weekend moved to a weekday ("observed"), the
days off transferred by government decree, and the Saturdays or Sundays made
working days in exchange (``weekend_workdays``).

What ``holidays`` lacks is the *shortened* pre-holiday day (art. 95: the
working day immediately before a non-working public holiday is one hour
shorter).  We derive it:

1. a working day whose next calendar day is a public holiday itself (not a
   transferred or observed day off, not a plain weekend) is shortened —
   even when the holiday falls on a Saturday (2025-03-07, before 8 March);
2. a weekend day made working in exchange for a weekday off takes that
   weekday's length: if the weekday off was a pre-holiday day by rule 1, the
   working Saturday is shortened (2024-11-02 for 2024-04-30,
   2025-11-01 for 2025-11-03).

This reproduces the official calendars: 2024 — 22.02, 07.03, 08.05, 11.06,
02.11 (248 working days, 1979 h at 40 h/week); 2025 — 07.03, 30.04, 11.06,
01.11 (247 days, 1972 h); 2026 — 30.04, 08.05, 11.06, 03.11 (247 days, 1972 h).
Years without a government decree yet get the statutory holidays only.

``None`` is the plain week: Monday to Friday working, weekends off.

Either may be corrected day by day (``get_calendar(name, changes)``): the
config's ``calendar_changes`` of a schedule make a date a day off, a working
day or a shortened one, whatever the calendar said -- a decree published after
a release, or a client's regional holiday, needs no upgrade.  A correction
changes that date only (the day before an added holiday is not shortened by
itself: say so with a shortened day).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from enum import StrEnum

import holidays

SUPPORTED = ("RU", None)
_SUBSTITUTED = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")
_ONE_DAY = timedelta(days=1)


class DayKind(StrEnum):
    WORKING = "working"
    SHORTENED = "shortened"  # pre-holiday: one hour shorter
    OFF = "off"


class UnknownCalendar(ValueError):
    """A calendar name other than ``"RU"`` or none."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown calendar {name!r}: expected 'RU' or none")
        self.name = name


Changes = tuple[tuple[date, DayKind], ...]  # corrections: (date, what it is), any order


class ProductionCalendar:
    """Day kinds of one calendar, computed once per year and cached; ``changes``
    override the kinds of their dates."""

    def __init__(self, name: str | None, changes: Changes = ()) -> None:
        if name not in SUPPORTED:
            raise UnknownCalendar(str(name))
        self.name = name
        self.changes = changes
        self._years: dict[int, tuple[DayKind, ...]] = {}

    def day_kind(self, d: date) -> DayKind:
        """WORKING, SHORTENED (a working day one hour shorter) or OFF."""
        return self.year_kinds(d.year)[d.timetuple().tm_yday - 1]

    def is_working_day(self, d: date) -> bool:
        """True for WORKING and SHORTENED days."""
        return self.day_kind(d) is not DayKind.OFF

    def year_kinds(self, year: int) -> tuple[DayKind, ...]:
        """The kind of every day of ``year``, January 1 first."""
        kinds = self._years.get(year)
        if kinds is None:
            kinds = self._build(year)
            self._years[year] = kinds
        return kinds

    def _build(self, year: int) -> tuple[DayKind, ...]:
        if self.changes:
            kinds = list(get_calendar(self.name).year_kinds(year))
            for day, kind in self.changes:
                if day.year == year:
                    kinds[day.timetuple().tm_yday - 1] = DayKind(kind)
            return tuple(kinds)
        days = [date(year, 1, 1) + timedelta(days=i) for i in range(_days_in_year(year))]
        if self.name is None:
            return tuple(DayKind.WORKING if d.weekday() < 5 else DayKind.OFF for d in days)
        return _russian_year(year, days)


def _days_in_year(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


def _russian_year(year: int, days: list[date]) -> tuple[DayKind, ...]:
    # The neighbouring years matter: 31 December precedes 1 January, and an
    # exchange may pair days of different years.
    years = [year - 1, year, year + 1]
    observed = holidays.country_holidays("RU", years=years, language="en_US")
    statutory: set[date] = set()
    exchanged: dict[date, date] = {}  # working weekend day -> the weekday made off for it
    for day, name in holidays.country_holidays(
        "RU", years=years, observed=False, language="en_US"
    ).items():
        found = _SUBSTITUTED.search(name)
        if found is None:
            statutory.add(day)
            continue
        month, mday, fyear = (int(g) for g in found.groups())
        source = date(fyear, month, mday)
        if source in observed.weekend_workdays:
            exchanged[source] = day

    def pre_holiday(d: date) -> bool:
        return d + _ONE_DAY in statutory

    kinds: list[DayKind] = []
    for d in days:
        if not observed.is_working_day(d):
            kinds.append(DayKind.OFF)
        elif pre_holiday(d) or (d in exchanged and pre_holiday(exchanged[d])):
            kinds.append(DayKind.SHORTENED)
        else:
            kinds.append(DayKind.WORKING)
    return tuple(kinds)


_CALENDARS: dict[tuple[str | None, Changes], ProductionCalendar] = {}


def get_calendar(name: str | None, changes: Changes = ()) -> ProductionCalendar:
    """The shared calendar for ``"RU"`` or ``None`` with ``changes`` applied;
    ``UnknownCalendar`` otherwise."""
    key = (name, tuple(sorted(changes)))
    calendar = _CALENDARS.get(key)
    if calendar is None:
        calendar = ProductionCalendar(name, key[1])
        _CALENDARS[key] = calendar
    return calendar
