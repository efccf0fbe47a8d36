"""The SLA clock: business minutes of a schedule.

A schedule's working time is a sorted list of intervals of real time (epoch
seconds), built per local year from the daily hours, breaks, the production
calendar with the schedule's corrections (shortened days end an hour earlier)
and reporting-close days.  Each
interval carries the business seconds counted up to its end, so ``due`` and
``minutes_between`` are two binary searches: their cost does not grow with the
minutes, nor with the days crossed.  Real time is counted: on a DST change
day a round-the-clock day has 23 or 25 hours.

Business time is counted in whole minutes.  A start moment keeps its seconds
(09:10:30 + 5 business minutes = 09:15:30); microseconds are dropped.  Every
method takes timezone-aware datetimes in any zone and returns datetimes in the
schedule's timezone; callers convert to UTC for storage.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from desk.calendar import DayKind, get_calendar
from desk.model import ScheduleSpec, TimeRange

_DAY = 24 * 60
_MAX_YEARS_AHEAD = 50  # a due moment further away than this is a mistake


class BadSchedule(ValueError):
    """A schedule that cannot count business time (e.g. breaks cover every hour)."""


class BusinessClock:
    """Working time of one schedule.

    Semantics:
    - ``due(t, 0) == t`` (converted to the schedule's zone);
    - for ``m > 0`` the result is the moment the m-th business minute ends:
      inside working time or at the end of a working interval, never in a gap
      (a minute that ends exactly at 13:00 before a 13:00–14:00 break gives 13:00);
      a start outside working time counts from the next working-time start;
    - hence for all t and a, b >= 0: ``due(due(t, a), b) == due(t, a + b)`` and
      ``minutes_between(t, due(t, m)) == m``;
    - ``minutes_between(a, b)`` counts business time in ``[a, b)`` in whole
      minutes (rounded down), and is ``-minutes_between(b, a)`` when ``b < a``.
    """

    def __init__(self, spec: ScheduleSpec) -> None:
        self.spec = spec
        self.tz = ZoneInfo(spec.timezone)
        if spec.round_the_clock:
            self.calendar = get_calendar(None)
        else:
            self.calendar = get_calendar(spec.calendar, spec.calendar_changes)
        self._day = _cut(spec.hours, spec.breaks)
        self.day_minutes: int = (
            _DAY if spec.round_the_clock else sum(r.end - r.start for r in self._day)
        )
        if self.day_minutes <= 0:
            raise BadSchedule(f"schedule {spec.name!r}: the breaks leave no working time")
        # Working intervals of the loaded local years [first_year, last_year].
        self._first_year = 0
        self._last_year = -1
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._cum: list[int] = []  # business seconds from the first interval's start to each end
        self._lo = 0  # epoch seconds covered: [lo, hi)
        self._hi = 0
        self._close: dict[int, frozenset[date]] = {}

    @classmethod
    def from_spec(cls, spec: ScheduleSpec) -> BusinessClock:
        return cls(spec)

    @classmethod
    def round_the_clock(cls, timezone: str = "Europe/Moscow") -> BusinessClock:
        """A 24/7 clock (P1 targets count round the clock)."""
        return cls(ScheduleSpec(name="24/7", timezone=timezone, round_the_clock=True))

    # -- the three functions everyone uses ---------------------------------

    def due(self, start: datetime, minutes: int) -> datetime:
        """The moment ``minutes`` business minutes after ``start`` (minutes >= 0)."""
        if minutes < 0:
            raise ValueError(f"business minutes must not be negative: {minutes}")
        if minutes == 0:
            return start.astimezone(self.tz)
        s = _epoch(start)
        if self.spec.round_the_clock:
            return datetime.fromtimestamp(s + 60 * minutes, self.tz)
        target = self._position(s) + 60 * minutes
        limit = self._last_year + _MAX_YEARS_AHEAD
        while target > self._cum[-1]:
            if self._last_year >= limit:
                raise ValueError(f"{minutes} business minutes reach beyond {limit}")
            self._load(self._last_year + 1)
        j = bisect_left(self._cum, target)
        return datetime.fromtimestamp(self._ends[j] - (self._cum[j] - target), self.tz)

    def minutes_between(self, a: datetime, b: datetime) -> int:
        """Business minutes in ``[a, b)``; ``-minutes_between(b, a)`` if ``b < a``."""
        seconds = self.seconds_between(a, b)
        return seconds // 60 if seconds >= 0 else -(-seconds // 60)

    def seconds_between(self, a: datetime, b: datetime) -> int:
        """Business seconds in ``[a, b)`` (negative if ``b < a``): e.g. whether a
        deadline at the start of a lunch break has been missed by 13:30 (it has not)."""
        sa, sb = _epoch(a), _epoch(b)
        if sb < sa:
            return -self.seconds_between(b, a)
        if self.spec.round_the_clock:
            return sb - sa
        pa = self._position(sa)
        return self._position(sb) - pa

    def is_working(self, t: datetime) -> bool:
        """Whether ``t`` lies inside working time (interval start inclusive, end exclusive)."""
        if self.spec.round_the_clock:
            return True
        s = _epoch(t)
        self._cover(s)
        i = bisect_right(self._ends, s)
        return self._starts[i] <= s

    # -- days and months -----------------------------------------------------

    def intervals_on(self, d: date) -> tuple[TimeRange, ...]:
        """Working time of the local day ``d`` in local minutes from midnight."""
        if self.spec.round_the_clock:
            return (TimeRange(0, _DAY),)
        return self._ranges(d, self.calendar.day_kind(d), self._is_close_day(d))

    def working_minutes_on(self, d: date) -> int:
        """Business minutes of the local calendar day ``d`` (real minutes on DST days)."""
        return sum(
            (self._to_epoch(d, r.end) - self._to_epoch(d, r.start)) // 60
            for r in self.intervals_on(d)
        )

    def business_minutes_in_month(self, year: int, month: int) -> int:
        """Business minutes of a whole month (``sla hours`` prints this / 60)."""
        d = date(year, month, 1)
        total = 0
        while d.month == month:
            total += self.working_minutes_on(d)
            d += timedelta(days=1)
        return total

    # -- internals -------------------------------------------------------------

    def _position(self, s: int) -> int:
        """Business seconds from the loaded range's origin to the moment ``s``."""
        self._cover(s)
        i = bisect_right(self._ends, s)  # the first interval ending after s
        return self._cum[i] - (self._ends[i] - max(s, self._starts[i]))

    def _cover(self, s: int) -> None:
        """Load years until ``s`` lies in the loaded range and an interval ends after it."""
        if not self._ends:
            self._load(datetime.fromtimestamp(s, self.tz).year)
        while s < self._lo:
            self._load(self._first_year - 1)
        while s >= self._hi or s >= self._ends[-1]:
            self._load(self._last_year + 1)

    def _load(self, year: int) -> None:
        starts: list[int] = []
        ends: list[int] = []
        d = date(year, 1, 1)
        kinds = self.calendar.year_kinds(year)
        close = self._close_days(year)
        for kind in kinds:
            for r in self._ranges(d, kind, d in close):
                a, b = self._to_epoch(d, r.start), self._to_epoch(d, r.end)
                if b > a:
                    starts.append(a)
                    ends.append(b)
            d += timedelta(days=1)
        lo, hi = self._to_epoch(date(year, 1, 1), 0), self._to_epoch(date(year + 1, 1, 1), 0)
        if not self._ends:
            self._first_year = self._last_year = year
            self._starts, self._ends = starts, ends
            self._cum = _running(starts, ends, 0)
            self._lo, self._hi = lo, hi
        elif year == self._last_year + 1:
            self._last_year = year
            self._starts += starts
            self._ends += ends
            self._cum += _running(starts, ends, self._cum[-1])
            self._hi = hi
        elif year == self._first_year - 1:
            self._first_year = year
            self._starts = starts + self._starts
            self._ends = ends + self._ends
            self._cum = _running(self._starts, self._ends, 0)
            self._lo = lo
        else:
            raise AssertionError("years are loaded next to the loaded range")

    def _ranges(self, d: date, kind: DayKind, close: bool) -> tuple[TimeRange, ...]:
        if kind is DayKind.OFF:
            return ()
        hours = self.spec.hours
        end = self.spec.close_days.until if close and self.spec.close_days else hours.end
        if kind is DayKind.SHORTENED:
            end -= 60
        if end <= hours.start:
            return ()
        if end == hours.end:
            return self._day
        return _cut(TimeRange(hours.start, end), self.spec.breaks)

    def _is_close_day(self, d: date) -> bool:
        return d in self._close_days(d.year)

    def _close_days(self, year: int) -> frozenset[date]:
        """The first M and last N working days of each month of ``year``."""
        cached = self._close.get(year)
        if cached is not None:
            return cached
        close = self.spec.close_days
        if close is None or self.spec.round_the_clock:
            return frozenset()
        kinds = self.calendar.year_kinds(year)
        by_month: dict[int, list[date]] = {}
        d = date(year, 1, 1)
        for kind in kinds:
            if kind is not DayKind.OFF:
                by_month.setdefault(d.month, []).append(d)
            d += timedelta(days=1)
        days: set[date] = set()
        for working in by_month.values():
            days.update(working[: close.first])
            days.update(working[len(working) - close.last :] if close.last else [])
        self._close[year] = frozenset(days)
        return self._close[year]

    def _to_epoch(self, d: date, minute: int) -> int:
        """Epoch seconds of local ``d`` + ``minute`` (1440 is the next midnight)."""
        if minute >= _DAY:
            d, minute = d + timedelta(days=1), minute - _DAY
        local = datetime(d.year, d.month, d.day, minute // 60, minute % 60, tzinfo=self.tz)
        return int(local.timestamp())


def _running(starts: list[int], ends: list[int], total: int) -> list[int]:
    """Cumulative lengths of the intervals, continuing from ``total``."""
    cum = []
    for a, b in zip(starts, ends, strict=True):
        total += b - a
        cum.append(total)
    return cum


def _cut(hours: TimeRange, breaks: tuple[TimeRange, ...]) -> tuple[TimeRange, ...]:
    """``hours`` minus ``breaks``, as sorted non-empty ranges."""
    pieces = [hours]
    for br in sorted(breaks, key=lambda r: r.start):
        rest: list[TimeRange] = []
        for p in pieces:
            if br.end <= p.start or br.start >= p.end:
                rest.append(p)
                continue
            if p.start < br.start:
                rest.append(TimeRange(p.start, br.start))
            if br.end < p.end:
                rest.append(TimeRange(br.end, p.end))
        pieces = rest
    return tuple(pieces)


def _epoch(t: datetime) -> int:
    if t.tzinfo is None:
        raise ValueError(f"a naive datetime has no meaning for the SLA clock: {t.isoformat()}")
    return int(t.timestamp() // 1)


@lru_cache(maxsize=128)
def clock_of(spec: ScheduleSpec) -> BusinessClock:
    """The clock of ``spec``, built once (a clock precomputes its working
    intervals); a changed schedule is a new spec, hence a new clock.  The one
    cache of clocks: every caller, the 24/7 clock of P1 targets included, asks here."""
    return BusinessClock(spec)


def round_the_clock(timezone: str) -> BusinessClock:
    """The 24/7 clock in ``timezone`` (P1 targets count round the clock)."""
    return clock_of(ScheduleSpec(name="24/7", timezone=timezone, round_the_clock=True))
