"""Values inside a config file: times of day, time ranges, SLA durations.

Each parser raises ``ValueError`` with the reason an admin reads; the loader
adds the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desk.config._messages import reason
from desk.model import TimeRange

_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_DURATION_PART = re.compile(r"(\d+)\s*([mhd])")
_DURATION = re.compile(r"^\s*(\d+\s*[mhd]\s*)+$")


def parse_time(value: str) -> int:
    """``"09:30"`` -> 570 minutes from midnight; ``"24:00"`` -> 1440."""
    match = _TIME.match(value.strip())
    if match is None:
        raise ValueError(reason("bad_time", value=value))
    hours, minutes = int(match.group(1)), int(match.group(2))
    total = hours * 60 + minutes
    if minutes >= 60 or total > 24 * 60:
        raise ValueError(reason("bad_time", value=value))
    return total


def format_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_range(value: str) -> TimeRange:
    """``"09:00-18:00"`` -> TimeRange(540, 1080); the start must precede the end."""
    start, sep, end = value.partition("-")
    if not sep:
        raise ValueError(reason("bad_range", value=value))
    result = TimeRange(parse_time(start), parse_time(end))
    if result.start >= result.end:
        raise ValueError(reason("bad_range", value=value))
    return result


def format_range(time_range: TimeRange) -> str:
    return f"{format_time(time_range.start)}-{format_time(time_range.end)}"


@dataclass(frozen=True)
class Duration:
    """An SLA target as written: business days plus business minutes."""

    days: int
    minutes: int

    def total(self, day_minutes: int) -> int:
        """In business minutes, a day being ``day_minutes`` long."""
        return self.days * day_minutes + self.minutes


def parse_duration(value: str) -> Duration | None:
    """``"30m"``, ``"4h"``, ``"3d"``, ``"1h30m"``; ``"none"`` (no target) -> None."""
    if value.strip().lower() == "none":
        return None
    if _DURATION.match(value) is None:
        raise ValueError(reason("bad_duration", value=value))
    days = minutes = 0
    for amount, unit in _DURATION_PART.findall(value):
        if unit == "d":
            days += int(amount)
        else:
            minutes += int(amount) * (60 if unit == "h" else 1)
    if days == 0 and minutes == 0:
        raise ValueError(reason("bad_duration", value=value))
    return Duration(days, minutes)
