"""The SLA clock: business minutes of a schedule.

Business time is counted in whole minutes; a start moment may carry seconds
and keeps them (09:10:30 + 5 business minutes = 09:15:30).  Every method takes
timezone-aware datetimes (any zone) and returns datetimes in the schedule's
timezone; callers convert to UTC for storage.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from desk.model import ScheduleSpec


class BusinessClock:
    """Working time of one schedule.

    Semantics:
    - ``due(t, 0) == t`` (converted to the schedule's zone);
    - for ``m > 0`` the result is the moment the m-th business minute ends:
      inside working time or at the end of a working interval, never in a gap
      (a minute that ends exactly at 13:00 before a 13:00–14:00 break gives 13:00);
    - ``minutes_between(a, b)`` counts business time in ``[a, b)`` (floor to whole
      minutes), negative when ``b < a``.
    """

    spec: ScheduleSpec
    tz: ZoneInfo
    day_minutes: int  # a normal working day (hours minus breaks); 1440 round the clock

    @classmethod
    def from_spec(cls, spec: ScheduleSpec) -> BusinessClock:
        raise NotImplementedError

    @classmethod
    def round_the_clock(cls, timezone: str = "Europe/Moscow") -> BusinessClock:
        """A 24/7 clock (P1 targets count round the clock)."""
        raise NotImplementedError

    def due(self, start: datetime, minutes: int) -> datetime:
        """The moment ``minutes`` business minutes after ``start`` (minutes >= 0)."""
        raise NotImplementedError

    def minutes_between(self, a: datetime, b: datetime) -> int:
        """Business minutes in ``[a, b)``; ``-minutes_between(b, a)`` if ``b < a``."""
        raise NotImplementedError

    def is_working(self, t: datetime) -> bool:
        """Whether ``t`` lies inside working time (interval start inclusive, end exclusive)."""
        raise NotImplementedError

    def working_minutes_on(self, d: date) -> int:
        """Business minutes of the local calendar day ``d``."""
        raise NotImplementedError

    def business_minutes_in_month(self, year: int, month: int) -> int:
        """Business minutes of a whole month (``sla hours`` prints this / 60)."""
        raise NotImplementedError
