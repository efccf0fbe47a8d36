"""Which plain words a due time gets in the client's timezone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from desk.timefmt import DueDay, due_words

NOW = datetime(2026, 5, 12, 9, 0, tzinfo=UTC)  # 12:00 in Moscow, a Tuesday


def test_same_local_day_is_today() -> None:
    """A due time later on the same Moscow day reads "today" with local hours."""
    words = due_words(datetime(2026, 5, 12, 11, 30, tzinfo=UTC), NOW, "Europe/Moscow")
    assert (words.day, words.hhmm, words.msk_offset_hours) == (DueDay.TODAY, "14:30", 0)


def test_next_local_day_is_tomorrow() -> None:
    """09:00 UTC of the next day is tomorrow 12:00 in Moscow."""
    words = due_words(datetime(2026, 5, 13, 7, 0, tzinfo=UTC), NOW, "Europe/Moscow")
    assert (words.day, words.hhmm) == (DueDay.TOMORROW, "10:00")


def test_day_boundary_is_the_clients_not_utc() -> None:
    """22:30 UTC is already tomorrow in Yekaterinburg (UTC+5, МСК+2)."""
    words = due_words(datetime(2026, 5, 12, 22, 30, tzinfo=UTC), NOW, "Asia/Yekaterinburg")
    assert (words.day, words.hhmm, words.msk_offset_hours) == (DueDay.TOMORROW, "03:30", 2)


def test_later_dates_and_overdue() -> None:
    """Past moments are overdue; two days ahead is a later date."""
    assert due_words(datetime(2026, 5, 12, 8, 0, tzinfo=UTC), NOW, "Europe/Moscow").day is (
        DueDay.OVERDUE
    )
    assert due_words(datetime(2026, 5, 14, 8, 0, tzinfo=UTC), NOW, "Europe/Moscow").day is (
        DueDay.LATER
    )


def test_naive_datetimes_are_refused() -> None:
    """A naive datetime is a programming error and says so."""
    with pytest.raises(ValueError, match="timezone-aware"):
        due_words(datetime(2026, 5, 12, 12, 0), NOW, "Europe/Moscow")
