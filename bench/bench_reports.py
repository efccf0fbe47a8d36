"""SLA operations at scale on SQLite: a monthly report over 100,000 tickets and
the SLA watcher's pass over 100,000 open tickets.

Targets (issue 6): the report <= 2 s (aggregated by the database), a watcher
pass <= 1 s.  Rows are bulk-inserted with Core ``executemany`` (not through
the ticket service).  Figures are medians of several runs; memory is the
tracemalloc peak of the measured call and the process's maximum RSS.
"""

from __future__ import annotations

import asyncio
import random
import resource
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import func, insert, select

from bot.jobs.watcher import Watcher
from bot.reports.build import build_report, render_report
from bot.services.config import apply_config
from bot.services.tickets import TicketService
from desk.clock import BusinessClock
from desk.config import load_config
from desk.enums import Category, Priority, Status
from desk.model import User
from desk.reporting import parse_period
from storage.database import Database
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.tables import FaqLogRow, ResolutionRow, SlaWatchRow, TicketRow

TICKETS = 100_000
OPEN_TICKETS = 100_000
RUNS = 5
MSK = ZoneInfo("Europe/Moscow")
DEMO_CONFIG = Path(__file__).parents[1] / "bot" / "demo_config.toml"
PENALTIES = """
[contracts.demo.penalties]
monthly_fee = 250000
cap_percent = 15
"""
T = TypeVar("T")


async def _timed(fn: Callable[[], Awaitable[T]]) -> tuple[float, T]:
    started = time.perf_counter()
    result = await fn()
    return time.perf_counter() - started, result


async def _peak(fn: Callable[[], Awaitable[T]]) -> tuple[int, T]:
    tracemalloc.start()
    try:
        result = await fn()
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


def _month_rows(rng: random.Random, first_id: int) -> list[dict[str, Any]]:
    """November 2026: closed tickets with reactions and resolutions, some late."""
    start = datetime(2026, 11, 1, tzinfo=MSK).astimezone(UTC)
    span = 30 * 86400
    targets = {1: (15, 30), 2: (30, 240), 3: (60, 480), 4: (240, 1440), 5: (480, None)}
    categories = [c.value for c in Category]
    moments = sorted(rng.randrange(span) for _ in range(TICKETS))  # ids follow time, as in life
    rows = []
    for i in range(TICKETS):
        created = start + timedelta(seconds=moments[i])
        priority = rng.choices((1, 2, 3, 4, 5), weights=(2, 10, 50, 30, 8))[0]
        r_target, s_target = targets[priority]
        r_minutes = int(rng.expovariate(1 / (r_target * 0.5))) + 1
        s_minutes = int(rng.expovariate(1 / ((s_target or 960) * 0.45))) + r_minutes
        rows.append(
            {
                "id": first_id + i,
                "number": f"DEMO-{first_id + i}",
                "client_code": "DEMO",
                "requester_id": 1001 + i % 50,
                "subject": "Не проводится документ",
                "text": "Не проводится документ: ошибка при записи",
                "priority": priority,
                "category": rng.choice(categories),
                "status": Status.CLOSED.value,
                "owner_id": 2001 + i % 2,
                "escalated": False,
                "created_at": created,
                "updated_at": created,
                "sla_started_at": created,
                "reaction_due": created + timedelta(minutes=r_target),
                "resolution_due": None
                if s_target is None
                else created + timedelta(minutes=s_target),
                "reacted_at": created + timedelta(minutes=r_minutes),
                "resolved_at": created + timedelta(minutes=s_minutes),
                "paused_at": None,
                "paused_minutes": 0,
                "reaction_breached": r_minutes > r_target,
                "resolution_breached": s_target is not None and s_minutes > s_target,
                "reaction_minutes": r_minutes,
                "resolution_minutes": s_minutes,
                "reaction_target": r_target,
                "resolution_target": s_target,
            }
        )
    return rows


