"""SLA reports on aggregated figures: periods, shares met, penalties, CSAT.

Plain Python over the counts the database aggregates (``storage.report_queries``):
nothing here loops over tickets.

Tickets count under the priority their SLA is measured against (the
contract's basis, ``desk.terms.SlaBasis``: by default the highest they had);
tickets whose priority changed are listed with the one at registration and the
final one, lowered ones marked.

Penalties follow the contract (``desk.terms.PenaltyRules``): each breached
target costs ``percent_per_breach[priority]`` percent of the monthly fee; a
CSAT average at or above ``csat_relief_from`` cuts the deduction by
``csat_relief_percent`` percent, one below ``csat_extra_below`` adds
``csat_extra_percent``; the total never exceeds ``cap_percent``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from desk.enums import Priority
from desk.terms import PenaltyRules

_MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$", re.ASCII)
YEARS = range(2000, 2101)  # a report outside these years is a typo, and 0001 or 9999 overflow


class BadPeriod(ValueError):
    """A period that is neither ``YYYY-MM`` nor ``YYYY-Www`` of a year in ``YEARS``."""


@dataclass(frozen=True)
class Period:
    label: str  # "2026-11" | "2026-W47"
    kind: str  # "month" | "week"
    first: date
    end: date  # the day after the last one

    def bounds(self, timezone: str) -> tuple[datetime, datetime]:
        """The period as moments: local midnight of ``first`` to that of ``end``."""
        tz = ZoneInfo(timezone)
        return datetime.combine(self.first, time(), tz), datetime.combine(self.end, time(), tz)

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)


def parse_period(text: str) -> Period:
    """``2026-11`` (a month) or ``2026-W47`` (an ISO week that the year has), 2000 to 2100."""
    text = text.strip()
    if match := _MONTH.match(text):
        year, month = int(match.group(1)), int(match.group(2))
        if year not in YEARS or not 1 <= month <= 12:
            raise BadPeriod(text)
        first = date(year, month, 1)
        end = date(year + (month == 12), month % 12 + 1, 1)
        return Period(text, "month", first, end)
    if match := _WEEK.match(text):
        year, week = int(match.group(1)), int(match.group(2))
        if year not in YEARS:
            raise BadPeriod(text)
        try:
            first = date.fromisocalendar(year, week, 1)
        except ValueError as exc:
            raise BadPeriod(text) from exc
        return Period(text, "week", first, first + timedelta(days=7))
    raise BadPeriod(text)


def previous_period(kind: str, today: date) -> Period:
    """The last complete month or ISO week before ``today``."""
    if kind == "month":
        last = today.replace(day=1) - timedelta(days=1)
        return parse_period(f"{last.year:04d}-{last.month:02d}")
    year, week, _ = (today - timedelta(days=7)).isocalendar()
    return parse_period(f"{year:04d}-W{week:02d}")


@dataclass(frozen=True)
class Met:
    """How many targets were kept out of how many were due."""

    met: int
    total: int

    @property
    def missed(self) -> int:
        return self.total - self.met

    @property
    def share(self) -> float | None:
        """Percent kept (None when nothing was due)."""
        return None if self.total == 0 else 100.0 * self.met / self.total


@dataclass(frozen=True)
class PriorityFigures:
    priority: Priority
    tickets: int
    reaction: Met
    resolution: Met


@dataclass(frozen=True)
class BreachLine:
    number: str
    priority: Priority  # the one its SLA is measured against (the contract's basis)
    target: str  # "reaction" | "resolution"
    target_minutes: int | None
    actual_minutes: int | None  # None: still open, counted at the report's moment
    subject: str
    owner: str
    initial: Priority | None = None  # at registration
    final: Priority | None = None  # as it is now


@dataclass(frozen=True)
class PriorityChange:
    """A ticket of the period whose priority now differs from the one at
    registration, or is lower than the highest it had."""

    number: str
    initial: Priority
    final: Priority
    measured: Priority  # what its SLA counts against
    lowered: bool  # now below the highest it had
    subject: str


@dataclass(frozen=True)
class ConsultantFigures:
    name: str
    tickets: int
    resolved: int
    reaction: Met
    resolution: Met
    avg_reaction_minutes: float | None
    csat_average: float | None
    csat_count: int


@dataclass(frozen=True)
class Faq:
    """FAQ steps of the period: how many ended with "helped" (deflected requests)."""

    steps: int
    helped: int
    tickets: int  # requests registered as tickets in the period

    @property
    def deflection(self) -> float | None:
        """Percent of requests the FAQ answered: helped / (helped + tickets)."""
        asked = self.helped + self.tickets
        return None if asked == 0 else 100.0 * self.helped / asked


@dataclass(frozen=True)
class SurveyFigures:
    question: int
    answers: int
    average: float | None


@dataclass(frozen=True)
class PenaltyLine:
    priority: Priority
    breaches: int
    percent_each: float
    percent: float


@dataclass(frozen=True)
class Penalty:
    lines: tuple[PenaltyLine, ...]
    breaches_percent: float  # before satisfaction and the cap
    csat_relief_percent: float  # points taken off for good satisfaction
    csat_extra_percent: float  # points added for poor satisfaction
    capped: bool
    percent: float  # the deduction, percent of the monthly fee
    amount: float  # in the fee's currency
    monthly_fee: float
    cap_percent: float


def csat_average(distribution: dict[int, int]) -> float | None:
    count = sum(distribution.values())
    if count == 0:
        return None
    return sum(score * n for score, n in distribution.items()) / count


def penalty(rules: PenaltyRules, breaches: dict[Priority, int], csat: float | None) -> Penalty:
    """The deduction for ``breaches`` (breached targets by priority) under ``rules``."""
    lines = []
    for priority in Priority:
        count = breaches.get(priority, 0)
        if count:
            each = rules.percent_per_breach.get(priority, 0.0)
            lines.append(PenaltyLine(priority, count, each, count * each))
    base = sum(line.percent for line in lines)
    relief = extra = 0.0
    if csat is not None and rules.csat_relief_from is not None and csat >= rules.csat_relief_from:
        relief = base * rules.csat_relief_percent / 100
    if csat is not None and rules.csat_extra_below is not None and csat < rules.csat_extra_below:
        extra = rules.csat_extra_percent
    raw = base - relief + extra
    percent = min(raw, rules.cap_percent)
    return Penalty(
        lines=tuple(lines),
        breaches_percent=base,
        csat_relief_percent=relief,
        csat_extra_percent=extra,
        capped=raw > rules.cap_percent,
        percent=percent,
        amount=round(rules.monthly_fee * percent / 100, 2),
        monthly_fee=rules.monthly_fee,
        cap_percent=rules.cap_percent,
    )


@dataclass(frozen=True)
class IncidentFigures:
    """A mass incident of the period. It counts once in the SLA figures, like any ticket;
    the reports linked to it are not counted apart (``desk.incidents``)."""

    number: str
    subject: str
    priority: Priority  # the one its SLA is measured against
    users: int  # affected: the reports' users and its requester, if a person
    reports: int  # reports linked to it


@dataclass(frozen=True)
class ApprovalWaits:
    """The client's approvals decided in the period and the business minutes they took:
    the SLA stood meanwhile, so this time is shown apart from it."""

    rounds: int = 0
    minutes: int = 0

    @property
    def average(self) -> int | None:
        return None if not self.rounds else round(self.minutes / self.rounds)


@dataclass(frozen=True)
class Figures:
    """What the database aggregated for one client and period."""

    by_priority: tuple[PriorityFigures, ...]
    by_category: dict[str, int]
    breaches: tuple[BreachLine, ...]
    breach_count: int  # all breached targets (``breaches`` may list only the first ones)
    csat: dict[int, int]  # score 1..5 -> ratings
    faq: Faq
    consultants: tuple[ConsultantFigures, ...]
    survey: tuple[SurveyFigures, ...] = ()
    changed: tuple[PriorityChange, ...] = ()  # priorities changed (lowered ones marked)
    incidents: tuple[IncidentFigures, ...] = ()  # mass incidents, each counted once above
    approvals: ApprovalWaits = ApprovalWaits()  # waiting for the client's approvers


@dataclass(frozen=True)
class Report:
    client_code: str
    client_name: str
    period: Period
    timezone: str
    made_at: datetime
    figures: Figures
    penalty: Penalty | None
    totals: dict[str, Met] = field(default_factory=dict)  # "reaction" / "resolution" overall

    @property
    def tickets(self) -> int:
        return sum(p.tickets for p in self.figures.by_priority)

    @property
    def csat_average(self) -> float | None:
        return csat_average(self.figures.csat)

    @property
    def csat_count(self) -> int:
        return sum(self.figures.csat.values())


def breaches_by_priority(by_priority: tuple[PriorityFigures, ...]) -> dict[Priority, int]:
    return {p.priority: p.reaction.missed + p.resolution.missed for p in by_priority}


def make_report(
    client_code: str,
    client_name: str,
    period: Period,
    timezone: str,
    made_at: datetime,
    figures: Figures,
    rules: PenaltyRules | None,
) -> Report:
    """The report: figures, totals, and the penalty when the contract has rules."""
    totals = {
        "reaction": Met(
            sum(p.reaction.met for p in figures.by_priority),
            sum(p.reaction.total for p in figures.by_priority),
        ),
        "resolution": Met(
            sum(p.resolution.met for p in figures.by_priority),
            sum(p.resolution.total for p in figures.by_priority),
        ),
    }
    fine = None
    if rules is not None:
        fine = penalty(rules, breaches_by_priority(figures.by_priority), csat_average(figures.csat))
    return Report(client_code, client_name, period, timezone, made_at, figures, fine, totals)
