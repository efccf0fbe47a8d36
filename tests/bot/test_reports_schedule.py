"""Scheduled reports: each client's weekly and monthly report goes to its
managers and the lead chat as documents, once per period, whatever restarts
or a second instance do."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.jobs.reports import send_due_reports
from bot.services.config import apply_config
from desk.config import load_config
from storage.tables import OutboxRow
from storage.uow import UnitOfWorkFactory

MSK = ZoneInfo("Europe/Moscow")
DEMO_CONFIG = Path(__file__).parents[2] / "bot" / "demo_config.toml"
LEAD_CHAT = -1001000000099
TERMS = """
[contracts.demo.reports]
weekly = true
monthly = true
format = "xlsx"
"""


async def _configure(factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    text = (
        DEMO_CONFIG.read_text(encoding="utf-8")
        .replace("managers = [1003]", "managers = [5001, 5002]")
        .replace("lead = 2002", f"lead = 2002\nlead_chat_id = {LEAD_CHAT}")
    )
    path = tmp_path / "config.toml"
    path.write_text(text + TERMS, encoding="utf-8")
    async with factory() as uow:
        await apply_config(uow, load_config(path), source="c", now=datetime.now(MSK))


async def _documents(factory: UnitOfWorkFactory) -> list[dict[str, Any]]:
    async with factory() as uow:
        rows = await uow.session.scalars(
            select(OutboxRow).where(OutboxRow.kind == "document").order_by(OutboxRow.id)
        )
        return [{"chat": r.chat_id, **r.payload} for r in rows]


async def test_monthly_and_weekly_reports_go_to_managers_and_the_lead_once(
    demo_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    """On Tuesday 1 December at 10:00 the November report and the week-48 report
    go to managers 5001, 5002 and the lead chat; the next passes send nothing."""
    await _configure(demo_uow_factory, tmp_path)
    now = datetime(2026, 12, 1, 10, 0, tzinfo=MSK)
    assert await send_due_reports(demo_uow_factory, now) == 2
    documents = await _documents(demo_uow_factory)
    assert sorted(d["chat"] for d in documents) == sorted([5001, 5002, LEAD_CHAT] * 2)
    assert all("Отчёт об SLA · Демо" in d["caption"] for d in documents)
    async with demo_uow_factory() as uow:
        files = await uow.report_files.report_files("DEMO")
    assert sorted(f.period for f in files) == ["2026-11", "2026-W48"]
    assert {f.format for f in files} == {"xlsx"}

    assert await send_due_reports(demo_uow_factory, now) == 0
    later = datetime(2026, 12, 3, 12, 0, tzinfo=MSK)
    assert await send_due_reports(demo_uow_factory, later) == 0
    assert len(await _documents(demo_uow_factory)) == 6


async def test_two_instances_at_once_send_a_period_once(
    demo_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    await _configure(demo_uow_factory, tmp_path)
    now = datetime(2026, 12, 1, 10, 0, tzinfo=MSK)
    results = await asyncio.gather(
        send_due_reports(demo_uow_factory, now), send_due_reports(demo_uow_factory, now)
    )
    assert sum(results) == 2
    assert len(await _documents(demo_uow_factory)) == 6


async def test_no_report_goes_out_before_nine_in_the_morning(
    demo_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    """At 08:00 local time on the first of the month nothing is sent yet."""
    await _configure(demo_uow_factory, tmp_path)
    assert await send_due_reports(demo_uow_factory, datetime(2026, 12, 1, 8, 0, tzinfo=MSK)) == 0
    assert await _documents(demo_uow_factory) == []
