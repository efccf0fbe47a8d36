"""Business clock speed: due() and minutes_between() per second on one core.

Target (issue 2): >= 50,000 due computations per second for deadlines up to a
month away.  Start moments are uniform over 2026, minutes uniform up to one
month of the schedule's business time.  Each figure is the median of several
runs; years are loaded before timing (that is a one-off per clock).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from desk.clock import BusinessClock
from desk.model import CloseDays, ScheduleSpec, TimeRange

TARGET = 50_000
CALLS = 20_000
RUNS = 7
LUNCH = (TimeRange(13 * 60, 14 * 60),)
SCHEDULES = [
    ScheduleSpec("moscow 09-18, lunch, RU", breaks=LUNCH),
    ScheduleSpec("moscow, close days to 23:00", breaks=LUNCH, close_days=CloseDays(23 * 60)),
    ScheduleSpec("berlin 08-17, no calendar", timezone="Europe/Berlin",
                 hours=TimeRange(8 * 60, 17 * 60), calendar=None),
    ScheduleSpec("vladivostok 09-18, RU", timezone="Asia/Vladivostok"),
    ScheduleSpec("round the clock", timezone="Europe/Berlin", round_the_clock=True),
]  # fmt: skip


def _rate(fn: Callable[[datetime, Any], object], args: list[tuple[datetime, Any]]) -> float:
    """Median calls per second of ``fn(*a)`` over ``args``."""
    rates = []
    for _ in range(RUNS):
        started = time.perf_counter()
        for a, b in args:
            fn(a, b)
        rates.append(len(args) / (time.perf_counter() - started))
    return statistics.median(rates)


def main() -> None:
    rng = random.Random(2)
    year = datetime(2026, 1, 1, tzinfo=UTC)
    print(f"{CALLS} calls per run, median of {RUNS} runs; target due >= {TARGET:,}/s")
    print(f"{'schedule':32} {'due/s':>10} {'due 1-60 min/s':>15} {'between/s':>10}  month")
    worst = float("inf")
    for spec in SCHEDULES:
        clock = BusinessClock.from_spec(spec)
        month = clock.business_minutes_in_month(2026, 3)
        starts = [year + timedelta(seconds=rng.randrange(365 * 86400)) for _ in range(CALLS)]
        far = [rng.randint(1, month) for _ in range(CALLS)]
        near = [rng.randint(1, 60) for _ in range(CALLS)]
        ends = [clock.due(s, m) for s, m in zip(starts, far, strict=True)]  # also warms up
        clock.due(year + timedelta(days=400), month)
        pairs: list[tuple[datetime, Any]] = list(zip(starts, far, strict=True))
        near_pairs: list[tuple[datetime, Any]] = list(zip(starts, near, strict=True))
        spans: list[tuple[datetime, Any]] = list(zip(starts, ends, strict=True))
        far_rate = _rate(clock.due, pairs)
        near_rate = _rate(clock.due, near_pairs)
        between_rate = _rate(clock.minutes_between, spans)
        worst = min(worst, far_rate)
        print(f"{spec.name:32} {far_rate:>10,.0f} {near_rate:>15,.0f} {between_rate:>10,.0f}"
              f"  {month / 60:.0f} h")  # fmt: skip
    verdict = "meets" if worst >= TARGET else "MISSES"
    print(f"slowest schedule: {worst:,.0f} due/s — {verdict} the target of {TARGET:,}/s")


if __name__ == "__main__":
    main()