def _open_rows(rng: random.Random, first_id: int, now: datetime) -> list[dict[str, Any]]:
    """Open P4 tickets (3 business days to resolve), reacted, registered in the
    last two working hours: their warnings and breaches fall over the next days."""
    clock = BusinessClock.from_spec(load_config(DEMO_CONFIG).schedules["office"])
    rows = []
    for i in range(OPEN_TICKETS):
        started = now - timedelta(seconds=rng.randrange(0, 120 * 60))
        due = clock.due(started, 1440).astimezone(UTC)
        rows.append(
            {
                "id": first_id + i,
                "number": f"DEMO-{first_id + i}",
                "client_code": "DEMO",
                "requester_id": 1001 + i % 50,
                "subject": "Добавить права пользователю",
                "text": "Добавить права пользователю",
                "priority": int(Priority.LOW),
                "category": Category.ACCESS.value,
                "status": Status.IN_PROGRESS.value,
                "owner_id": 2001 + i % 2,
                "escalated": False,
                "created_at": started,
                "updated_at": started,
                "sla_started_at": started,
                "reaction_due": started + timedelta(hours=4),
                "resolution_due": due,
                "reacted_at": started + timedelta(minutes=5),
                "resolved_at": None,
                "paused_at": None,
                "paused_minutes": 0,
                "reaction_breached": False,
                "resolution_breached": False,
                "reaction_minutes": 5,
                "resolution_minutes": None,
                "reaction_target": 240,
                "resolution_target": 1440,
            }
        )
    return rows


DIRECTORY: list[Path] = []


def _bulk(directory: Path, batches: list[tuple[Any, list[dict[str, Any]]]]) -> None:
    """Plain executemany through SQLAlchemy's synchronous SQLite driver, one transaction."""
    engine = sa_create_engine(f"sqlite:///{directory / 'bench.sqlite3'}")
    try:
        with engine.begin() as conn:
            for table, rows in batches:
                conn.execute(insert(table), rows)
    finally:
        engine.dispose()


async def _setup(directory: Path) -> tuple[Database, float]:
    DIRECTORY.append(directory)
    url = f"sqlite+aiosqlite:///{directory / 'bench.sqlite3'}"
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()
    db = await Database.open(url)
    config_file = directory / "config.toml"
    config_file.write_text(DEMO_CONFIG.read_text(encoding="utf-8") + PENALTIES, encoding="utf-8")
    now = datetime(2026, 12, 1, tzinfo=UTC)
    async with db.uow() as uow:
        await apply_config(uow, load_config(config_file), source="bench", now=now)
        for n in range(50):
            await uow.users.bind(User(1001 + n, "DEMO", f"Пользователь {n}", now, None))
    rng = random.Random(6)
    started = time.perf_counter()
    rows = _month_rows(rng, 1)
    ratings = [
        {"ticket_id": r["id"], "asked_at": r["resolved_at"], "close_at": r["resolved_at"],
         "answer": "confirmed", "rating": rng.choices((1, 2, 3, 4, 5), (1, 1, 3, 10, 25))[0],
         "comment": None}
        for r in rows if rng.random() < 0.6
    ]  # fmt: skip
    faq = [
        {"at": r["created_at"], "user_id": r["requester_id"], "client_code": "DEMO",
         "query": "как закрыть месяц", "shown": [], "chosen": None, "ticket_id": None,
         "outcome": rng.choice(("helped", "helped", "not_it", "unanswered"))}
        for r in rows[: TICKETS // 5]
    ]  # fmt: skip
    _bulk(directory, [(TicketRow, rows), (ResolutionRow, ratings), (FaqLogRow, faq)])
    assert await _count(db) == TICKETS
    return db, time.perf_counter() - started


async def _count(db: Database) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(TicketRow))).scalar_one())


