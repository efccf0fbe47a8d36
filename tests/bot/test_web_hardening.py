"""The client page under attack: odd tokens and ids answer 403/404 (never 500),
tokens stay out of the log, failed links and page work are limited, nothing
frames the page, and a manager's links can be revoked without a new secret.

Seeded as in ``test_web``: DEMO (manager 5001) and OTHR (manager 5002).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.services import manager
from bot.services.actors import Actor
from bot.web.app import make_web_app, serve
from bot.web.guard import Guard, PageLimits
from bot.web.logs import runner_options
from storage.uow import UnitOfWork, UnitOfWorkFactory
from tests.bot.test_web import NOW, seed_two_clients, signer

Client = TestClient[web.Request, web.Application]
DEMO_TOKEN = signer().sign("DEMO", 5001, NOW)


class Clock:
    """The guard's clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def seeded(demo_uow_factory: UnitOfWorkFactory, tmp_path: Path) -> UnitOfWorkFactory:
    await seed_two_clients(demo_uow_factory, tmp_path)
    return demo_uow_factory


@asynccontextmanager
async def page(
    uow: Callable[[], AbstractAsyncContextManager[UnitOfWork]], guard: Guard
) -> AsyncIterator[Client]:
    app = make_web_app(uow, signer(), lambda: NOW, guard)
    async with TestClient(TestServer(app, **runner_options())) as client:
        yield client


async def test_a_signature_or_payload_with_non_ascii_characters_gets_403(
    seeded: UnitOfWorkFactory,
) -> None:
    payload, _, signature = DEMO_TOKEN.partition(".")
    async with page(seeded, Guard(PageLimits())) as client:
        for bad in (f"{payload}.{signature[:-1]}й", f"{payload}.ÿÿ", f"Дёмо.{signature}"):
            response = await client.get(f"/c/{bad}")
            assert response.status == 403, bad
            assert "Ссылка недействительна" in await response.text()


async def test_ids_and_numbers_past_a_bigint_are_not_found(seeded: UnitOfWorkFactory) -> None:
    async with page(seeded, Guard(PageLimits())) as client:
        for suffix in (
            "/r/99999999999999999999",
            "/r/9223372036854775808",
            "/r/٣",  # an Arabic-Indic digit: isdigit() but not an id
            "/t/DEMO-99999999999999999999",
            "/t/DEMO-1%00",
        ):
            response = await client.get(f"/c/{DEMO_TOKEN}{suffix}")
            assert response.status == 404, suffix
            assert "Не найдено" in await response.text()


@pytest.fixture
async def served(seeded: UnitOfWorkFactory) -> AsyncIterator[str]:
    """The page served as ``supportdesk`` serves it; its base URL."""
    runner = await serve(make_web_app(seeded, signer(), lambda: NOW), "127.0.0.1", 0)
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


async def _raw(base: str, request: bytes) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(request)
    await writer.drain()
    answer = await reader.read()
    writer.close()
    await writer.wait_closed()
    return answer


async def test_an_oversized_request_is_one_warning_line_without_the_token(
    served: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    long_line = f"GET /c/{DEMO_TOKEN}?q={'я' * 5000} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    long_header = f"GET /c/{DEMO_TOKEN} HTTP/1.1\r\nHost: x\r\nX-Big: {'B' * 9000}\r\n\r\n"
    for request in (long_line, long_header.encode()):
        answer = await _raw(served, request)
        assert answer.startswith(b"HTTP/1.0 400") or answer.startswith(b"HTTP/1.1 400")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    warnings = [r for r in caplog.records if "bad request" in r.getMessage()]
    assert len(warnings) == 2
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in warnings)
    assert DEMO_TOKEN[8:30] not in caplog.text


