"""Who gets a new ticket: least loaded on shift, round-robin ties, then the duty person."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from desk.assignment import Candidate, choose_owner, load_of
from desk.enums import Priority
from desk.errors import NoOwnerAvailable
from desk.model import Line

NOW = datetime(2026, 5, 18, 7, 0, tzinfo=UTC)


def consultant(telegram_id: int, load: int = 0, on_shift: bool = True) -> Candidate:
    return Candidate(telegram_id, Line.ONE, on_shift, load)


def test_load_is_weighted_by_priority() -> None:
    """One P1 weighs as much as five P5 tickets."""
    assert load_of({Priority.CRITICAL: 1}) == load_of({Priority.BACKGROUND: 5}) == 5
    assert load_of({}) == 0


def test_least_loaded_on_shift_gets_the_ticket() -> None:
    """Of three consultants on shift, the one with the lightest weighted load wins."""
    team = [consultant(101, 7), consultant(102, 3), consultant(103, 5)]
    assert choose_owner(team, NOW, None, duty=900) == 102


def test_a_p1_weighs_more_than_two_p5() -> None:
    """A consultant with one P1 is busier than one with two P5."""
    a = consultant(101, load_of({Priority.CRITICAL: 1}))
    b = consultant(102, load_of({Priority.BACKGROUND: 2}))
    assert choose_owner([a, b], NOW, None, duty=None) == 102


def test_off_shift_and_line_two_are_passed_over() -> None:
    """An idle consultant off shift and an idle engineer are not chosen."""
    team = [
        consultant(101, 0, on_shift=False),
        Candidate(201, Line.TWO, True, 0),
        consultant(102, 9),
    ]
    assert choose_owner(team, NOW, None, duty=900) == 102


def test_ties_go_round_robin_after_the_last_assignee() -> None:
    """Equal loads: the next id after the last assignee, wrapping around."""
    team = [consultant(103), consultant(101), consultant(102)]
    assert choose_owner(team, NOW, None, duty=None) == 101
    assert choose_owner(team, NOW, 101, duty=None) == 102
    assert choose_owner(team, NOW, 102, duty=None) == 103
    assert choose_owner(team, NOW, 103, duty=None) == 101
    assert choose_owner(team, NOW, 999, duty=None) == 101  # someone who left the team


def test_nobody_on_shift_goes_to_the_duty_person() -> None:
    """At night the duty person gets the ticket."""
    team = [consultant(101, on_shift=False), consultant(102, on_shift=False)]
    assert choose_owner(team, NOW, 101, duty=900) == 900
    assert choose_owner([], NOW, None, duty=900) == 900


def test_no_shift_and_no_duty_is_a_typed_error() -> None:
    """Never unassigned: without anyone to take it, NoOwnerAvailable says so."""
    with pytest.raises(NoOwnerAvailable, match="no duty person"):
        choose_owner([consultant(101, on_shift=False)], NOW, None, duty=None)
