"""The half-year survey: questions to every user of the client through the outbox,
answers recorded once each, the next question edited in, results in the report."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.callbacks import SurveyCb
from bot.cli import main as cli
from bot.reports.build import build_report, render_report
from bot.services import survey
from desk.model import User
from desk.reporting import parse_period
from storage.database import Database
from storage.tables import OutboxRow
from storage.uow import UnitOfWorkFactory

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


async def _outbox(factory: UnitOfWorkFactory) -> list[dict[str, Any]]:
    async with factory() as uow:
        rows = await uow.session.scalars(select(OutboxRow).order_by(OutboxRow.id))
        return [{"chat": r.chat_id, "kind": r.kind, **r.payload} for r in rows]


def _callbacks(item: dict[str, Any]) -> list[str]:
    return [b["callback_data"] for row in item["markup"]["inline_keyboard"] for b in row]


@pytest.fixture
async def started(demo_uow_factory: UnitOfWorkFactory) -> survey.Started:
    async with demo_uow_factory() as uow:
        await uow.users.bind(User(1003, "DEMO", "Ольга", NOW, None))
        return await survey.start(uow, "DEMO", NOW)


async def test_every_user_of_the_client_gets_the_first_question(
    demo_uow_factory: UnitOfWorkFactory, started: survey.Started
) -> None:
    assert started.users == 2
    sent = [m for m in await _outbox(demo_uow_factory) if m["kind"] == "send"]
    assert sorted(m["chat"] for m in sent) == [1001, 1003]
    assert all("Вопрос 1 из 4" in m["text"] for m in sent)
    assert _callbacks(sent[0]) == [
        SurveyCb(survey=started.survey_id, question=1, score=s).pack() for s in range(1, 6)
    ]


async def test_a_second_survey_within_half_a_year_is_refused(
    demo_uow_factory: UnitOfWorkFactory, started: survey.Started
) -> None:
    async with demo_uow_factory() as uow:
        with pytest.raises(survey.TooSoon):
            await survey.start(uow, "DEMO", NOW + timedelta(days=30))
    async with demo_uow_factory() as uow:
        again = await survey.start(uow, "DEMO", NOW + timedelta(days=181))
    assert again.survey_id != started.survey_id


async def test_answers_walk_the_questions_and_land_in_the_report(
    demo_uow_factory: UnitOfWorkFactory, started: survey.Started
) -> None:
    sid = started.survey_id
    answers = {1001: [5, 4, 5, 5], 1003: [3, 4, 4, 2]}
    for user, scores in answers.items():
        for question, score in enumerate(scores, start=1):
            async with demo_uow_factory() as uow:
                data = SurveyCb(survey=sid, question=question, score=score)
                assert await survey.answer(uow, user, data, user, 77, NOW)
    async with demo_uow_factory() as uow:  # a second press on question 1 changes nothing
        assert await survey.answer(
            uow, 1001, SurveyCb(survey=sid, question=1, score=1), 1001, 77, NOW
        )
    edits = [
        m for m in await _outbox(demo_uow_factory) if m["kind"] == "edit" and m["chat"] == 1001
    ]
    assert "Вопрос 2 из 4" in edits[0]["text"]
    assert "Спасибо за ответы" in edits[3]["text"]

    async with demo_uow_factory() as uow:
        report = await build_report(uow, "DEMO", parse_period("2026-11"), NOW)
    by_question = {s.question: (s.answers, s.average) for s in report.figures.survey}
    assert by_question == {1: (2, 4.0), 2: (2, 4.0), 3: (2, 4.5), 4: (2, 3.5)}
    html = render_report(report, "html").decode("utf-8")
    assert "Полугодовой опрос" in html
    assert "Насколько быстро мы реагируем" in html
    assert "4,50" in html


async def test_a_forged_or_foreign_answer_is_refused(
    demo_uow_factory: UnitOfWorkFactory, started: survey.Started
) -> None:
    """Someone who is not the client's user, an unknown survey, a question or a
    score out of range: nothing is recorded, nothing is sent."""
    before = len(await _outbox(demo_uow_factory))
    cases = [
        (4242, SurveyCb(survey=started.survey_id, question=1, score=5)),  # not a user
        (1001, SurveyCb(survey=started.survey_id + 99, question=1, score=5)),
        (1001, SurveyCb(survey=started.survey_id, question=9, score=5)),
        (1001, SurveyCb.model_construct(survey=started.survey_id, question=1, score=7)),  # unparsed
    ]
    for user, data in cases:
        async with demo_uow_factory() as uow:
            assert not await survey.answer(uow, user, data, user, 1, NOW)
    assert len(await _outbox(demo_uow_factory)) == before


async def test_the_cli_starts_a_survey_and_explains_refusals(
    database: Database, demo_uow_factory: UnitOfWorkFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    url = ["--database-url", database.engine.url.render_as_string(hide_password=False)]
    assert await asyncio.to_thread(cli, ["survey", "start", "--client", "demo", *url]) == 0
    assert "поставлен в очередь 1 пользователям" in capsys.readouterr().out
    assert await asyncio.to_thread(cli, ["survey", "start", "--client", "DEMO", *url]) == 1
    assert "не раньше чем через полгода" in capsys.readouterr().err
    assert await asyncio.to_thread(cli, ["survey", "start", "--client", "NOPE", *url]) == 1
    assert "Нет клиента с кодом «NOPE»" in capsys.readouterr().err
