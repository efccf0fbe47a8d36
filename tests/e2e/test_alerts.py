"""Monitoring alerts through the whole product: the bot runs against the sandbox and
serves the alerts API on the client page's server; alerts are posted over HTTP and
what staff see lands in the sandbox's forum.

The product's clock is a ``Clock`` the test moves (the repeat interval is 30 minutes
in the demo contract); DEMO's monitoring key is «demo-alerts-key».
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from bot.app import run_app
from bot.compose import App, compose
from desk.enums import Status
from sandbox.server import SandboxHandle
from storage.tables import Base
from tests.e2e.conftest import Product
from tests.e2e.desk import STAFF_CHAT, Desk, free_port, text_of

KEY = "demo-alerts-key"


class Clock:
    """Real time moved on by the test (the outbox's own times are real ones)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, minutes: int) -> None:
        self.offset += timedelta(minutes=minutes)


class Api:
    def __init__(self, base: str, session: aiohttp.ClientSession) -> None:
        self.base = base
        self.session = session

    async def post(self, body: dict[str, Any], path: str = "/api/v1/alerts") -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {KEY}"}
        async with self.session.post(self.base + path, json=body, headers=headers) as response:
            return response.status, await response.json()


@asynccontextmanager
async def _running(product: Product, clock: Clock) -> AsyncIterator[tuple[App, Api]]:
    port = free_port()
    settings = product.settings.model_copy(
        update={
            "web_host": "127.0.0.1",
            "web_port": port,
            "web_base_url": f"http://127.0.0.1:{port}",
            "web_secret": SecretStr("a-long-enough-test-secret"),
            "web_in_bot": True,
        }
    )
    app = await compose(settings, db=product.database, kb=product.knowledge, now=clock)
    stop = asyncio.Event()
    task = asyncio.create_task(run_app(app, stop))
    try:
        async with aiohttp.ClientSession() as session:
            api = Api(f"http://127.0.0.1:{port}", session)
            for _ in range(200):  # the server starts with the bot's SLA loop
                try:
                    async with session.post(api.base + "/api/v1/alerts") as response:
                        assert response.status == 401
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            yield app, api
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)
        await app.bot.session.close()


@pytest.fixture
async def running(product: Product) -> AsyncIterator[tuple[App, Api, Clock]]:
    clock = Clock()
    async with _running(product, clock) as (app, api):
        yield app, api, clock


@pytest.fixture
def desk(seeded_sandbox: SandboxHandle) -> Desk:
    """The sandbox's forum as staff see it (the product runs in ``running``, not ``desk_app``)."""
    return Desk(seeded_sandbox)


FIRING = {
    "key": "1c-server-down",
    "status": "firing",
    "summary": "Сервер 1С не отвечает",
    "details": "srv-1c-01: нет ответа на порту 1541 три минуты",
    "severity": "high",
    "source": "zabbix",
}
RESOLVED = {"key": "1c-server-down", "status": "resolved", "summary": "Сервер 1С не отвечает"}


async def _tickets(app: App) -> int:
    async with app.db.uow() as uow:
        return len((await uow.session.execute(Base.metadata.tables["tickets"].select())).all())


async def _topic_texts(desk: Desk, thread: int) -> list[str]:
    return [
        text_of(m)
        for m in await desk.control.messages(STAFF_CHAT, message_thread_id=thread)
        if m["from"]["is_bot"]
    ]


