"""The figures of an SLA report, aggregated by the database (GROUP BY, no row loops).

Tickets of the period are those created in ``[start, end)``.  A target counts
as *met* when it was reached and not breached, as *missed* when its breach was
recorded, or when it is still not reached, not paused, and its due moment lies
before ``cutoff`` (the end of the period, or now for a period still running).
Targets neither reached nor due yet are not counted.  A ticket counts under
the priority its SLA is measured against (``desk.terms.SlaBasis``).  A mass incident
counts once: the reports linked to it are left out, and it is listed with the users
affected and the reports linked (``incidents``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from desk.alerts import SYSTEM_USER_CEILING
from desk.enums import Priority
from desk.model import SlaState
from desk.reporting import (
    BreachLine,
    ConsultantFigures,
    Faq,
    Figures,
    IncidentFigures,
    Met,
    PriorityChange,
    PriorityFigures,
    SurveyFigures,
)
from desk.terms import SlaBasis
from storage import incidents as incident_store
from storage.incidents import IncidentsRepository
from storage.tables import FaqLogRow, ResolutionRow, StaffRow, SurveyAnswerRow, SurveyRow, TicketRow
from storage.tables.incidents import MassIncidentRow

T = TicketRow


def _missed(
    target: Any, done: Any, breached: Any, due: Any, cutoff: datetime
) -> ColumnElement[bool]:
    late_open = and_(done.is_(None), T.paused_at.is_(None), due < cutoff)
    return and_(target.is_not(None), or_(breached.is_(True), late_open))


def _met(target: Any, done: Any, breached: Any) -> ColumnElement[bool]:
    return and_(target.is_not(None), done.is_not(None), breached.is_(False))


def _count(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


class _Targets:
    def __init__(self, cutoff: datetime) -> None:
        self.r_met = _met(T.reaction_target, T.reacted_at, T.reaction_breached)
        self.r_missed = _missed(
            T.reaction_target, T.reacted_at, T.reaction_breached, T.reaction_due, cutoff
        )
        self.s_met = _met(T.resolution_target, T.resolved_at, T.resolution_breached)
        self.s_missed = _missed(
            T.resolution_target, T.resolved_at, T.resolution_breached, T.resolution_due, cutoff
        )

    def columns(self) -> tuple[Any, ...]:
        return (
            _count(self.r_met),
            _count(self.r_missed),
            _count(self.s_met),
            _count(self.s_missed),
        )


def _initial() -> Any:
    return func.coalesce(T.initial_priority, T.priority)


def _peak() -> Any:
    """The highest priority the ticket had (None for rows older than the column)."""
    return case((T.peak_priority < T.priority, T.peak_priority), else_=T.priority)


def measured(basis: SlaBasis) -> Any:
    """The priority column a ticket's SLA counts against under ``basis``."""
    if basis is SlaBasis.INITIAL:
        return _initial()
    if basis is SlaBasis.PEAK:
        return _peak()
    return T.priority


def _met_pair(met: int, missed: int) -> Met:
    return Met(int(met), int(met) + int(missed))


@dataclass
class _Sums:
    """Counts summed over the grouped rows of one key (a priority, an owner)."""

    tickets: int = 0
    resolved: int = 0
    r_met: int = 0
    r_missed: int = 0
    s_met: int = 0
    s_missed: int = 0
    reaction_minutes: int = 0
    reacted: int = 0
    rating_sum: int = 0
    ratings: int = 0

    def add(self, row: Any) -> None:
        n = int(row.n)
        self.tickets += n
        self.resolved += int(row.resolved)
        self.r_met += int(row.r_met)
        self.r_missed += int(row.r_missed)
        self.s_met += int(row.s_met)
        self.s_missed += int(row.s_missed)
        self.reaction_minutes += int(row.reaction_minutes or 0)
        self.reacted += int(row.reacted)
        if row.rating is not None:
            self.rating_sum += int(row.rating) * n
            self.ratings += n