async def test_the_access_log_shows_a_token_prefix_only(
    served: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    async with aiohttp.ClientSession(served) as session:
        for path in (f"/c/{DEMO_TOKEN}?q=секрет", f"/c/{DEMO_TOKEN}/t/DEMO-1", "/c/forged.x"):
            async with session.get(path) as response:
                await response.read()
    access = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert len(access) == 3
    assert sum(f"/c/{DEMO_TOKEN[:8]}…" in line for line in access) == 2
    assert f'/c/{DEMO_TOKEN[:8]}…/t/DEMO-1" 200' in access[1]
    assert DEMO_TOKEN[8:] not in caplog.text  # nor any longer piece of it
    assert "секрет" not in caplog.text
    assert "%D1%81" not in caplog.text


async def test_an_address_that_fails_many_links_gets_429_for_a_while(
    seeded: UnitOfWorkFactory, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    guard = Guard(PageLimits(fail_limit=3, fail_window=60, block=600), clock)
    async with page(seeded, guard) as client:
        for n in range(3):
            response = await client.get(f"/c/forged{n}.x")
            assert response.status == 403
        blocked = await client.get(f"/c/{DEMO_TOKEN}")  # a valid link too
        assert blocked.status == 429
        assert blocked.headers["Retry-After"] == "600"
        assert "Слишком много попыток" in await blocked.text()
        assert "через 10 мин" in await blocked.text()
        clock.now += 599
        assert (await client.get(f"/c/{DEMO_TOKEN}")).status == 429
        clock.now += 2
        assert (await client.get(f"/c/{DEMO_TOKEN}")).status == 200
    assert "blocked for 600 s" in caplog.text


async def test_failures_spread_over_more_than_the_window_do_not_block(
    seeded: UnitOfWorkFactory,
) -> None:
    clock = Clock()
    guard = Guard(PageLimits(fail_limit=3, fail_window=60, block=600), clock)
    async with page(seeded, guard) as client:
        for _ in range(6):
            assert (await client.get("/c/forged.x")).status == 403
            clock.now += 31
        assert (await client.get(f"/c/{DEMO_TOKEN}")).status == 200


async def test_behind_a_trusted_proxy_failures_count_per_forwarded_address(
    seeded: UnitOfWorkFactory,
) -> None:
    limits = PageLimits(fail_limit=2, trust_forwarded=True)
    async with page(seeded, Guard(limits)) as client:
        for _ in range(2):
            await client.get("/c/forged.x", headers={"X-Forwarded-For": "6.6.6.6, 10.0.0.1"})
        attacker = await client.get(f"/c/{DEMO_TOKEN}", headers={"X-Forwarded-For": "10.0.0.1"})
        other = await client.get(f"/c/{DEMO_TOKEN}", headers={"X-Forwarded-For": "10.0.0.2"})
        assert (attacker.status, other.status) == (429, 200)
    async with page(seeded, Guard(PageLimits(fail_limit=2))) as client:  # not trusted
        for n in range(2):
            await client.get("/c/forged.x", headers={"X-Forwarded-For": f"10.0.0.{n}"})
        other = await client.get(f"/c/{DEMO_TOKEN}", headers={"X-Forwarded-For": "10.0.0.9"})
        assert other.status == 429  # the header is ignored: one peer


async def test_page_work_beyond_the_bound_gets_503_not_a_queue(
    seeded: UnitOfWorkFactory,
) -> None:
    entered, release = asyncio.Event(), asyncio.Event()

    @asynccontextmanager
    async def held() -> AsyncIterator[UnitOfWork]:
        """The database as the first request finds it: slow until released."""
        entered.set()
        await release.wait()
        async with seeded() as uow:
            yield uow

    async with page(held, Guard(PageLimits(max_concurrent=1, queue_wait=0))) as client:
        first = asyncio.create_task(client.get(f"/c/{DEMO_TOKEN}"))
        await entered.wait()
        second = await client.get(f"/c/{DEMO_TOKEN}")
        assert second.status == 503
        assert second.headers["Retry-After"] == "1"
        assert "Страница сейчас занята" in await second.text()
        release.set()
        assert (await first).status == 200


async def test_every_answer_forbids_framing(seeded: UnitOfWorkFactory) -> None:
    async with page(seeded, Guard(PageLimits(fail_limit=1))) as client:
        answers = [
            await client.get(f"/c/{DEMO_TOKEN}"),
            await client.get(f"/c/{DEMO_TOKEN}/t/OTHR-1"),
            await client.get("/nowhere"),
            await client.get("/c/forged.x"),
            await client.get(f"/c/{DEMO_TOKEN}"),
        ]
        assert [a.status for a in answers] == [200, 404, 404, 403, 429]
        for answer in answers:
            assert answer.headers["X-Frame-Options"] == "DENY"
            assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]


async def test_a_revoked_link_gets_403_saying_so_and_a_later_link_opens(
    seeded: UnitOfWorkFactory,
) -> None:
    old = DEMO_TOKEN
    other_client = signer().sign("OTHR", 5002, NOW)
    async with seeded() as uow:
        await manager.revoke_links(uow, "DEMO", 5001, NOW + timedelta(minutes=1), Actor.user(5001))
    new = signer().sign("DEMO", 5001, NOW + timedelta(minutes=2))
    async with page(seeded, Guard(PageLimits())) as client:
        response = await client.get(f"/c/{old}")
        assert response.status == 403
        assert "Ссылка отозвана" in await response.text()
        assert (await client.get(f"/c/{old}/r/1")).status == 403
        assert (await client.get(f"/c/{new}")).status == 200
        assert (await client.get(f"/c/{other_client}")).status == 200
    async with seeded() as uow:
        assert await uow.links.revoked_at("DEMO", 5001) == NOW + timedelta(minutes=1)
        [event] = [e for e in await uow.audit.latest(5) if e.what == "client links revoked"]
        assert event.actor == "user:5001"
        assert await uow.audit.verify() == []


async def test_revoking_again_moves_the_moment(seeded: UnitOfWorkFactory) -> None:
    later = NOW + timedelta(hours=1)
    async with seeded() as uow:
        await uow.links.revoke("DEMO", 5001, NOW, 5001)
        await uow.links.revoke("DEMO", 5001, later, None)
    async with seeded() as uow:
        assert await uow.links.revoked_at("DEMO", 5001) == later
        assert await uow.links.revoked_at("OTHR", 5002) is None
