"""The alerts API at its edge: who may post (401 touches nothing), what a body must
be (422 says why in Russian and English, 413 over 64 KiB), one client's key never
reaches another client's tickets, and a retry -- even racing -- opens no second ticket.

The demo config gives DEMO the key «demo-alerts-key»; the tests give URAL its own.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.services.tickets import TicketService
from bot.web.alerts import AlertDeps
from bot.web.app import make_web_app
from bot.web.signing import LinkSigner
from desk.alerts import AlertKey
from desk.enums import Category, Priority, Status
from storage.tables import Base
from storage.uow import UnitOfWorkFactory
from tests.bot.test_cli_light import PROBE, ROOT

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
DEMO_KEY = "demo-alerts-key"
URAL_KEY = "ural-alerts-key-for-tests"
API = "/api/v1/alerts"
Client = TestClient[web.Request, web.Application]


def _sha(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@pytest.fixture
async def api(demo_uow_factory: UnitOfWorkFactory) -> AsyncIterator[Client]:
    async with demo_uow_factory() as uow:
        await uow.directory.put_alert_keys("URAL", (AlertKey("zabbix", _sha(URAL_KEY)),))
    deps = AlertDeps(TicketService(now=lambda: NOW), lambda: None, 60)
    signer = LinkSigner("a-long-enough-test-secret", timedelta(hours=72))
    app = make_web_app(demo_uow_factory, signer, lambda: NOW, alert_deps=deps)
    async with TestClient(TestServer(app)) as client:
        yield client


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


FIRING = {
    "key": "1c-server-down",
    "status": "firing",
    "summary": "Сервер 1С не отвечает",
    "details": "srv-1c-01: нет ответа на порту 1541 три минуты",
    "severity": "critical",
    "source": "zabbix",
}


async def _post(client: Client, body: Any, key: str | None = DEMO_KEY) -> tuple[int, Any]:
    headers = _auth(key) if key is not None else {}
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = await client.post(API, data=data, headers=headers)
    return response.status, await response.json()


async def _counts(factory: UnitOfWorkFactory) -> dict[str, int]:
    """Rows of what an alert writes: tickets, alert keys, users, audit events, outbox."""
    counts = {}
    async with factory() as uow:
        for table in ("tickets", "monitoring_alerts", "users", "audit_events", "outbox"):
            t = Base.metadata.tables[table]
            rows = await uow.session.execute(t.select())
            counts[table] = len(rows.all())
    return counts


async def test_a_firing_alert_opens_a_monitoring_incident_with_the_mapped_priority(
    api: Client, demo_uow_factory: UnitOfWorkFactory
) -> None:
    status, answer = await _post(api, FIRING)
    assert (status, answer) == (201, {"ticket": "DEMO-1", "created": True})
    async with demo_uow_factory() as uow:
        ticket = await uow.tickets.get("DEMO-1")
        requester = await uow.users.get(ticket.requester_id)
    assert ticket.subject == "Сервер 1С не отвечает"
    assert ticket.category is Category.MONITORING
    assert ticket.priority is Priority.CRITICAL  # critical = 1 in the demo contract
    assert "srv-1c-01: нет ответа на порту 1541" in ticket.text
    assert ticket.sla is not None
    assert ticket.sla.resolution_due is not None
    assert requester is not None
    assert requester.first_name == "Мониторинг"
    assert requester.client_code == "DEMO"


@pytest.mark.parametrize("key", [None, "", "wrong-key", DEMO_KEY.upper()])
async def test_a_missing_or_wrong_key_is_401_and_leaves_nothing(
    api: Client, demo_uow_factory: UnitOfWorkFactory, key: str | None
) -> None:
    before = await _counts(demo_uow_factory)
    status, answer = await _post(api, FIRING, key=key)
    assert status == 401
    assert "Authorization: Bearer" in answer["message"]
    assert "Missing or wrong API key" in answer["message_en"]
    assert await _counts(demo_uow_factory) == before


async def test_a_key_revoked_by_config_apply_opens_nothing(
    api: Client, demo_uow_factory: UnitOfWorkFactory
) -> None:
    async with demo_uow_factory() as uow:
        await uow.directory.put_alert_keys("URAL", ())
    status, _ = await _post(api, FIRING, key=URAL_KEY)
    assert status == 401


BAD_BODIES = [
    (b"not json at all", "not_json", "JSON"),
    (b"[1, 2]", "not_json", "JSON"),
    (b"\xff\xfe", "not_json", "JSON"),
    ({"status": "firing", "summary": "x"}, "missing", "«key»"),
    ({"key": "k", "summary": "x"}, "missing", "«status»"),
    ({"key": "k", "status": "burning", "summary": "x"}, "bad_choice", "firing, resolved"),
    ({"key": "k", "status": "firing"}, "missing", "«summary»"),
    ({"key": "k", "status": "firing", "summary": "   "}, "not_text", "«summary»"),
    ({"key": 42, "status": "firing", "summary": "x"}, "not_text", "«key»"),
    ({"key": "k" * 201, "status": "firing", "summary": "x"}, "not_text", "200"),
    ({**FIRING, "severity": "disaster"}, "bad_choice", "critical, high, warning, info"),
    ({**FIRING, "started_at": "вчера"}, "bad_time", "ISO 8601"),
    ({**FIRING, "url": "javascript:alert(1)"}, "bad_url", "https://"),
]


@pytest.mark.parametrize(("body", "error", "says"), BAD_BODIES)
async def test_a_bad_body_is_422_with_a_clear_message_and_leaves_nothing(
    api: Client, demo_uow_factory: UnitOfWorkFactory, body: Any, error: str, says: str
) -> None:
    before = await _counts(demo_uow_factory)
    status, answer = await _post(api, body)
    assert status == 422
    assert answer["error"] == error
    assert says in answer["message"]
    assert answer["message_en"]
    assert answer["message_en"] != answer["message"]
    assert await _counts(demo_uow_factory) == before


async def test_a_body_over_64_kib_is_413(api: Client, demo_uow_factory: UnitOfWorkFactory) -> None:
    before = await _counts(demo_uow_factory)
    big = {**FIRING, "details": "x" * (64 * 1024)}
    status, answer = await _post(api, big)
    assert status == 413
    assert "65536" in answer["message"]
    assert await _counts(demo_uow_factory) == before


async def test_one_clients_key_never_touches_another_clients_tickets(
    api: Client, demo_uow_factory: UnitOfWorkFactory
) -> None:
    """The same alert key from URAL's monitoring is URAL's own incident; its recovery
    leaves DEMO's incident open."""
    assert (await _post(api, FIRING))[1]["ticket"] == "DEMO-1"
    status, answer = await _post(api, FIRING, key=URAL_KEY)
    assert (status, answer) == (201, {"ticket": "URAL-1", "created": True})
    resolved = {"key": FIRING["key"], "status": "resolved"}
    assert (await _post(api, resolved, key=URAL_KEY)) == (
        200,
        {"ticket": "URAL-1", "created": False},
    )
    async with demo_uow_factory() as uow:
        assert (await uow.tickets.get("DEMO-1")).status is Status.NEW
        assert (await uow.tickets.get("URAL-1")).status is Status.RESOLVED
        ural = await uow.tickets.get("URAL-1")
        assert (await uow.users.get(ural.requester_id)).client_code == "URAL"  # type: ignore[union-attr]


