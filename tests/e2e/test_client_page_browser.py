"""The client page in a real browser (system Chromium driven by Playwright):
a client manager opens the signed link, filters the tickets, opens one, and
never sees another client's tickets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from bot.services.config import apply_config
from bot.web.app import make_web_app, serve
from desk.config import load_config
from desk.model import User
from storage.database import Database
from storage.engine import create_engine
from storage.migrate import upgrade
from tests.bot.test_web import DEMO_CONFIG, NOW, seed_two_clients, signer

pytestmark = pytest.mark.browser


@pytest.fixture
async def page_url(tmp_path: Path) -> AsyncIterator[str]:
    """The client page on a free local port over a SQLite database with two
    clients (the page's queries run on both backends in tests/bot/test_web.py);
    the DEMO manager's link."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'db' / 'supportdesk.sqlite3'}"
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()
    database = await Database.open(url)
    async with database.uow() as uow:
        await apply_config(uow, load_config(DEMO_CONFIG), source="demo", now=NOW)
        await uow.users.bind(User(1001, "DEMO", "Иван", NOW, "ivan"))
    await seed_two_clients(database.uow, tmp_path)
    runner = await serve(make_web_app(database.uow, signer(), lambda: NOW), "127.0.0.1", 0)
    try:
        host, port = runner.addresses[0][:2]
        yield f"http://{host}:{port}/c/{signer().sign('DEMO', 5001, NOW)}"
    finally:
        await runner.cleanup()
        await database.close()


async def test_a_manager_filters_tickets_and_opens_one(browser: Browser, page_url: str) -> None:
    page = await browser.new_page()
    await page.goto(page_url)
    await expect(page.locator("h1")).to_have_text("Заявки Демо")
    rows = page.locator("tr.ticket")
    await expect(rows).to_have_count(2)
    await expect(page.locator("body")).not_to_contain_text("Секрет чужой компании")

    await page.select_option("#priority", "4")
    await page.click("#apply")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_have_attribute("data-number", "DEMO-2")

    await page.select_option("#priority", "")
    await page.fill("#q", "реализация")
    await page.click("#apply")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_have_attribute("data-number", "DEMO-1")

    await page.click("text=DEMO-1")
    await expect(page.locator("h1")).to_contain_text("DEMO-1 · Не проводится реализация")
    await expect(page.locator("#history")).to_contain_text("Сообщение по DEMO-1")
    await expect(page.locator("#sla")).to_contain_text("в срок")

    forged = page_url.replace("/c/", "/c/x")
    response = await page.goto(forged)
    assert response is not None
    assert response.status == 403
    await expect(page.locator("h1")).to_have_text("Ссылка недействительна")
