"""What an operator asks over HTTP (``bot.web.ops``): /healthz, /readyz, /metrics,
on a real database (SQLite and PostgreSQL), alone and on the client page's server.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot import metrics
from bot.metrics import Role
from bot.web import ops
from bot.web.app import make_web_app
from bot.web.guard import Guard, PageLimits
from bot.web.ops import Ops, Thresholds, make_ops_app
from storage.database import Database
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.uow import UnitOfWorkFactory
from tests.bot.test_web import signer

NOW = datetime(2026, 5, 12, 10, 0, tzinfo=UTC)
Client = TestClient[web.Request, web.Application]


@asynccontextmanager
async def ops_client(
    uow: UnitOfWorkFactory,
    thresholds: Thresholds | None = None,
    role: Role = "bot",
    wait: float = 5.0,
    now: Callable[[], datetime] = lambda: NOW,
) -> AsyncIterator[Client]:
    app = make_ops_app(Ops(uow, now, role, thresholds or Thresholds(), timeout=wait))
    async with TestClient(TestServer(app)) as client:
        yield client


async def _pending(uow: UnitOfWorkFactory, *ages_minutes: int) -> None:
    """Outbox rows written that many minutes before NOW, not sent."""
    async with uow() as work:
        for i, minutes in enumerate(ages_minutes):
            at = NOW - timedelta(minutes=minutes)
            work.outbox.enqueue(1000 + i, "send", {"text": "x"}, now=at)


async def _claimed(uow: UnitOfWorkFactory, minutes_ago: int) -> None:
    async with uow() as work:
        at = NOW - timedelta(minutes=minutes_ago)
        await work.messaging.claim_update(1, f"u{minutes_ago}", 7, 1001, at)


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_healthz_answers_while_the_process_runs(uow_factory: UnitOfWorkFactory) -> None:
    async with ops_client(uow_factory) as client:
        response = await client.get("/healthz")
        assert response.status == 200
        body = await response.json()
    assert body["status"] == "ok"
    assert body["role"] == "bot"


async def test_an_idle_desk_is_ready_and_says_what_it_checked(
    uow_factory: UnitOfWorkFactory,
) -> None:
    async with ops_client(uow_factory) as client:
        response = await client.get("/readyz")
        body = await response.json()
    assert response.status == 200, body
    assert body["status"] == "ready"
    assert body["failing"] == []
    checks = body["checks"]
    assert checks["database"]["ok"] is True
    assert checks["outbox_backlog"] == {"ok": True, "pending": 0, "limit": 1000}
    assert checks["outbox_oldest"] == {"ok": True, "age_seconds": None, "limit": 300.0}
    # no update yet and no limit set: shown, not failed
    assert checks["last_update"] == {"ok": True, "age_seconds": None, "at": None, "limit": None}


async def test_an_outbox_backlog_over_the_limits_is_not_ready_and_named(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await _pending(uow_factory, 1, 2, 10)  # three rows, the oldest 10 minutes old
    limits = Thresholds(outbox_backlog=2, outbox_age=300)
    async with ops_client(uow_factory, limits) as client:
        response = await client.get("/readyz")
        body = await response.json()
    assert response.status == 503
    assert body["status"] == "not ready"
    assert body["failing"] == ["outbox_backlog", "outbox_oldest"]
    assert body["checks"]["outbox_backlog"] == {"ok": False, "pending": 3, "limit": 2}
    assert body["checks"]["outbox_oldest"]["age_seconds"] == 600.0

    within = Thresholds(outbox_backlog=3, outbox_age=601)
    async with ops_client(uow_factory, within) as client:
        response = await client.get("/readyz")
    assert response.status == 200


async def test_sent_rows_are_not_a_backlog(uow_factory: UnitOfWorkFactory) -> None:
    await _pending(uow_factory, 60)
    async with uow_factory() as work:
        (head,) = await work.outbox.chat_heads()
        await work.outbox.mark_sent(head.item_id, 5, NOW)
    async with ops_client(uow_factory, Thresholds(outbox_backlog=1, outbox_age=1)) as client:
        response = await client.get("/readyz")
        body = await response.json()
    assert response.status == 200, body
    assert body["checks"]["outbox_backlog"]["pending"] == 0


async def test_the_last_update_is_shown_and_checked_only_when_asked(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await _claimed(uow_factory, 30)
    await _claimed(uow_factory, 20)
    async with ops_client(uow_factory) as client:
        body = await (await client.get("/readyz")).json()
    last = body["checks"]["last_update"]
    assert last["ok"] is True
    assert last["age_seconds"] == 1200.0
    assert last["at"] == (NOW - timedelta(minutes=20)).isoformat()

    async with ops_client(uow_factory, Thresholds(update_age=600)) as client:
        response = await client.get("/readyz")
        body = await response.json()
    assert response.status == 503
    assert body["failing"] == ["last_update"]


async def test_no_update_at_all_fails_a_set_update_limit(uow_factory: UnitOfWorkFactory) -> None:
    async with ops_client(uow_factory, Thresholds(update_age=600)) as client:
        response = await client.get("/readyz")
        body = await response.json()
    assert response.status == 503
    assert body["failing"] == ["last_update"]


async def test_an_unreachable_database_is_not_ready_and_says_so() -> None:
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:9/nothing")  # port 9: closed
    try:
        async with ops_client(UnitOfWorkFactory(engine)) as client:
            response = await client.get("/readyz")
            body = await response.json()
            scrape = await client.get("/metrics")
            text = await scrape.text()
    finally:
        await engine.dispose()
    assert response.status == 503
    assert body["failing"] == ["database"]
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["database"]["error"]
    assert set(body["checks"]) == {"database"}  # nothing else could be read
    assert scrape.status == 200  # the counters are still worth a scrape
    samples = _samples(text)
    assert samples[("supportdesk_database_up", ())] == 0
    assert ("supportdesk_outbox_pending", ()) not in samples


async def test_a_database_that_does_not_answer_in_time_is_not_ready(tmp_path: Path) -> None:
    path = tmp_path / "stalled.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()
    database = await Database.open(url)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process writing for a long time
    try:
        async with ops_client(database.uow, wait=0.2) as client:
            response = await client.get("/readyz")
            body = await response.json()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        # the read left behind ends once the database answers (it holds a connection)
        await asyncio.gather(*ops._OVERRUN, return_exceptions=True)
        await database.close()
    assert response.status == 503
    assert body["failing"] == ["database"]
    assert body["checks"]["database"]["error"] == "no answer within 0.2 s"


async def test_metrics_read_the_outbox_at_the_scrape(uow_factory: UnitOfWorkFactory) -> None:
    async with ops_client(uow_factory) as client:
        first = _samples(await (await client.get("/metrics")).text())
        await _pending(uow_factory, 3, 1)
        await _claimed(uow_factory, 2)
        response = await client.get("/metrics")
        second = _samples(await response.text())
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert first[("supportdesk_outbox_pending", ())] == 0
    assert first[("supportdesk_outbox_oldest_pending_age_seconds", ())] == 0
    assert second[("supportdesk_outbox_pending", ())] == 2
    assert second[("supportdesk_outbox_oldest_pending_age_seconds", ())] == 180
    assert second[("supportdesk_last_update_age_seconds", ())] == 120
    assert second[("supportdesk_database_up", ())] == 1
    assert ("supportdesk_process_info", (("role", "bot"),)) in second


async def test_openmetrics_is_served_when_asked_for(uow_factory: UnitOfWorkFactory) -> None:
    async with ops_client(uow_factory) as client:
        accept = {"Accept": "application/openmetrics-text; version=1.0.0"}
        response = await client.get("/metrics", headers=accept)
        text = await response.text()
    assert response.headers["Content-Type"].startswith("application/openmetrics-text")
    assert text.rstrip().endswith("# EOF")


async def test_each_process_shows_only_what_it_counts(uow_factory: UnitOfWorkFactory) -> None:
    """``supportdesk web`` handles no updates and sends nothing: it shows no such
    counters (not zeros), only tickets it registered and the database's figures."""
    metrics.UPDATES.labels("message", "handled")  # a series the bot has
    async with ops_client(uow_factory, role="web") as client:
        web_text = await (await client.get("/metrics")).text()
    async with ops_client(uow_factory, role="bot") as client:
        bot_text = await (await client.get("/metrics")).text()
    web_names = {f.name for f in text_string_to_metric_families(web_text)}
    bot_names = {f.name for f in text_string_to_metric_families(bot_text)}
    for name in ("supportdesk_updates", "supportdesk_outbox_sent", "supportdesk_sla_alerts"):
        assert name in bot_names
        assert name not in web_names
    for name in ("supportdesk_tickets_registered", "supportdesk_outbox_pending"):
        assert name in web_names
    assert 'supportdesk_process_info{role="web"}' in web_text


async def test_probes_on_the_page_server_pass_its_guard(
    demo_uow_factory: UnitOfWorkFactory,
) -> None:
    """An address the page has blocked for failed links still gets its probes
    answered, and a probe is not counted as a page request."""
    guard = Guard(PageLimits(fail_limit=1))
    operator = Ops(demo_uow_factory, lambda: NOW, "bot")
    app = make_web_app(demo_uow_factory, signer(), lambda: NOW, guard, operator=operator)
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/c/forged.token")).status == 403
        assert (await client.get("/c/forged.token")).status == 429  # blocked now
        for path in ("/healthz", "/readyz", "/metrics"):
            response = await client.get(path)
            assert response.status == 200, path
    assert (await _page_without_ops(demo_uow_factory)).status == 404


async def _page_without_ops(uow: UnitOfWorkFactory) -> Any:
    app = make_web_app(uow, signer(), lambda: NOW, Guard(PageLimits()))
    async with TestClient(TestServer(app)) as client:
        return await client.get("/metrics")