async def test_an_alert_opens_one_incident_its_retries_and_repeats_none_and_recovery_resolves_it(
    desk: Desk, running: tuple[App, Api, Clock]
) -> None:
    app, api, clock = running
    assert await api.post(FIRING) == (201, {"ticket": "DEMO-1", "created": True})
    topic = await desk.topic_of("DEMO-1")
    thread = topic["message_thread_id"]
    assert "P2" in topic["name"]
    assert "Сервер 1С не отвечает" in topic["name"]
    card = await desk.bot_says(STAFF_CHAT, "DEMO-1", thread_id=thread)
    assert "srv-1c-01: нет ответа на порту 1541" in text_of(card)
    assert "мониторинг" in text_of(card).lower()

    # a retry and a repeat within the interval: the same ticket, no line
    assert await api.post(FIRING) == (200, {"ticket": "DEMO-1", "created": False})
    clock.advance(10)
    assert await api.post(FIRING) == (200, {"ticket": "DEMO-1", "created": False})
    # the interval passed: one line; at once again: none
    clock.advance(25)
    assert await api.post(FIRING) == (200, {"ticket": "DEMO-1", "created": False})
    assert await api.post(FIRING) == (200, {"ticket": "DEMO-1", "created": False})
    clock.advance(1)
    assert await api.post(RESOLVED) == (200, {"ticket": "DEMO-1", "created": False})
    await desk.bot_says(STAFF_CHAT, "восстановлено", thread_id=thread)
    said = await _topic_texts(desk, thread)  # delivered in order: everything before is here
    assert sum("по-прежнему срабатывает" in t for t in said) == 1
    assert await _tickets(app) == 1
    async with app.db.uow() as uow:
        assert (await uow.tickets.get("DEMO-1")).status is Status.RESOLVED
    # a retry of the recovery changes nothing
    assert await api.post(RESOLVED) == (200, {"ticket": "DEMO-1", "created": False})

    # flapping: it fires again minutes later -- the same ticket is back in work
    clock.advance(3)
    assert await api.post(FIRING) == (200, {"ticket": "DEMO-1", "created": False})
    await desk.bot_says(STAFF_CHAT, "снова в работе", thread_id=thread)
    async with app.db.uow() as uow:
        assert (await uow.tickets.get("DEMO-1")).status is Status.IN_PROGRESS
    assert await _tickets(app) == 1
    assert len(await desk.control.topics(STAFF_CHAT)) == 1


async def test_alertmanager_groups_are_handled_per_fingerprint(
    desk: Desk, running: tuple[App, Api, Clock]
) -> None:
    """Two alerts of one group open two incidents; the next notification of the group
    (one still firing, one resolved) resolves only the resolved one's."""
    app, api, clock = running

    def alert(fingerprint: str, name: str, status: str) -> dict[str, Any]:
        return {
            "status": status,
            "labels": {"alertname": name, "severity": "critical", "instance": "srv-1c-01"},
            "annotations": {"summary": f"{name} на srv-1c-01", "description": "см. график"},
            "startsAt": "2026-11-24T09:58:00.123456789Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.local/graph?g0.expr=up",
            "fingerprint": fingerprint,
        }

    def group(*alerts: dict[str, Any]) -> dict[str, Any]:
        return {
            "version": "4",
            "groupKey": '{}:{instance="srv-1c-01"}',
            "status": "firing",
            "receiver": "supportdesk",
            "groupLabels": {"instance": "srv-1c-01"},
            "commonLabels": {},
            "commonAnnotations": {},
            "externalURL": "http://alertmanager.local",
            "alerts": list(alerts),
        }

    path = "/api/v1/alerts/alertmanager"
    status, answer = await api.post(
        group(alert("aa11", "RAC_down", "firing"), alert("bb22", "Disk_full", "firing")), path
    )
    assert status == 201
    assert answer["alerts"] == [
        {"key": "am:aa11", "ticket": "DEMO-1", "created": True},
        {"key": "am:bb22", "ticket": "DEMO-2", "created": True},
    ]
    await desk.topic_of("DEMO-1")
    second = await desk.topic_of("DEMO-2")
    assert "P1" in second["name"]  # severity critical
    clock.advance(5)
    status, answer = await api.post(
        group(alert("aa11", "RAC_down", "firing"), alert("bb22", "Disk_full", "resolved")), path
    )
    assert status == 200
    assert [a["ticket"] for a in answer["alerts"]] == ["DEMO-1", "DEMO-2"]
    await desk.bot_says(STAFF_CHAT, "восстановлено", thread_id=second["message_thread_id"])
    async with app.db.uow() as uow:
        assert (await uow.tickets.get("DEMO-1")).status is Status.NEW
        assert (await uow.tickets.get("DEMO-2")).status is Status.RESOLVED
    assert await _tickets(app) == 2
