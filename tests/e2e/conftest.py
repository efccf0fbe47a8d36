"""End-to-end fixtures: the sandbox (its own fixtures), a migrated database with
the demo config (the storage fixtures: SQLite, and PostgreSQL where marked),
and the real bot composed and running against the sandbox over HTTP.

Telegram's flood limits (about a message a second into a chat, 20 a minute into a
group) are off in both the sandbox and the bot unless a test is marked
``flood_limits``: most tests are about what is said, not the pace, and the pace
made them wait seconds each. The limits have their own tests (marked, and
``tests/bot/test_ratelimit.py``, ``tests/sandbox/test_flood.py``).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app import run_app
from bot.compose import App, compose
from bot.settings import Settings
from knowledge.base import KnowledgeBase
from sandbox.server import SandboxHandle, running_sandbox
from storage.database import Database
from storage.uow import UnitOfWorkFactory
from tests.e2e.browser import browser, chromium_path
from tests.e2e.desk import STRANGER, Desk
from tests.sandbox.fixtures import seeded_sandbox

__all__ = ["browser", "chromium_path", "seeded_sandbox"]

# A small FAQ of three starter entries, so that which requests get a suggestion
# does not move with the starter knowledge base's tuning.
TEST_FAQ = Path(__file__).with_name("faq")


@pytest.fixture
def flood_limits(request: pytest.FixtureRequest) -> bool:
    """Whether this test runs with Telegram's flood limits (marked ``flood_limits``)."""
    return request.node.get_closest_marker("flood_limits") is not None


@pytest.fixture
async def sandbox(tmp_path: Path, flood_limits: bool) -> AsyncIterator[SandboxHandle]:
    async with running_sandbox(tmp_path / "sandbox", flood_limits=flood_limits) as handle:
        yield handle


@pytest.fixture
def faq_dir(tmp_path: Path) -> Path:
    """A fresh copy of the test FAQ for each test (``/faq`` writes into it)."""
    target = tmp_path / "faq"
    shutil.copytree(TEST_FAQ, target)
    return target


@pytest.fixture
def knowledge(faq_dir: Path) -> KnowledgeBase:
    return KnowledgeBase(faq_dir)


def settings_for(
    handle: SandboxHandle, database_url: str, faq: Path, *, flood_limits: bool = True
) -> Settings:
    return Settings(
        bot_token=SecretStr(handle.token),
        telegram_api_url=handle.url,
        database_url=database_url,
        knowledge_path=faq,
        autoclose_minutes=60,
        flood_limits=flood_limits,
    )


@dataclass(frozen=True)
class Product:
    """What running the product takes (the demo config is applied): settings, database, FAQ."""

    settings: Settings
    database: Database
    knowledge: KnowledgeBase

    def run(self, settings: Settings | None = None) -> AbstractAsyncContextManager[App]:
        """The product running (with other ``settings`` if given) until the block ends."""
        return running_app(settings or self.settings, self.database, self.knowledge)


@pytest.fixture
def product(
    seeded_sandbox: SandboxHandle,
    database: Database,
    migrated_url: str,
    demo_uow_factory: UnitOfWorkFactory,
    knowledge: KnowledgeBase,
    faq_dir: Path,
    flood_limits: bool,
) -> Product:
    # the demo config's manager of DEMO: scheduled reports go to them
    seeded_sandbox.sandbox.ensure_user(1003, "Светлана", username="svetlana_fd")
    settings = settings_for(seeded_sandbox, migrated_url, faq_dir, flood_limits=flood_limits)
    return Product(settings, database, knowledge)


@pytest.fixture
async def desk_app(seeded_sandbox: SandboxHandle, product: Product) -> AsyncIterator[App]:
    """The product running: the bot polls the sandbox, the sender delivers the outbox."""
    await seeded_sandbox.control.create_user(STRANGER, "Пётр", username="petr")
    async with product.run() as app:
        yield app


@asynccontextmanager
async def running_app(
    settings: Settings, database: Database, knowledge: KnowledgeBase
) -> AsyncIterator[App]:
    """The product composed from ``settings`` and running until the block ends."""
    app = await compose(settings, db=database, kb=knowledge)
    stop = asyncio.Event()
    task = asyncio.create_task(run_app(app, stop))
    try:
        yield app
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=30)
        finally:
            await app.bot.session.close()
            if app.max is not None:
                await app.max.bot.session.close()


@pytest.fixture
def desk(seeded_sandbox: SandboxHandle, desk_app: App) -> Desk:
    return Desk(seeded_sandbox)
