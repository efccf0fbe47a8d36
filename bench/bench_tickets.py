"""Tickets registered per second, with owner, SLA and audit, on SQLite and PostgreSQL.

Each registration is the real service call in its own transaction: number,
least-loaded owner with the round-robin cursor, SLA due times, hash-chained
audit event, commit. Then 50 concurrent creators on PostgreSQL: every number
they were told is counted, duplicates must be 0.

PostgreSQL: SUPPORTDESK_TEST_PG_URL (default postgresql+asyncpg://postgres@127.0.0.1:5432/test);
a scratch database is created there and dropped. Skipped with a message if it does not answer.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url

from bot.services.config import apply_config
from bot.services.tickets import TicketService
from desk.config import load_config
from desk.enums import Category, Priority
from desk.model import User
from storage.database import Database
from storage.engine import create_engine
from storage.migrate import upgrade

DEMO_CONFIG = Path(__file__).parents[1] / "bot" / "demo_config.toml"
PG_URL = os.environ.get(
    "SUPPORTDESK_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
SEQUENTIAL = 500
WARM_UP = 10  # registrations before the timed ones (the first is cold)
ROUNDS = 3
CREATORS = 50
PER_CREATOR = 10
PRIORITIES = [Priority.CRITICAL, Priority.HIGH, Priority.MEDIUM, Priority.MEDIUM, Priority.LOW]


async def _prepare(url: str) -> Database:
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()
    database = await Database.open(url)
    now = datetime.now(UTC)
    async with database.uow() as uow:
        await apply_config(uow, load_config(DEMO_CONFIG), source="bench", now=now)
        for user in range(1001, 1001 + CREATORS):
            await uow.users.bind(User(user, "DEMO", f"Пользователь {user}", now))
    return database


async def _register(database: Database, service: TicketService, user: int, i: int) -> str:
    async with database.uow() as uow:
        ticket = await service.create_ticket(
            uow,
            requester_id=user,
            subject=f"Запрос {i}",
            text="Не проводится документ реализации: ошибка при записи",
            priority=PRIORITIES[i % len(PRIORITIES)],
            category=Category.INCIDENT,
        )
    return ticket.number


async def _sequential(database: Database, label: str) -> None:
    """ROUNDS rounds of SEQUENTIAL registrations one after another: each round's
    rate, latencies and CPU per registration, then the median round.

    The first registrations of a process compile its SQL and load the directory
    and the calendar; they are timed on their own (``_cold``), not counted here.
    """
    service = TicketService()
    await _cold(database, service)
    rates = []
    for r in range(ROUNDS):
        latencies = []
        started, cpu = time.perf_counter(), time.process_time()
        for i in range(SEQUENTIAL):
            t0 = time.perf_counter()
            await _register(database, service, 1001, r * SEQUENTIAL + i)
            latencies.append(time.perf_counter() - t0)
        rate = SEQUENTIAL / (time.perf_counter() - started)
        rates.append(rate)
        _report(f"{label} round {r + 1}", rate, latencies, (time.process_time() - cpu) / SEQUENTIAL)
    print(
        f"{label}: median of {ROUNDS} rounds {statistics.median(rates):7.0f} tickets/s", flush=True
    )


async def _cold(database: Database, service: TicketService) -> None:
    t0 = time.perf_counter()
    await _register(database, service, 1002, -1)
    first = time.perf_counter() - t0
    for i in range(WARM_UP - 1):
        await _register(database, service, 1002, -2 - i)
    print(f"  first registration of the process (cold): {first * 1000:.0f} ms", flush=True)


async def _concurrent(database: Database) -> tuple[float, list[str], int]:
    """CREATORS tasks, each registering PER_CREATOR tickets; numbers told and failures."""
    service = TicketService()
    failures = 0

    async def creator(user: int) -> list[str]:
        nonlocal failures
        numbers = []
        for i in range(PER_CREATOR):
            try:
                numbers.append(await _register(database, service, user, i))
            except Exception:
                failures += 1
        return numbers

    started = time.perf_counter()
    results = await asyncio.gather(*(creator(1001 + c) for c in range(CREATORS)))
    elapsed = time.perf_counter() - started
    numbers = [n for batch in results for n in batch]
    return len(numbers) / elapsed, numbers, failures


def _report(label: str, rate: float, latencies: list[float], cpu: float) -> None:
    ms = sorted(x * 1000 for x in latencies)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(
        f"{label}: {rate:7.0f} tickets/s sequential "
        f"(p50 {statistics.median(ms):.2f} ms, p99 {p99:.2f} ms, n={len(ms)}); "
        f"CPU {cpu * 1000:.2f} ms/ticket in this process, {1 / cpu:.0f}/s on a core of its own",
        flush=True,
    )


def _report_concurrent(label: str, rate: float, numbers: list[str], failures: int) -> None:
    duplicates = sum(c - 1 for c in Counter(numbers).values() if c > 1)
    first = WARM_UP + ROUNDS * SEQUENTIAL + 1
    expected = {f"DEMO-{n}" for n in range(first, first + len(numbers))}
    gaps = len(expected - set(numbers))
    print(
        f"{label}: {rate:7.0f} tickets/s with {CREATORS} concurrent creators "
        f"({len(numbers)} registered, {failures} failed, duplicate numbers: {duplicates}, "
        f"gaps: {gaps})",
        flush=True,
    )


async def _sqlite(driver: str = "onehop") -> None:
    """On the product's one-hop adapter, or (``stock``) on SQLAlchemy's own."""
    label = "SQLite    " if driver == "onehop" else "SQLite (stock adapter)"
    with tempfile.TemporaryDirectory() as tmp:
        database = await _prepare(f"sqlite+aiosqlite:///{tmp}/bench.sqlite3?driver={driver}")
        try:
            await _sequential(database, label)
            rate, numbers, failures = await _concurrent(database)
            _report_concurrent(label, rate, numbers, failures)
        finally:
            await database.close()


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _postgres() -> None:
    name = f"supportdesk_bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = await asyncpg.connect(_dsn(PG_URL), timeout=5)
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        print(f"PostgreSQL: skipped, {PG_URL} does not answer ({exc!r})")
        return
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        database = await _prepare(url)
        try:
            await _sequential(database, "PostgreSQL")
            rate, numbers, failures = await _concurrent(database)
            _report_concurrent("PostgreSQL", rate, numbers, failures)
        finally:
            await database.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    print("registration = number + owner + SLA + audit event + commit; target >= 300/s on SQLite")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine load average (1, 5, 15 min): {load} on {os.cpu_count()} CPUs")
    asyncio.run(_sqlite())
    asyncio.run(_sqlite("stock"))
    asyncio.run(_postgres())


if __name__ == "__main__":
    main()