class ReportQueriesRepository:
    """Report queries: what the unit of work offers as ``uow.report_queries``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def report_figures(
        self,
        client_code: str,
        start: datetime,
        end: datetime,
        cutoff: datetime,
        *,
        breach_limit: int = 500,
        basis: SlaBasis = SlaBasis.PEAK,
    ) -> tuple[Figures, list[SlaState | None]]:
        """The client's figures for ``[start, end)``, and for each listed breach the
        SLA state of a ticket still open (to count its time so far), else None.

        One GROUP BY (priority, category, owner, rating) query gives every count;
        the few hundred grouped rows are then summed per priority, category,
        owner and rating.
        """
        t = _Targets(cutoff)
        period = and_(
            T.client_code == client_code,
            T.created_at >= start,
            T.created_at < end,
            ~incident_store.is_part(),  # an incident counts once: its reports are not tickets here
        )
        reacted = and_(T.reacted_at.is_not(None), T.reaction_minutes.is_not(None))
        priority = measured(basis).label("priority")
        grouped = await self._session.execute(
            select(
                priority,
                T.category,
                T.owner_id,
                ResolutionRow.rating,
                func.count().label("n"),
                _count(T.resolved_at.is_not(None)).label("resolved"),
                _count(t.r_met).label("r_met"),
                _count(t.r_missed).label("r_missed"),
                _count(t.s_met).label("s_met"),
                _count(t.s_missed).label("s_missed"),
                func.sum(case((reacted, T.reaction_minutes), else_=0)).label("reaction_minutes"),
                _count(reacted).label("reacted"),
            )
            .outerjoin(ResolutionRow, ResolutionRow.ticket_id == T.id)
            .where(period)
            .group_by(priority, T.category, T.owner_id, ResolutionRow.rating)
        )
        priorities: dict[int, _Sums] = {}
        owners: dict[int, _Sums] = {}
        categories: dict[str, int] = {}
        csat: dict[int, int] = {}
        for row in grouped:
            priorities.setdefault(int(row.priority), _Sums()).add(row)
            owners.setdefault(int(row.owner_id), _Sums()).add(row)
            categories[str(row.category)] = categories.get(str(row.category), 0) + int(row.n)
            if row.rating is not None:
                csat[int(row.rating)] = csat.get(int(row.rating), 0) + int(row.n)
        by_priority = tuple(
            PriorityFigures(
                Priority(p),
                s.tickets,
                _met_pair(s.r_met, s.r_missed),
                _met_pair(s.s_met, s.s_missed),
            )
            for p, s in sorted(priorities.items())
        )
        breaches, states = await self._breaches(period, t, breach_limit, basis)
        tickets = sum(s.tickets for s in priorities.values())
        figures = Figures(
            by_priority=by_priority,
            by_category=categories,
            breaches=tuple(breaches),
            breach_count=sum(s.r_missed + s.s_missed for s in priorities.values()),
            csat=csat,
            faq=await self._faq(client_code, start, end, tickets),
            consultants=await self._consultants(owners),
            survey=await self._survey(client_code, start, end),
            changed=await self._changed(period, basis, breach_limit),
            incidents=await self._incidents(period, basis, breach_limit),
        )
        return figures, states

    async def _incidents(
        self, period: ColumnElement[bool], basis: SlaBasis, limit: int
    ) -> tuple[IncidentFigures, ...]:
        """The period's mass incidents with the users affected and the reports linked."""
        rows = (
            await self._session.execute(
                select(T.id, T.number, T.subject, measured(basis), T.requester_id)
                .join(MassIncidentRow, MassIncidentRow.ticket_id == T.id)
                .where(period)
                .order_by(T.created_at, T.id)
                .limit(limit)
            )
        ).all()
        counts = await IncidentsRepository(self._session).counts([row[0] for row in rows])
        found = []
        for ticket_id, number, subject, priority, requester in rows:
            count = counts.get(ticket_id, incident_store.Count())
            person = 1 if requester > SYSTEM_USER_CEILING else 0
            found.append(
                IncidentFigures(
                    number, subject, Priority(priority), count.users + person, count.reports
                )
            )
        return tuple(found)

    async def _changed(
        self, period: ColumnElement[bool], basis: SlaBasis, limit: int
    ) -> tuple[PriorityChange, ...]:
        """Tickets whose priority is not the one at registration, or below the highest."""
        rows = await self._session.execute(
            select(T.number, _initial(), T.priority, measured(basis), _peak(), T.subject)
            .where(period, or_(_initial() != T.priority, _peak() < T.priority))
            .order_by(T.created_at, T.id)
            .limit(limit)
        )
        return tuple(
            PriorityChange(
                number=number,
                initial=Priority(initial),
                final=Priority(final),
                measured=Priority(measured_),
                lowered=final > peak,
                subject=subject,
            )
            for number, initial, final, measured_, peak, subject in rows
        )

    async def _consultants(self, owners: dict[int, _Sums]) -> tuple[ConsultantFigures, ...]:
        names = {
            row.telegram_id: row.name
            for row in await self._session.execute(
                select(StaffRow.telegram_id, StaffRow.name).where(StaffRow.telegram_id.in_(owners))
            )
        }
        ordered = sorted(owners.items(), key=lambda kv: (-kv[1].tickets, kv[0]))
        return tuple(
            ConsultantFigures(
                name=names.get(owner, str(owner)),
                tickets=s.tickets,
                resolved=s.resolved,
                reaction=_met_pair(s.r_met, s.r_missed),
                resolution=_met_pair(s.s_met, s.s_missed),
                avg_reaction_minutes=s.reaction_minutes / s.reacted if s.reacted else None,
                csat_average=s.rating_sum / s.ratings if s.ratings else None,
                csat_count=s.ratings,
            )
            for owner, s in ordered
        )

    async def _breaches(
        self,
        period: ColumnElement[bool],
        t: _Targets,
        limit: int,
        basis: SlaBasis,
    ) -> tuple[list[BreachLine], list[SlaState | None]]:
        """The first ``limit`` breaches of each kind, in registration order."""
        lines: list[BreachLine] = []
        states: list[SlaState | None] = []
        for target, missed in (("reaction", t.r_missed), ("resolution", t.s_missed)):
            rows = await self._session.execute(
                select(
                    T.number,
                    measured(basis),
                    _initial(),
                    T.priority,
                    T.subject,
                    StaffRow.name,
                    T.owner_id,
                    T.reaction_target,
                    T.reaction_minutes,
                    T.reacted_at,
                    T.resolution_target,
                    T.resolution_minutes,
                    T.resolved_at,
                    T.sla_started_at,
                    T.paused_minutes,
                    T.reaction_due,
                    T.resolution_due,
                )
                .outerjoin(StaffRow, StaffRow.telegram_id == T.owner_id)
                .where(period, missed)
                .order_by(T.created_at, T.id)
                .limit(limit)
            )
            for row in rows:
                (number, priority, initial, final, subject, owner, owner_id, r_target,
                 r_min, reacted, s_target, s_min, resolved, started, paused, r_due,
                 s_due) = row  # fmt: skip
                reaction = target == "reaction"
                actual = r_min if reaction else s_min
                done = reacted if reaction else resolved
                lines.append(
                    BreachLine(
                        number=number,
                        priority=Priority(priority),
                        target=target,
                        target_minutes=r_target if reaction else s_target,
                        actual_minutes=actual if done is not None else None,
                        subject=subject,
                        owner=owner or str(owner_id),
                        initial=Priority(initial),
                        final=Priority(final),
                    )
                )
                states.append(
                    None
                    if done is not None
                    else SlaState(r_due, s_due, started_at=started, paused_minutes=paused)
                )
        return lines, states

    async def _faq(self, client_code: str, start: datetime, end: datetime, tickets: int) -> Faq:
        row = (
            await self._session.execute(
                select(func.count(), _count(FaqLogRow.outcome == "helped")).where(
                    FaqLogRow.client_code == client_code, FaqLogRow.at >= start, FaqLogRow.at < end
                )
            )
        ).one()
        return Faq(steps=int(row[0]), helped=int(row[1]), tickets=tickets)

    async def _survey(
        self, client_code: str, start: datetime, end: datetime
    ) -> tuple[SurveyFigures, ...]:
        """Answers of the client's latest survey started before the period's end
        (a half-year survey shows in every report until the next one)."""
        latest = (
            select(SurveyRow.id)
            .where(SurveyRow.client_code == client_code, SurveyRow.started_at < end)
            .order_by(SurveyRow.started_at.desc(), SurveyRow.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        rows = await self._session.execute(
            select(SurveyAnswerRow.question, func.count(), func.avg(SurveyAnswerRow.score))
            .where(SurveyAnswerRow.survey_id == latest)
            .group_by(SurveyAnswerRow.question)
            .order_by(SurveyAnswerRow.question)
        )
        return tuple(
            SurveyFigures(int(q), int(n), None if avg is None else float(avg)) for q, n, avg in rows
        )
