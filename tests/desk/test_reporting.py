"""Report arithmetic: periods, shares met, penalties under contract rules and CSAT."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from desk.enums import Priority
from desk.reporting import (
    BadPeriod,
    Faq,
    Figures,
    Met,
    PriorityFigures,
    make_report,
    parse_period,
    penalty,
    previous_period,
)
from desk.terms import PenaltyRules

RULES = PenaltyRules(
    monthly_fee=100_000,
    percent_per_breach={Priority.CRITICAL: 5, Priority.HIGH: 2, Priority.MEDIUM: 1},
    cap_percent=10,
    csat_relief_from=4.5,
    csat_relief_percent=50,
    csat_extra_below=3.0,
    csat_extra_percent=2,
)


def test_a_month_period_runs_from_the_first_to_the_first_of_the_next() -> None:
    p = parse_period("2026-12")
    assert (p.kind, p.first, p.end, p.last) == (
        "month",
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2026, 12, 31),
    )
    start, end = p.bounds("Europe/Moscow")
    assert start.astimezone(UTC) == datetime(2026, 11, 30, 21, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 12, 31, 21, 0, tzinfo=UTC)


def test_a_week_period_is_an_iso_week_from_monday() -> None:
    p = parse_period("2026-W47")
    assert (p.kind, p.first, p.end) == ("week", date(2026, 11, 16), date(2026, 11, 23))


@pytest.mark.parametrize(
    "text",
    [
        "2026-13", "2026-W54", "26-11", "ноябрь", "2026-W7", "",
        "0001-W01", "9999-12", "9999-W52", "1999-12", "2101-01", "2025-W53", "2026-W00",
        "٢٠٢٦-١١",  # Arabic-Indic digits
    ],
)  # fmt: skip
def test_a_bad_period_is_refused(text: str) -> None:
    """Malformed, out of 2000..2100, or a week the year does not have: BadPeriod, nothing else."""
    with pytest.raises(BadPeriod):
        parse_period(text)


@pytest.mark.parametrize("text", ["2000-01", "2100-12", "2100-W52", "2026-W53"])
def test_periods_at_the_edges_of_the_range_parse(text: str) -> None:
    assert parse_period(text).label == text


def test_the_previous_period_is_the_last_complete_one() -> None:
    assert previous_period("month", date(2026, 1, 3)).label == "2025-12"
    assert previous_period("week", date(2026, 11, 25)).label == "2026-W47"


def test_share_met_is_a_percent_of_the_targets_due() -> None:
    assert Met(3, 4).share == 75.0
    assert Met(3, 4).missed == 1
    assert Met(0, 0).share is None


def test_each_breach_costs_its_priority_percent_of_the_fee() -> None:
    """Two P2 breaches (2% each) and three P3 (1% each): 7% of 100 000 = 7 000."""
    fine = penalty(RULES, {Priority.HIGH: 2, Priority.MEDIUM: 3}, csat=4.0)
    assert fine.percent == 7
    assert fine.amount == 7_000
    assert not fine.capped
    assert [(line.priority, line.percent) for line in fine.lines] == [
        (Priority.HIGH, 4),
        (Priority.MEDIUM, 3),
    ]


def test_the_deduction_never_exceeds_the_cap() -> None:
    fine = penalty(RULES, {Priority.CRITICAL: 4}, csat=4.0)  # 20% before the cap
    assert fine.breaches_percent == 20
    assert fine.percent == 10
    assert fine.capped
    assert fine.amount == 10_000


def test_high_satisfaction_halves_the_deduction() -> None:
    fine = penalty(RULES, {Priority.HIGH: 2, Priority.MEDIUM: 3}, csat=4.8)
    assert fine.csat_relief_percent == 3.5
    assert fine.percent == 3.5


def test_poor_satisfaction_adds_to_the_deduction_even_without_breaches() -> None:
    fine = penalty(RULES, {}, csat=2.5)
    assert fine.csat_extra_percent == 2
    assert fine.amount == 2_000


def test_no_ratings_means_no_satisfaction_adjustment() -> None:
    fine = penalty(RULES, {Priority.MEDIUM: 1}, csat=None)
    assert fine.percent == 1


def test_a_report_totals_targets_and_counts_breaches_for_the_penalty() -> None:
    figures = Figures(
        by_priority=(
            PriorityFigures(Priority.HIGH, 10, Met(9, 10), Met(8, 10)),
            PriorityFigures(Priority.MEDIUM, 20, Met(20, 20), Met(17, 18)),
        ),
        by_category={"incident": 30},
        breaches=(),
        breach_count=4,
        csat={5: 3, 4: 1},
        faq=Faq(steps=12, helped=10, tickets=30),
        consultants=(),
    )
    report = make_report("ROGA", "Рога", parse_period("2026-11"), "Europe/Moscow",
                         datetime(2026, 12, 1, tzinfo=UTC), figures, RULES)  # fmt: skip
    assert report.tickets == 30
    assert report.totals["reaction"] == Met(29, 30)
    assert report.totals["resolution"] == Met(25, 28)
    assert report.csat_average == pytest.approx(4.75)
    assert report.figures.faq.deflection == 25.0
    assert report.penalty is not None
    # P2: 1 + 2 breaches x 2% = 6%, P3: 1 x 1% = 1%; CSAT 4.75 >= 4.5 halves it
    assert report.penalty.breaches_percent == 7
    assert report.penalty.percent == 3.5