async def test_a_retry_opens_no_second_ticket_even_when_racing(
    api: Client, demo_uow_factory: UnitOfWorkFactory
) -> None:
    first, second = await asyncio.gather(_post(api, FIRING), _post(api, FIRING))
    assert sorted([first[0], second[0]]) == [200, 201]
    assert first[1]["ticket"] == second[1]["ticket"] == "DEMO-1"
    assert (await _post(api, FIRING)) == (200, {"ticket": "DEMO-1", "created": False})
    assert (await _counts(demo_uow_factory))["tickets"] == 1


async def test_a_recovery_of_a_key_never_seen_is_200_and_opens_nothing(
    api: Client, demo_uow_factory: UnitOfWorkFactory
) -> None:
    status, answer = await _post(api, {"key": "never", "status": "resolved"})
    assert (status, answer) == (200, {"ticket": None, "created": False})
    assert (await _counts(demo_uow_factory))["tickets"] == 0


async def test_alert_send_posts_through_the_api_without_loading_telegram(
    api: Client, demo_uow_factory: UnitOfWorkFactory
) -> None:
    """``supportdesk alert send`` opens the incident over HTTP like any monitoring;
    the command loads neither aiogram nor SQLAlchemy."""
    base = str(api.make_url("")).rstrip("/")
    args = [
        "alert", "send", "--client", "DEMO", "--key", "exchange-stuck", "--status", "firing",
        "--summary", "Обмен с УТМ ЕГАИС стоит", "--severity", "high", "--api", base,
        "--url", "https://zabbix.local/tr_events.php?triggerid=1",
    ]  # fmt: skip
    env = {**os.environ, "SUPPORTDESK_ALERT_KEY": DEMO_KEY}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", PROBE, *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    text = out.decode()
    probe = json.loads(text.splitlines()[-1].removeprefix("PROBE"))
    light = {"aiogram": False, "sqlalchemy": False, "alembic": False, "prometheus_client": False}
    assert probe == {"code": 0, **light}, err
    assert "Открыта заявка DEMO-1" in text
    async with demo_uow_factory() as uow:
        ticket = await uow.tickets.get("DEMO-1")
    assert ticket.subject == "Обмен с УТМ ЕГАИС стоит"
    assert ticket.priority is Priority.HIGH
    assert "https://zabbix.local/tr_events.php?triggerid=1" in ticket.text
