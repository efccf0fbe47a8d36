"""Due times in plain words, in the client's timezone.

The wording itself (``сегодня до 14:30 МСК``) lives in the bot's templates;
this module decides which words apply: today, tomorrow, a later date, or
already overdue, and the offset from Moscow time that Russian users name
their zones by (``МСК``, ``МСК+2``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class DueDay(StrEnum):
    OVERDUE = "overdue"
    TODAY = "today"
    TOMORROW = "tomorrow"
    LATER = "later"  # a date after tomorrow


@dataclass(frozen=True)
class DueWords:
    day: DueDay
    local: datetime  # the due moment in the client's timezone
    msk_offset_hours: int  # local UTC offset minus Moscow's (+3), e.g. 2 for Yekaterinburg

    @property
    def hhmm(self) -> str:
        return self.local.strftime("%H:%M")


_MOSCOW_OFFSET = timedelta(hours=3)


def due_of(moment: datetime | None, now: datetime, timezone: str) -> DueWords | None:
    """``due_words`` of ``moment``, or None when there is no due moment."""
    return None if moment is None else due_words(moment, now, timezone)


def due_words(due: datetime, now: datetime, timezone: str) -> DueWords:
    """How to say ``due`` to a person in ``timezone`` at the moment ``now``.

    Both moments must be timezone-aware; "today" and "tomorrow" are local
    calendar days of ``timezone``.
    """
    if due.tzinfo is None or now.tzinfo is None:
        raise ValueError("due_words needs timezone-aware datetimes")
    tz = ZoneInfo(timezone)
    local_due = due.astimezone(tz)
    local_now = now.astimezone(tz)
    days = (local_due.date() - local_now.date()).days
    if due < now:
        day = DueDay.OVERDUE
    elif days == 0:
        day = DueDay.TODAY
    elif days == 1:
        day = DueDay.TOMORROW
    else:
        day = DueDay.LATER
    return DueWords(day, local_due, msk_offset(local_due))


def msk_offset(local: datetime) -> int:
    """Hours from Moscow time of an aware moment's zone (0 for Moscow, 2 for Yekaterinburg)."""
    offset = local.utcoffset() or timedelta(0)
    return int((offset - _MOSCOW_OFFSET).total_seconds() // 3600)
