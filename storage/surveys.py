"""Satisfaction surveys: started per client, answered 1-5 per question by its users.

Every function takes the unit of work's session and never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_new
from storage.tables import SurveyAnswerRow, SurveyRow


@dataclass(frozen=True)
class Survey:
    id: int
    client_code: str
    started_at: datetime
    questions: int


def _survey(row: SurveyRow) -> Survey:
    return Survey(row.id, row.client_code, row.started_at, row.questions)


async def start(session: AsyncSession, client_code: str, questions: int, now: datetime) -> Survey:
    row = SurveyRow(client_code=client_code, started_at=now, questions=questions)
    session.add(row)
    await session.flush()
    return _survey(row)


async def latest(session: AsyncSession, client_code: str) -> Survey | None:
    row = await session.scalar(
        select(SurveyRow)
        .where(SurveyRow.client_code == client_code)
        .order_by(SurveyRow.started_at.desc(), SurveyRow.id.desc())
        .limit(1)
    )
    return None if row is None else _survey(row)


async def get(session: AsyncSession, survey_id: int) -> Survey | None:
    row = await session.get(SurveyRow, survey_id)
    return None if row is None else _survey(row)


async def answer(
    session: AsyncSession, survey_id: int, user_id: int, question: int, score: int, now: datetime
) -> bool:
    """Record an answer; False if this user already answered this question (the
    first answer stands)."""
    values = {
        "survey_id": survey_id,
        "user_id": user_id,
        "question": question,
        "score": score,
        "answered_at": now,
    }
    return await insert_new(session, SurveyAnswerRow, values)


async def answers_count(session: AsyncSession, survey_id: int) -> int:
    value = await session.scalar(select(func.count()).where(SurveyAnswerRow.survey_id == survey_id))
    return int(value or 0)
