"""The production calendar: which days are working, shortened or off.

``"RU"`` is the Russian official production calendar (data from the
``holidays`` package, plus the shortened pre-holiday days it lacks);
``None`` is the plain week: Monday to Friday working, weekends off.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class DayKind(StrEnum):
    WORKING = "working"
    SHORTENED = "shortened"  # pre-holiday: one hour shorter
    OFF = "off"


class ProductionCalendar:
    """Day kinds of one calendar, computed once per year and cached."""

    name: str | None

    def __init__(self, name: str | None) -> None:
        raise NotImplementedError

    def day_kind(self, d: date) -> DayKind:
        """WORKING, SHORTENED (a working day one hour shorter) or OFF."""
        raise NotImplementedError

    def is_working_day(self, d: date) -> bool:
        """True for WORKING and SHORTENED days."""
        return self.day_kind(d) is not DayKind.OFF


def get_calendar(name: str | None) -> ProductionCalendar:
    """The shared calendar for ``"RU"`` or ``None``; ValueError for anything else."""
    raise NotImplementedError