async def _report_figures(db: Database) -> None:
    period = parse_period("2026-11")
    now = datetime(2026, 12, 2, tzinfo=UTC)

    async def build() -> Any:
        async with db.uow() as uow:
            return await build_report(uow, "DEMO", period, now)

    times = []
    report = None
    for _ in range(RUNS):
        elapsed, report = await _timed(build)
        times.append(elapsed)
    peak, _ = await _peak(build)
    assert report is not None
    html_started = time.perf_counter()
    html = render_report(report, "html")
    html_time = time.perf_counter() - html_started
    xlsx_started = time.perf_counter()
    xlsx = render_report(report, "xlsx")
    xlsx_time = time.perf_counter() - xlsx_started
    median = statistics.median(times)
    print(f"monthly report, {TICKETS:,} tickets of one client (SQL GROUP BY):")
    print(f"  build p50 {median:.3f} s, max {max(times):.3f} s over {RUNS} runs"
          f" -> {'OK' if median <= 2 else 'OVER'} the 2 s target; tracemalloc peak"
          f" {peak / 2**20:.1f} MiB")  # fmt: skip
    print(f"  render: HTML {html_time:.3f} s ({len(html) / 1024:.0f} KiB),"
          f" XLSX {xlsx_time:.3f} s ({len(xlsx) / 1024:.0f} KiB)")  # fmt: skip
    print(f"  figures: {report.tickets:,} tickets, reaction in time"
          f" {report.totals['reaction'].share:.1f}%, {report.figures.breach_count:,} breaches,"
          f" CSAT {report.csat_average:.2f}")  # fmt: skip


async def _watcher_figures(db: Database) -> None:
    now = datetime(2026, 12, 9, 11, 0, tzinfo=MSK)  # a Wednesday
    _bulk(DIRECTORY[0], [(TicketRow, _open_rows(random.Random(7), TICKETS + 1, now))])
    service = TicketService(now=lambda: now)
    watcher = Watcher(db.uow, service, autoclose_minutes=1440, batch=5000)
    cold, first = await _timed(lambda: watcher.run_pass(now))
    steady = []
    for _ in range(RUNS):
        elapsed, result = await _timed(lambda: watcher.run_pass(now))
        steady.append(elapsed)
        assert result.planned == 0
        assert result.alerts == 0
    peak, _ = await _peak(lambda: watcher.run_pass(now))
    async with db.uow() as uow:  # the moment ~30 alerts fall due: one pass interval's worth
        moments = await uow.session.scalars(
            select(SlaWatchRow.next_at)
            .where(SlaWatchRow.next_at.is_not(None))
            .order_by(SlaWatchRow.next_at)
            .limit(30)
        )
        busy_at = max(m for m in moments if m is not None)
    busy, busy_result = await _timed(lambda: watcher.run_pass(busy_at))
    median = statistics.median(steady)
    print(f"SLA watcher over {OPEN_TICKETS:,} open tickets:")
    print(f"  first pass (plans every ticket's next alert): {cold:.2f} s,"
          f" {first.planned:,} planned, {first.alerts} alerts")  # fmt: skip
    print(f"  steady pass (nothing changed, nothing due): p50 {median * 1000:.1f} ms,"
          f" max {max(steady) * 1000:.1f} ms -> {'OK' if median <= 1 else 'OVER'} the 1 s target;"
          f" tracemalloc peak {peak / 2**10:.0f} KiB")  # fmt: skip
    per_alert = busy / max(1, busy_result.alerts)
    print(f"  pass with {busy_result.alerts} alerts due (each its own transaction with"
          f" outbox rows): {busy * 1000:.0f} ms, {per_alert * 1000:.1f} ms an alert")  # fmt: skip


async def _run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db, load_time = await _setup(Path(tmp))
        try:
            print(f"bulk insert of {TICKETS:,} tickets, ratings and FAQ log: {load_time:.1f} s")
            await _report_figures(db)
            await _watcher_figures(db)
        finally:
            await db.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS: {rss:.0f} MiB")


def main() -> None:
    asyncio.run(_run())


if __name__ == "__main__":
    main()
