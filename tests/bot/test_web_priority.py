"""The client page shows a ticket's priority at registration and its final one, and
marks a lowered ticket (with the priority its SLA is still measured against)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.services.actors import Actor
from bot.services.tickets import TicketService
from bot.web.app import make_web_app
from bot.web.guard import Guard, PageLimits
from desk.enums import Priority
from storage.uow import UnitOfWorkFactory
from tests.bot.test_web import NOW, demo_link, seed_two_clients, signer


@pytest.fixture
async def client(
    demo_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    """DEMO-1 (P3) raised to P1 and lowered to P2 by staff; DEMO-2 (P4) untouched."""
    await seed_two_clients(demo_uow_factory, tmp_path)
    service = TicketService(now=lambda: NOW - timedelta(hours=20))
    for priority in (Priority.CRITICAL, Priority.HIGH):
        async with demo_uow_factory() as uow:
            await service.change_priority(uow, "DEMO-1", Actor.staff(2001), priority, "проверка")
    app = make_web_app(demo_uow_factory, signer(), lambda: NOW, Guard(PageLimits()))
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def test_the_list_shows_initial_and_final_priority_and_marks_the_lowered(
    client: TestClient[web.Request, web.Application],
) -> None:
    html = await (await client.get(demo_link())).text()
    row = html[html.index('data-number="DEMO-1"') :].split("</tr>")[0]
    assert "P2" in row
    assert "при регистрации P3" in row
    assert "понижен" in row
    other = html[html.index('data-number="DEMO-2"') :].split("</tr>")[0]
    assert "при регистрации" not in other
    assert "понижен" not in other


async def test_the_ticket_page_says_the_terms_still_count_by_p1(
    client: TestClient[web.Request, web.Application],
) -> None:
    html = await (await client.get(demo_link() + "/t/DEMO-1")).text()
    assert "при регистрации P3" in html
    assert "приоритет понижен, сроки считаются по P1" in html
