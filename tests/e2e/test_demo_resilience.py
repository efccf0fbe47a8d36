"""The demo stays up: a bot that fails is started again, and a database an
operator configured differently is used as it is (issue 18, "The demo with a
changed config" and "Poison update")."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app import run_bot
from bot.cli import demo
from bot.cli.demo import DemoConfigState, prepare_database, reset_data, supervise
from bot.services.config import apply_config
from bot.settings import Settings
from desk.config import load_config
from desk.model import User
from sandbox.server import SandboxHandle
from storage.engine import create_engine
from storage.uow import UnitOfWorkFactory
from tests.e2e.conftest import Product
from tests.e2e.desk import USER, Desk

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config.example.toml"


async def test_a_failing_bot_is_started_again_and_then_answers(
    seeded_sandbox: SandboxHandle,
    product: Product,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bot's start fails twice (Telegram refuses getMe); the demo says so, waits,
    starts it again, and the third start serves the user."""
    monkeypatch.setattr(demo, "RESTART_FIRST", 0.2)
    await seeded_sandbox.control.add_fault("getMe", "400", count=2)
    stop = asyncio.Event()
    task = asyncio.create_task(supervise(run_bot, product.settings, stop))
    try:
        desk = Desk(seeded_sandbox)
        sent = await desk.say(USER, USER, "Кассир не видит кнопку возврата")
        await desk.bot_says(USER, "зарегистрирована", after=sent)
    finally:
        stop.set()
        restarts = await asyncio.wait_for(task, 30)
    assert restarts == 2
    said = capsys.readouterr().out
    assert said.count("Бот остановился с ошибкой") == 2
    assert "будет перезапущен через" in said


async def _apply(url: str, path: Path) -> None:
    engine = create_engine(url)
    try:
        async with UnitOfWorkFactory(engine)() as uow:
            await apply_config(uow, load_config(path), source=str(path), now=datetime.now(UTC))
    finally:
        await engine.dispose()


async def _bind(url: str, user_id: int, client: str) -> None:
    engine = create_engine(url)
    try:
        async with UnitOfWorkFactory(engine)() as uow:
            await uow.users.bind(User(user_id, client, "Ирина", datetime.now(UTC), None))
    finally:
        await engine.dispose()


async def test_the_demo_starts_on_a_database_an_operator_configured(tmp_path: Path) -> None:
    """The operator applied their own config (clients ROGA and VOST, no DEMO) and
    VOST has a user: the demo no longer refuses; it adds its own and says what differs."""
    settings = Settings(
        bot_token=SecretStr("1:x"),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}",
        config_file=demo.DEMO_CONFIG,
    )
    first = await prepare_database(settings)
    assert first.first_run
    await _apply(settings.database_url, EXAMPLE)  # removes DEMO's own entries, adds theirs
    await _bind(settings.database_url, 5005, "VOST")
    again = await prepare_database(settings)
    assert not again.first_run
    assert "client DEMO" in again.added
    assert any(d.startswith("client VOST") for d in again.differs)
    third = await prepare_database(settings)
    assert third.added == []  # nothing left to add; the differences stay as the operator set them
    assert third.differs == again.differs


def test_reset_moves_the_data_aside_and_keeps_it(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    data.mkdir()
    (data / "supportdesk.sqlite3").write_text("old")
    moved = reset_data(data)
    assert moved is not None
    assert not data.exists()
    assert (moved / "supportdesk.sqlite3").read_text() == "old"
    assert moved.name.startswith("demo.bak-")
    assert reset_data(data) is None


def test_the_banner_says_what_differs() -> None:
    state = DemoConfigState(added=["client DEMO"], differs=["client KOPY (нет в демо)"])
    text = (
        demo._templates()
        .get_template("demo_banner.j2")
        .render(
            web_url="http://x/",
            api_url="http://x",
            token="t",
            data_dir="d",
            page_url="http://x:1",
            users=demo.USERS,
            staff=demo.STAFF,
            manager_id=1003,
            staff_chat_id=-1,
            bot_ready=True,
            bot_problem="",
            database="db",
            config=state,
            moved=None,
        )
    )
    assert "client KOPY (нет в демо)" in text
    assert "supportdesk demo --reset" in text
