"""A P1 lowered to P2: the report counts it as the contract says (the highest
priority by default, the final one if ``measure = "final"``), lists it with its
priority at registration and its final one, and marks it lowered."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.reports.build import build_report, render_report
from bot.services.actors import Actor
from bot.services.config import apply_config
from bot.services.tickets import TicketService
from desk.config import load_config
from desk.enums import Category, Priority
from desk.reporting import Met, PriorityChange, Report, parse_period
from storage.uow import UnitOfWorkFactory

MSK = ZoneInfo("Europe/Moscow")
DEMO_CONFIG = Path(__file__).parents[2] / "bot" / "demo_config.toml"
START = datetime(2026, 11, 10, 10, 0, tzinfo=MSK)


async def _lowered_p1(factory: UnitOfWorkFactory, tmp_path: Path, extra: str) -> Report:
    """DEMO-1 registered P1, lowered to P2 by staff after 5 min, answered after 25."""
    config_file = tmp_path / "config.toml"
    config_file.write_text(DEMO_CONFIG.read_text(encoding="utf-8") + extra, encoding="utf-8")
    now = [START]
    service = TicketService(now=lambda: now[0])
    async with factory() as uow:
        await apply_config(uow, load_config(config_file), source="c", now=START)
        ticket = await service.create_ticket(
            uow, requester_id=1001, subject="Не работает 1С у всех", text="Не работает 1С у всех",
            priority=Priority.CRITICAL, category=Category.INCIDENT,
        )  # fmt: skip
    actor = Actor.staff(ticket.owner_id)
    now[0] = START + timedelta(minutes=5)
    async with factory() as uow:
        await service.change_priority(uow, "DEMO-1", actor, Priority.HIGH, "работает у части")
    now[0] = START + timedelta(minutes=25)
    async with factory() as uow:
        await service.record_reaction(uow, "DEMO-1", actor)
    async with factory() as uow:
        return await build_report(
            uow, "DEMO", parse_period("2026-11"), datetime(2026, 12, 2, tzinfo=MSK)
        )


async def test_by_default_a_lowered_p1_is_measured_and_counted_as_p1(
    demo_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    report = await _lowered_p1(demo_uow_factory, tmp_path, "")
    [line] = report.figures.by_priority
    assert (line.priority, line.reaction) == (Priority.CRITICAL, Met(0, 1))
    assert report.figures.changed == (
        PriorityChange("DEMO-1", Priority.CRITICAL, Priority.HIGH, Priority.CRITICAL, True,
                       "Не работает 1С у всех"),
    )  # fmt: skip
    [breach] = [b for b in report.figures.breaches if b.target == "reaction"]
    assert (breach.priority, breach.initial, breach.final) == (
        Priority.CRITICAL, Priority.CRITICAL, Priority.HIGH
    )  # fmt: skip
    html = render_report(report, "html").decode()
    assert "Изменения приоритета" in html
    assert "↓ понижен" in html
    assert "P1 (сейчас P2)" in html


async def test_a_contract_measuring_the_final_priority_counts_it_as_p2(
    demo_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    extra = '\n[contracts.demo.sla]\nmeasure = "final"\n'
    report = await _lowered_p1(demo_uow_factory, tmp_path, extra)
    [line] = report.figures.by_priority
    assert (line.priority, line.reaction) == (Priority.HIGH, Met(1, 1))
    assert [c.measured for c in report.figures.changed] == [Priority.HIGH]
