"""Reports and alerts through the running bot and the sandbox (real aiogram, real
outbox sender): ``/report`` in the staff group and a client manager's ``/tickets``
bring the report as a document; an SLA breach reaches the ticket's topic."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import run_app
from bot.compose import App, compose
from bot.jobs.watcher import Watcher
from bot.services import survey
from knowledge.base import KnowledgeBase
from sandbox.server import SandboxHandle
from storage.database import Database
from storage.uow import UnitOfWorkFactory
from tests.bot.cli_support import demo_managed_by
from tests.e2e.conftest import faq_dir, knowledge, settings_for
from tests.e2e.desk import CONSULTANT, STAFF_CHAT, STRANGER, USER, Desk, button, buttons, text_of
from tests.sandbox.fixtures import sandbox, seeded_sandbox

__all__ = ["faq_dir", "knowledge", "sandbox", "seeded_sandbox"]


@pytest.fixture
async def desk_app(
    seeded_sandbox: SandboxHandle,
    migrated_url: str,
    database: Database,
    demo_uow_factory: UnitOfWorkFactory,
    knowledge: KnowledgeBase,
    faq_dir: Path,
) -> AsyncIterator[App]:
    """The product running against the sandbox (as in tests/e2e, with the URL the
    test database was made with)."""
    await seeded_sandbox.control.create_user(STRANGER, "Пётр", username="petr")
    app = await compose(
        settings_for(seeded_sandbox, migrated_url, faq_dir), db=database, kb=knowledge
    )
    stop = asyncio.Event()
    task = asyncio.create_task(run_app(app, stop))
    try:
        yield app
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)
        await app.bot.session.close()


@pytest.fixture
def desk(seeded_sandbox: SandboxHandle, desk_app: App) -> Desk:
    return Desk(seeded_sandbox)


DEMO_CONFIG = Path(__file__).parents[2] / "bot" / "demo_config.toml"


def _is_document(message: dict[str, object], name: str) -> bool:
    document = message.get("document")
    return isinstance(document, dict) and document.get("file_name") == name


async def test_report_command_in_the_staff_group_sends_the_document(desk: Desk) -> None:
    await desk.say(CONSULTANT, STAFF_CHAT, "/report DEMO 2026-11 xlsx")
    message = await desk.wait_for(
        STAFF_CHAT,
        lambda m: _is_document(m, "sla-DEMO-2026-11.xlsx"),
        what="the report document",
    )
    assert "Отчёт об SLA · Демо" in text_of(message)
    await desk.say(CONSULTANT, STAFF_CHAT, "/report DEMO ноябрь")
    await desk.bot_says(STAFF_CHAT, "Отчёт об SLA: /report КОД")


async def test_a_client_manager_gets_tickets_and_the_latest_report(
    desk: Desk, desk_app: App, tmp_path: Path
) -> None:
    await demo_managed_by(desk_app.db.uow, USER, tmp_path)
    await desk.say(CONSULTANT, STAFF_CHAT, "/report DEMO 2026-11")
    await desk.wait_for(STAFF_CHAT, lambda m: _is_document(m, "sla-DEMO-2026-11.html"))

    await desk.say(USER, USER, "/tickets")
    listing = await desk.bot_says(USER, "открытых заявок: 0")
    assert "Демо" in text_of(listing)
    # the latest saved report: the one made here, or the monthly one the running
    # scheduler may have saved meanwhile (the demo contract reports monthly)
    [(label, data)] = buttons(listing)
    period = label.split()[-1]
    await desk.control.click(USER, USER, listing["message_id"], data, wait=desk.timeout)
    await desk.wait_for(USER, lambda m: _is_document(m, f"sla-DEMO-{period}.html"))


async def test_someone_who_is_not_a_manager_is_told_so(desk: Desk) -> None:
    await desk.say(USER, USER, "/tickets")
    await desk.bot_says(USER, "для менеджеров компаний-клиентов")


async def test_a_breach_reaches_the_tickets_topic_mentioning_the_owner(
    desk: Desk, desk_app: App
) -> None:
    """A ticket registered now is past its reaction due a week later: a watcher
    pass then posts the breach into the ticket's topic, mentioning the owner."""
    first = await desk.say(USER, USER, "Не закрывается месяц, ошибка при расчете себестоимости")
    offer = await desk.bot_says(USER, "уже есть ответ", after=first)
    await desk.press(USER, USER, offer, "Не то")
    await desk.bot_says(USER, "зарегистрирована", after=first)
    topic = await desk.topic_of("DEMO-1")
    watcher = Watcher(desk_app.db.uow, desk_app.tickets, autoclose_minutes=60)
    later = desk_app.now() + timedelta(days=7)  # surely past the due in business time
    assert (await watcher.run_pass(later)).alerts >= 1
    desk_app.sender.wake()
    alert = await desk.bot_says(STAFF_CHAT, "нарушен", thread_id=topic["message_thread_id"])
    assert "DEMO-1" in text_of(alert)
    owner = "Анна Смирнова" if "Анна Смирнова" in text_of(alert) else "Борис Ким"
    assert owner in text_of(alert)  # the mention of the ticket's owner


def _edited_to(message_id: int, part: str) -> Callable[[dict[str, Any]], bool]:
    return lambda m: m["message_id"] == message_id and part in text_of(m)


async def test_a_user_answers_the_survey_with_buttons(desk: Desk, desk_app: App) -> None:
    """The first question arrives; each press edits the message into the next
    question, the last into thanks; the answers are recorded."""
    async with desk_app.db.uow() as uow:
        started = await survey.start(uow, "DEMO", desk_app.now())
    desk_app.sender.wake()
    question = await desk.bot_says(USER, "Вопрос 1 из 4")
    message_id = question["message_id"]
    for number in range(1, 5):
        await desk.control.click(USER, USER, message_id, button(question, "5"), wait=desk.timeout)
        expected = f"Вопрос {number + 1} из 4" if number < 4 else "Спасибо за ответы"
        question = await desk.wait_for(USER, _edited_to(message_id, expected), what=expected)
    async with desk_app.db.uow() as uow:
        assert await uow.surveys.answers_count(started.survey_id) == 4
