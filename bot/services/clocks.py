"""Business clocks, built once per schedule (they precompute working intervals)."""

from __future__ import annotations

from functools import lru_cache

from desk.clock import BusinessClock
from desk.model import ScheduleSpec


@lru_cache(maxsize=128)
def clock_of(spec: ScheduleSpec) -> BusinessClock:
    """The clock of ``spec``; a changed schedule is a new spec, hence a new clock."""
    return BusinessClock.from_spec(spec)
