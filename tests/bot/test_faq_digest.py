"""The FAQ learning from its log (bot/jobs/faq_digest.py) on a real database: the weekly
digest of gaps in the team's staff group, once a week, and the feedback reload."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.jobs.faq_digest import digest_week, refresh_feedback, send_faq_digests
from knowledge.analysis import Analyzer
from knowledge.base import KnowledgeBase
from knowledge.morph import default_lemmatizer
from storage.database import Database
from storage.tables import OutboxRow
from storage.uow import UnitOfWorkFactory
from tests.bot.cli_support import DEMO_CONFIG, run_cli

MSK = ZoneInfo("Europe/Moscow")
STAFF_CHAT = -1001000000001
MONDAY = datetime(2027, 1, 11, 9, 30, tzinfo=MSK)  # ISO week 2027-W02
KB = Path(__file__).parents[1] / "knowledge" / "data" / "mini_kb"

# (query, outcome, ticket, chosen, days before MONDAY)
STEPS = [
    ("Не печатается УПД из реализации", "unanswered", 1, None, 1),
    ("УПД не печатается из реализации", "unanswered", 2, None, 2),
    ("не печатается упд", "not_it", 3, None, 3),
    ("Курс доллара не загружается", "unanswered", 4, None, 1),
    ("Курс доллара не загружается", "unanswered", 5, None, 2),
    ("Как сменить пароль", "unanswered", 6, "change-password", 1),  # answered since
    ("Не проводится документ", "helped", None, "document-not-posting", 1),
    ("Ошибка обмена с сайтом", "unanswered", 7, None, 9),  # before the week
]


async def _log(factory: UnitOfWorkFactory, now: datetime) -> None:
    async with factory() as uow:
        for query, outcome, ticket, chosen, days in STEPS:
            log_id = await uow.drafts.log_faq(
                user_id=1001,
                client_code="DEMO",
                query=query,
                shown=[],
                outcome=outcome,
                now=now - timedelta(days=days),
                ticket_id=ticket,
            )
            if chosen is not None:
                await uow.drafts.close_faq(log_id, outcome, chosen=chosen)


async def _texts(factory: UnitOfWorkFactory) -> list[tuple[int, str]]:
    async with factory() as uow:
        rows = await uow.session.scalars(select(OutboxRow).order_by(OutboxRow.id))
        return [(r.chat_id, str(r.payload["text"])) for r in rows]


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(default_lemmatizer())


def test_the_digest_is_due_from_monday_nine_moscow_time() -> None:
    assert digest_week(datetime(2027, 1, 11, 8, 59, tzinfo=MSK)) is None
    assert digest_week(MONDAY) == "faq-2027-W02"
    assert digest_week(datetime(2027, 1, 17, 23, 0, tzinfo=MSK)) == "faq-2027-W02"
    assert digest_week(datetime(2027, 1, 10, 23, 0, tzinfo=UTC)) is None  # Monday 02:00 MSK
    assert digest_week(datetime(2027, 1, 11, 6, 0, tzinfo=UTC)) == "faq-2027-W02"  # 09:00 MSK


async def test_the_weekly_digest_lists_the_top_gaps_in_the_staff_group_once(
    demo_uow_factory: UnitOfWorkFactory, analyzer: Analyzer
) -> None:
    """On Monday 09:30 the staff group gets the week's requests the FAQ did not answer
    that became tickets, grouped, most frequent first, with how to fill the gap; a
    request since answered with /faq, one that helped and an older one are not in it.
    Later passes that week, and a second instance, send nothing more."""
    await _log(demo_uow_factory, MONDAY)
    assert await send_faq_digests(demo_uow_factory, analyzer, MONDAY - timedelta(hours=1)) == 0
    assert await send_faq_digests(demo_uow_factory, analyzer, MONDAY) == 1
    assert await send_faq_digests(demo_uow_factory, analyzer, MONDAY + timedelta(days=2)) == 0
    [(chat, text)] = await _texts(demo_uow_factory)
    assert chat == STAFF_CHAT
    lines = text.splitlines()
    assert lines[0] == "<b>Чего не хватает в базе знаний</b>"
    first = next(i for i, line in enumerate(lines) if line.startswith("1. "))
    assert "печатается" in lines[first]
    assert lines[first].endswith("— 3 раза")
    assert lines[first + 1].strip().startswith("похоже: «")
    assert "2. «Курс доллара не загружается» — 2 раза" in text
    for absent in ("пароль", "проводится", "сайтом", "3. "):
        assert absent not in text
    assert text.endswith("/faq в ответ на ответ консультанта в заявке сохранит его в базу знаний.")


async def test_a_quiet_week_sends_nothing(
    demo_uow_factory: UnitOfWorkFactory, analyzer: Analyzer
) -> None:
    assert await send_faq_digests(demo_uow_factory, analyzer, MONDAY) == 0
    assert await _texts(demo_uow_factory) == []


async def test_the_feedback_reload_demotes_what_users_rejected(
    demo_uow_factory: UnitOfWorkFactory,
) -> None:
    """«Не то» rows in the FAQ log, loaded into the knowledge base, hold the rejected
    entry back for questions like them; a consultant's later answer with the entry
    counts for it."""
    kb = KnowledgeBase(KB)
    question = "ошибка себестоимости при закрытии месяца"
    assert kb.confident(question)[0].entry.id == "close-month"
    async with demo_uow_factory() as uow:
        for ticket, query in enumerate(
            ["не закрывается месяц, ошибка себестоимости", "месяц не закрывается себестоимость"]
        ):
            log_id = await uow.drafts.log_faq(
                user_id=1001,
                client_code="DEMO",
                query=query,
                shown=[{"id": "close-month", "score": 0.9}, {"id": "no-postings", "score": 0.4}],
                outcome="shown",
                now=MONDAY,
            )
            await uow.drafts.close_faq(log_id, "shown", chosen="close-month")
            assert await uow.drafts.reject_faq(log_id, ticket + 1) == (
                query,
                ["close-month"],
            )
    assert await refresh_feedback(demo_uow_factory, kb, MONDAY) == 2
    assert "close-month" not in [s.entry.id for s in kb.confident(question)]
    async with demo_uow_factory() as uow:
        await uow.drafts.note_faq_answer(1, "close-month")
        await uow.drafts.note_faq_answer(2, "close-month")
    assert await refresh_feedback(demo_uow_factory, kb, MONDAY) == 2  # now two helps
    assert kb.confident(question)[0].entry.id == "close-month"


def test_cli_gaps_from_the_database(capsys: pytest.CaptureFixture[str], migrated_url: str) -> None:
    """`faq gaps --from-db --days 7` prints the groups of the last week's requests that
    found no answer and became tickets, biggest first."""
    run_cli(capsys, "config", "apply", str(DEMO_CONFIG), "--database-url", migrated_url)

    async def seed() -> None:
        database = await Database.open(migrated_url)
        try:
            await _log(database.uow, datetime.now(UTC))
        finally:
            await database.close()

    asyncio.run(seed())
    result = run_cli(
        capsys, "faq", "gaps", "--from-db", "--days", "7", "--database-url", migrated_url
    )
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("Самые частые запросы без хорошего ответа с ")
    assert "ставшие заявками (групп 2)" in lines[0]
    assert lines[1].split()[0] == "3"
    assert "печатается" in lines[1]
    assert lines[-1].split() == ["2", "Курс", "доллара", "не", "загружается"]
    quiet = run_cli(
        capsys, "faq", "gaps", "--from-db", "--days", "0", "--database-url", migrated_url
    )
    assert quiet.out.startswith("Нет запросов без ответа с ")
