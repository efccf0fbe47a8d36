"""The figures of an SLA report, aggregated by the database (GROUP BY, no row loops).

Tickets of the period are those created in ``[start, end)``.  A target counts
as *met* when it was reached and not breached, as *missed* when its breach was
recorded, or when it is still not reached, not paused, and its due moment lies
before ``cutoff`` (the end of the period, or now for a period still running).
Targets neither reached nor due yet are not counted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from desk.enums import Priority
from desk.reporting import (
    BreachLine,
    ConsultantFigures,
    Faq,
    Figures,
    Met,
    PriorityFigures,
    SurveyFigures,
)
from desk.sla import SlaState
from storage.tables import StaffRow, TicketRow
from storage.tables_messaging import FaqLogRow, ResolutionRow
from storage.tables_ops import SurveyAnswerRow, SurveyRow

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


def _met_pair(met: int, missed: int) -> Met:
    return Met(int(met), int(met) + int(missed))


async def report_figures(
    session: AsyncSession,
    client_code: str,
    start: datetime,
    end: datetime,
    cutoff: datetime,
    *,
    breach_limit: int = 500,
) -> tuple[Figures, list[SlaState | None]]:
    """The client's figures for ``[start, end)``, and for each listed breach the
    SLA state of a ticket still open (to count its time so far), else None."""
    t = _Targets(cutoff)
    period = and_(T.client_code == client_code, T.created_at >= start, T.created_at < end)

    by_priority = tuple(
        PriorityFigures(Priority(p), int(n), _met_pair(rm, rx), _met_pair(sm, sx))
        for p, n, rm, rx, sm, sx in await session.execute(
            select(T.priority, func.count(), *t.columns())
            .where(period)
            .group_by(T.priority)
            .order_by(T.priority)
        )
    )
    by_category = {
        str(c): int(n)
        for c, n in await session.execute(
            select(T.category, func.count()).where(period).group_by(T.category)
        )
    }
    breaches, states, breach_count = await _breaches(session, period, t, breach_limit)
    csat = {
        int(score or 0): int(n)
        for score, n in await session.execute(
            select(ResolutionRow.rating, func.count())
            .join(T, T.id == ResolutionRow.ticket_id)
            .where(period, ResolutionRow.rating.is_not(None))
            .group_by(ResolutionRow.rating)
        )
    }
    figures = Figures(
        by_priority=by_priority,
        by_category=by_category,
        breaches=tuple(breaches),
        breach_count=breach_count,
        csat=csat,
        faq=await _faq(session, client_code, start, end, sum(p.tickets for p in by_priority)),
        consultants=await _consultants(session, period, t),
        survey=await _survey(session, client_code, start, end),
    )
    return figures, states


async def _breaches(
    session: AsyncSession, period: ColumnElement[bool], t: _Targets, limit: int
) -> tuple[list[BreachLine], list[SlaState | None], int]:
    lines: list[BreachLine] = []
    states: list[SlaState | None] = []
    total = 0
    for target, missed in (("reaction", t.r_missed), ("resolution", t.s_missed)):
        count = await session.scalar(select(func.count()).where(period, missed))
        total += int(count or 0)
        rows = await session.execute(
            select(
                T.number,
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
            (number, priority, subject, owner, owner_id, r_target, r_min, reacted,
             s_target, s_min, resolved, started, paused, r_due, s_due) = row  # fmt: skip
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
                )
            )
            states.append(
                None
                if done is not None
                else SlaState(r_due, s_due, started_at=started, paused_minutes=paused)
            )
    return lines, states, total


async def _faq(
    session: AsyncSession, client_code: str, start: datetime, end: datetime, tickets: int
) -> Faq:
    row = (
        await session.execute(
            select(func.count(), _count(FaqLogRow.outcome == "helped")).where(
                FaqLogRow.client_code == client_code, FaqLogRow.at >= start, FaqLogRow.at < end
            )
        )
    ).one()
    return Faq(steps=int(row[0]), helped=int(row[1]), tickets=tickets)


async def _consultants(
    session: AsyncSession, period: ColumnElement[bool], t: _Targets
) -> tuple[ConsultantFigures, ...]:
    reacted_minutes = case((T.reacted_at.is_not(None), T.reaction_minutes), else_=None)
    rows = await session.execute(
        select(
            T.owner_id,
            func.max(StaffRow.name),
            func.count(),
            _count(T.resolved_at.is_not(None)),
            *t.columns(),
            func.avg(reacted_minutes),
            func.avg(ResolutionRow.rating),
            func.count(ResolutionRow.rating),
        )
        .outerjoin(StaffRow, StaffRow.telegram_id == T.owner_id)
        .outerjoin(ResolutionRow, ResolutionRow.ticket_id == T.id)
        .where(period)
        .group_by(T.owner_id)
        .order_by(func.count().desc(), T.owner_id)
    )
    return tuple(
        ConsultantFigures(
            name=name or str(owner),
            tickets=int(n),
            resolved=int(resolved),
            reaction=_met_pair(rm, rx),
            resolution=_met_pair(sm, sx),
            avg_reaction_minutes=None if avg_r is None else float(avg_r),
            csat_average=None if avg_c is None else float(avg_c),
            csat_count=int(n_c),
        )
        for owner, name, n, resolved, rm, rx, sm, sx, avg_r, avg_c, n_c in rows
    )


async def _survey(
    session: AsyncSession, client_code: str, start: datetime, end: datetime
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
    rows = await session.execute(
        select(SurveyAnswerRow.question, func.count(), func.avg(SurveyAnswerRow.score))
        .where(SurveyAnswerRow.survey_id == latest)
        .group_by(SurveyAnswerRow.question)
        .order_by(SurveyAnswerRow.question)
    )
    return tuple(
        SurveyFigures(int(q), int(n), None if avg is None else float(avg)) for q, n, avg in rows
    )
