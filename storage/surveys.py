"""Satisfaction surveys: started per client, answered 1-5 per question by its users.

A repository on the unit of work (``uow.surveys``); it never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage._dialect import insert_new
from storage.tables import SurveyAnswerRow, SurveyRow


@dataclass(frozen=True)
class Survey:
    id: int
    client_code: str
    started_at: datetime
    questions: int


def _survey(row: SurveyRow) -> Survey:
    return Survey(row.id, row.client_code, row.started_at, row.questions)


class SurveysRepository:
    """Surveys: what the unit of work offers as ``uow.surveys``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def start(self, client_code: str, questions: int, now: datetime) -> Survey:
        row = SurveyRow(client_code=client_code, started_at=now, questions=questions)
        self._session.add(row)
        await self._session.flush()
        return _survey(row)

    async def latest(self, client_code: str) -> Survey | None:
        row = await self._session.scalar(
            select(SurveyRow)
            .where(SurveyRow.client_code == client_code)
            .order_by(SurveyRow.started_at.desc(), SurveyRow.id.desc())
            .limit(1)
        )
        return None if row is None else _survey(row)

    async def get(self, survey_id: int) -> Survey | None:
        row = await self._session.get(SurveyRow, survey_id)
        return None if row is None else _survey(row)

    async def answer(
        self, survey_id: int, user_id: int, question: int, score: int, now: datetime
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
        return await insert_new(self._session, SurveyAnswerRow, values)

    async def answers_count(self, survey_id: int) -> int:
        value = await self._session.scalar(
            select(func.count()).where(SurveyAnswerRow.survey_id == survey_id)
        )
        return int(value or 0)
