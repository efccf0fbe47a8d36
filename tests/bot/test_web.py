"""The client page over HTTP: a signed link shows its own client's tickets and
reports only; forged, changed and expired links get 403.

Two clients: DEMO (manager 5001) and OTHR (manager 5002), each with tickets
whose subjects say whose they are.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.services.actors import Actor
from bot.services.config import apply_config
from bot.services.tickets import TicketService
from bot.web.app import make_web_app
from bot.web.guard import Guard, PageLimits
from bot.web.signing import LinkSigner
from desk.config import DeskConfig, load_config
from desk.enums import Category, Priority
from desk.model import User
from storage import messaging
from storage.uow import UnitOfWorkFactory

DEMO_CONFIG = Path(__file__).parents[2] / "bot" / "demo_config.toml"
SECRET = "a-long-enough-test-secret"
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
OTHER_CLIENT = """
[[clients]]
code = "OTHR"
name = "Чужая компания"
contract = "demo"
team = "demo"
managers = [5002]
"""


async def seed_two_clients(factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    """DEMO with tickets DEMO-1 (P3, "Не проводится реализация") and DEMO-2 (P4,
    "Добавить пользователя"); OTHR with OTHR-1 ("Секрет чужой компании")."""
    text = DEMO_CONFIG.read_text(encoding="utf-8").replace("managers = [1003]", "managers = [5001]")
    config_file = tmp_path / "two.toml"
    config_file.write_text(text + OTHER_CLIENT, encoding="utf-8")
    service = TicketService(now=lambda: NOW - timedelta(days=1))
    async with factory() as uow:
        await apply_config(uow, load_config(config_file), source="two", now=NOW)
        await uow.users.bind(User(1002, "OTHR", "Ольга", NOW, None))
    for user, subject, priority in (
        (1001, "Не проводится реализация", Priority.MEDIUM),
        (1001, "Добавить пользователя", Priority.LOW),
        (1002, "Секрет чужой компании", Priority.MEDIUM),
    ):
        async with factory() as uow:
            ticket = await service.create_ticket(
                uow, requester_id=user, subject=subject, text=subject + ": подробности",
                priority=priority, category=Category.INCIDENT,
            )  # fmt: skip
            assert ticket.id is not None
            text = f"Сообщение по {ticket.number}"
            await uow.messaging.add_link(
                messaging.MessageLink(
                    user, 10 + ticket.id, ticket.id, "user", user, True, text, NOW
                )
            )
    async with factory() as uow:
        await service.record_reaction(uow, "DEMO-1", Actor.staff(2001))


def signer() -> LinkSigner:
    return LinkSigner(SECRET, timedelta(hours=72))


@pytest.fixture
async def client(
    demo_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    await seed_two_clients(demo_uow_factory, tmp_path)
    # many failed links from one address here; the limit has its own tests
    guard = Guard(PageLimits(fail_limit=1000))
    app = make_web_app(demo_uow_factory, signer(), lambda: NOW, guard)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def demo_link() -> str:
    return "/c/" + signer().sign("DEMO", 5001, NOW)


async def _get(client: TestClient[web.Request, web.Application], path: str) -> tuple[int, str]:
    response = await client.get(path)
    return response.status, await response.text()


async def test_a_link_shows_its_clients_open_tickets_and_never_anothers(
    client: TestClient[web.Request, web.Application],
) -> None:
    status, html = await _get(client, demo_link())
    assert status == 200
    assert "Заявки Демо" in html
    assert "DEMO-1" in html
    assert "DEMO-2" in html
    assert "OTHR" not in html
    assert "Секрет чужой компании" not in html


async def test_filters_by_priority_status_and_text(
    client: TestClient[web.Request, web.Application],
) -> None:
    _, html = await _get(client, demo_link() + "?status=all&priority=4")
    assert 'data-number="DEMO-2"' in html
    assert 'data-number="DEMO-1"' not in html
    _, html = await _get(client, demo_link() + "?q=РЕАЛИЗ")
    assert 'data-number="DEMO-1"' in html
    assert 'data-number="DEMO-2"' not in html
    _, html = await _get(client, demo_link() + "?status=closed")
    assert 'id="empty"' in html
    _, html = await _get(client, demo_link() + "?status=bogus&priority=9")  # ignored
    assert 'data-number="DEMO-1"' in html
    assert 'data-number="DEMO-2"' in html


async def test_a_ticket_page_shows_history_and_sla_times(
    client: TestClient[web.Request, web.Application],
) -> None:
    status, html = await _get(client, demo_link() + "/t/demo-1")
    assert status == 200
    assert "Сообщение по DEMO-1" in html
    assert "Срок реакции" in html
    assert "в срок" in html


async def test_another_clients_ticket_is_not_found_through_this_link(
    client: TestClient[web.Request, web.Application],
) -> None:
    status, html = await _get(client, demo_link() + "/t/OTHR-1")
    assert status == 404
    assert "Секрет" not in html


def _forge_client(token: str, code: str) -> str:
    """The payload rewritten to name another client, the signature kept."""
    payload, _, signature = token.partition(".")
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    _, rest = decoded.split(":", 1)  # manager, issued, expires
    forged = base64.urlsafe_b64encode(f"{code}:{rest}".encode()).rstrip(b"=")
    return f"{forged.decode()}.{signature}"


async def test_forged_changed_expired_and_foreign_links_get_403(
    client: TestClient[web.Request, web.Application],
) -> None:
    token = signer().sign("DEMO", 5001, NOW)
    expired = signer().sign("DEMO", 5001, NOW - timedelta(hours=73))
    wrong_key = LinkSigner("another-secret-of-16+", timedelta(hours=1)).sign("DEMO", 5001, NOW)
    not_a_manager = signer().sign("OTHR", 5001, NOW)  # validly signed, but 5001 is DEMO's
    for bad in (
        _forge_client(token, "OTHR"),
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        expired,
        wrong_key,
        not_a_manager,
        "garbage",
        "",
    ):
        for suffix in ("", "/t/OTHR-1", "/r/1"):
            status, html = await _get(client, f"/c/{bad}{suffix}")
            assert status in (403, 404), (bad, suffix)
            if bad:
                assert status == 403, (bad, suffix)
            assert "Секрет" not in html


async def test_a_manager_removed_from_the_config_loses_the_page(
    client: TestClient[web.Request, web.Application], demo_uow_factory: UnitOfWorkFactory
) -> None:
    link = demo_link()
    async with demo_uow_factory() as uow:
        config = await uow.directory.load()
        without = DeskConfig(**{**config.__dict__, "managers": {}})
        await apply_config(uow, without, source="without managers", now=NOW)
    status, _ = await _get(client, link)
    assert status == 403


async def test_reports_download_only_for_their_own_client(
    client: TestClient[web.Request, web.Application], demo_uow_factory: UnitOfWorkFactory
) -> None:
    async with demo_uow_factory() as uow:
        own = await uow.report_files.save_report_file(
            "DEMO", "2026-10", "html", "sla-DEMO-2026-10.html", b"<p>ok</p>", NOW
        )
        foreign = await uow.report_files.save_report_file(
            "OTHR", "2026-10", "html", "sla-OTHR-2026-10.html", b"secret", NOW
        )
    _, html = await _get(client, demo_link())
    assert "sla-DEMO-2026-10.html" in html
    assert "sla-OTHR" not in html
    response = await client.get(f"{demo_link()}/r/{own}")
    assert response.status == 200
    assert await response.read() == b"<p>ok</p>"
    assert "attachment" in response.headers["Content-Disposition"]
    status, body = await _get(client, f"{demo_link()}/r/{foreign}")
    assert status == 404
    assert "secret" not in body
