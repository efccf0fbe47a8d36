"""The demo stays up: a bot that fails is started again, and a database an
operator configured differently is used as it is (issue 18, "The demo with a
changed config" and "Poison update")."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app import run_bot
from bot.cli import demo
from bot.cli.demo import DemoConfigState, prepare_database, reset_data, supervise
from bot.services.config import apply_config
from bot.settings import Settings
from desk.channels import Channel
from desk.config import load_config
from desk.model import User
from sandbox.server import SandboxHandle, running_sandbox
from storage.engine import create_engine
from storage.uow import UnitOfWorkFactory
from tests.e2e.conftest import Product
from tests.e2e.desk import STAFF_CHAT, USER, Desk, Message, free_port, text_of

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


BOTS = {Channel.TELEGRAM: "desk_bot", Channel.MAX: "desk_max_bot"}
LINKS = [
    ("Telegram", "https://t.me/desk_bot?start=demo"),
    ("MAX", "https://max.ru/desk_max_bot?start=demo"),
]


async def test_the_demo_starts_on_a_database_an_operator_configured(tmp_path: Path) -> None:
    """The operator applied their own config (clients ROGA and VOST, no DEMO) and
    VOST has a user: the demo no longer refuses; it adds its own and says what differs,
    and DEMO's invite links are there again for both messengers."""
    settings = Settings(
        bot_token=SecretStr("1:x"),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}",
        config_file=demo.DEMO_CONFIG,
    )
    first = await prepare_database(settings, BOTS)
    assert first.first_run
    assert first.invites == LINKS
    await _apply(settings.database_url, EXAMPLE)  # removes DEMO's own entries, adds theirs
    await _bind(settings.database_url, 5005, "VOST")
    again = await prepare_database(settings, BOTS)
    assert not again.first_run
    assert "client DEMO" in again.added
    assert any(d.startswith("client VOST") for d in again.differs)
    assert again.invites == LINKS
    third = await prepare_database(settings)
    assert third.added == []  # nothing left to add; the differences stay as the operator set them
    assert third.differs == again.differs
    assert third.invites == []  # no bots named, no links


async def test_an_operator_who_kept_demo_on_telegram_gets_only_its_link(tmp_path: Path) -> None:
    """The operator's DEMO lists Telegram alone: the demo leaves it so, says it differs,
    and the banner's invite is the Telegram link only."""
    mine = tmp_path / "mine.toml"
    text = demo.DEMO_CONFIG.read_text(encoding="utf-8")
    assert 'messengers = ["telegram", "max"]' in text
    mine.write_text(text.replace('messengers = ["telegram", "max"]', ""), encoding="utf-8")
    settings = Settings(
        bot_token=SecretStr("1:x"),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}",
        config_file=demo.DEMO_CONFIG,
    )
    await prepare_database(settings, BOTS)
    await _apply(settings.database_url, mine)
    again = await prepare_database(settings, BOTS)
    assert "client DEMO (в базе иначе)" in again.differs
    assert again.invites == LINKS[:1]


async def _max_says(desk: Desk, user: int, *parts: str, after: str | None = None) -> Message:
    """The bot's first message in MAX dialog ``user`` after ``after`` with any of ``parts``
    in its text or buttons."""

    def fits(m: Message) -> bool:
        return m["from_bot"] and any(p in json.dumps(m, ensure_ascii=False) for p in parts)

    async def check() -> Message | None:
        found = await desk.control.messages(user, channel="max", after=after)
        return next((m for m in found if fits(m)), None)

    found: Message = await desk.until(check, f"{parts!r} in MAX dialog {user}")
    return found


async def test_the_demos_max_user_is_served_on_a_database_an_operator_configured(
    tmp_path: Path,
) -> None:
    """The demo's bot on a database where the operator's config replaced the demo's
    (DEMO added back): Ирина joins on MAX through the deep link and her request is
    registered and told on MAX, its card in the staff group saying MAX."""
    data = tmp_path / "demo"
    async with running_sandbox(data / "sandbox") as handle:
        demo.seed(handle.sandbox)
        settings = demo.demo_settings(handle, data, web_port=free_port())
        await prepare_database(settings)
        await _apply(settings.database_url, EXAMPLE)
        await _bind(settings.database_url, 5005, "VOST")
        state = await prepare_database(settings)
        assert "client DEMO" in state.added
        stop = asyncio.Event()
        task = asyncio.create_task(supervise(run_bot, settings, stop))
        try:
            await demo._join_demo_users(handle)
            desk = Desk(handle, timeout=30)
            await _max_says(desk, demo.MAX_USER_ID, "Демо")
            request = "Кадровик не видит новый шаблон приказа о премировании"
            sent = await desk.control.send(
                demo.MAX_USER_ID, demo.MAX_USER_ID, request, channel="max"
            )
            answer = await _max_says(
                desk, demo.MAX_USER_ID, "зарегистрирована", "Не то", after=sent
            )
            if "зарегистрирована" not in answer["text"]:  # the FAQ step came first
                button = next(
                    b for row in answer["keyboard"] for b in row if b["text"].startswith("Не то")
                )
                await desk.control.click(
                    demo.MAX_USER_ID,
                    demo.MAX_USER_ID,
                    answer["mid"],
                    button["payload"],
                    channel="max",
                )
                answer = await _max_says(desk, demo.MAX_USER_ID, "зарегистрирована", after=sent)
            assert "Заявка DEMO-1 зарегистрирована" in answer["text"]
            card = await desk.bot_says(STAFF_CHAT, "DEMO-1 · новая")
            assert "Ирина (@irina_s) · MAX" in text_of(card)
        finally:
            stop.set()
            await asyncio.wait_for(task, 30)


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
            max_url="http://x/max",
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
