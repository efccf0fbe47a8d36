"""SLA reports on real databases: the figures, the HTML a person reads, the XLSX
that re-opens, and ``supportdesk report`` writing the file.

November 2026 for client DEMO (office 09-18, lunch 13-14, Moscow), with a
penalty clause of 100 000 ₽ a month (P2 3 %, P3 1 % per breach):

- DEMO-1 P3: reacted in 30 min, resolved the same day, rated 5;
- DEMO-2 P3: reacted in 90 min (breach), resolved after 600 business minutes
  (breach of 480), rated 3;
- DEMO-3 P2: reacted in 10 min, still open at the end of the month (resolution missed);
- DEMO-4 P4: reacted in 30 min, waiting for the customer (resolution not due).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.cli import main as cli
from bot.reports.build import build_report, render_report
from bot.services.actors import Actor
from bot.services.config import apply_config
from bot.services.tickets import TicketService
from desk.config import load_config
from desk.enums import Category, Priority
from desk.reporting import Met, Report, parse_period
from storage.database import Database
from storage.uow import UnitOfWorkFactory

MSK = ZoneInfo("Europe/Moscow")
DEMO_CONFIG = Path(__file__).parents[2] / "bot" / "demo_config.toml"
PENALTIES = """
[contracts.demo.penalties]
monthly_fee = 100000
per_breach = { P2 = 3, P3 = 1 }
cap_percent = 15
"""
NOV = parse_period("2026-11")
REPORT_TIME = datetime(2026, 12, 2, 10, 0, tzinfo=MSK)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 10, 10, 0, tzinfo=MSK)

    def __call__(self) -> datetime:
        return self.now


async def _story(factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text(DEMO_CONFIG.read_text(encoding="utf-8") + PENALTIES, encoding="utf-8")
    clock = Clock()
    service = TicketService(now=clock)
    async with factory() as uow:
        await apply_config(uow, load_config(config_file), source="c", now=clock.now)

    async def step(moment: datetime, action: str, number: str = "", **kw: int | str) -> None:
        clock.now = moment
        async with factory() as uow:
            if action == "create":
                await service.create_ticket(
                    uow, requester_id=1001, subject=f"Заявка {kw['p']}",
                    text="Не проводится документ", priority=Priority(int(kw["p"])),
                    category=Category(str(kw["c"])),
                )  # fmt: skip
                return
            ticket = await uow.tickets.get(number)
            actor = Actor.staff(ticket.owner_id)
            if action == "react":
                await service.record_reaction(uow, number, actor)
            elif action == "resolve":
                await service.resolve(uow, number, actor)
            elif action == "wait":
                await service.pause(uow, number, actor)
            elif action == "rate":
                assert ticket.id is not None
                await uow.drafts.ask_resolution(ticket.id, moment, moment)
                await uow.drafts.answer_resolution(ticket.id, rating=int(str(kw["r"])))

    day10, day11, day12, day20 = (datetime(2026, 11, d, tzinfo=MSK) for d in (10, 11, 12, 20))
    h = timedelta(hours=1)
    await step(day10 + 10 * h, "create", p=3, c="incident")
    await step(day10 + 10 * h, "create", p=3, c="bug")
    await step(day10 + 10.5 * h, "react", "DEMO-1")
    await step(day10 + 11.5 * h, "react", "DEMO-2")
    await step(day10 + 15 * h, "resolve", "DEMO-1")
    await step(day10 + 15 * h, "rate", "DEMO-1", r=5)
    await step(day11 + 12 * h, "resolve", "DEMO-2")
    await step(day11 + 12 * h, "rate", "DEMO-2", r=3)
    await step(day12 + 10 * h, "create", p=2, c="integration")
    await step(day12 + 10 * h + timedelta(minutes=10), "react", "DEMO-3")
    await step(day20 + 10 * h, "create", p=4, c="access")
    await step(day20 + 10.5 * h, "react", "DEMO-4")
    await step(day20 + 11 * h, "wait", "DEMO-4")
    async with factory() as uow:
        for outcome in ("helped", "helped", "not_it"):
            await uow.drafts.log_faq(user_id=1001, client_code="DEMO", query="как закрыть месяц",
                shown=[], outcome=outcome, now=day12,
            )  # fmt: skip
        # a ticket of December does not belong to November
    await step(datetime(2026, 12, 1, 10, 0, tzinfo=MSK), "create", p=1, c="incident")


@pytest.fixture
async def report(demo_uow_factory: UnitOfWorkFactory, tmp_path: Path) -> Report:
    await _story(demo_uow_factory, tmp_path)
    async with demo_uow_factory() as uow:
        return await build_report(uow, "DEMO", NOV, REPORT_TIME)


async def test_figures_count_targets_met_and_missed_per_priority(report: Report) -> None:
    by = {p.priority: p for p in report.figures.by_priority}
    assert report.tickets == 4
    assert (by[Priority.HIGH].reaction, by[Priority.HIGH].resolution) == (Met(1, 1), Met(0, 1))
    assert (by[Priority.MEDIUM].reaction, by[Priority.MEDIUM].resolution) == (Met(1, 2), Met(1, 2))
    assert (by[Priority.LOW].reaction, by[Priority.LOW].resolution) == (Met(1, 1), Met(0, 0))
    assert report.figures.by_category == {"incident": 1, "bug": 1, "integration": 1, "access": 1}
    assert report.totals == {"reaction": Met(3, 4), "resolution": Met(1, 3)}


async def test_each_breach_has_its_target_and_actual_time(report: Report) -> None:
    got = {
        (b.number, b.target): (b.target_minutes, b.actual_minutes) for b in report.figures.breaches
    }
    assert got[("DEMO-2", "reaction")] == (60, 90)
    assert got[("DEMO-2", "resolution")] == (480, 600)
    target, actual = got[("DEMO-3", "resolution")]
    assert target == 240
    assert actual is not None
    assert actual > 240
    assert report.figures.breach_count == 3


async def test_penalty_csat_and_faq_deflection(report: Report) -> None:
    assert report.penalty is not None
    assert report.penalty.breaches_percent == 5  # P2 3 % + two P3 at 1 %
    assert report.penalty.amount == 5000
    assert report.figures.csat == {5: 1, 3: 1}
    assert report.csat_average == 4.0
    assert report.figures.faq.helped == 2
    assert report.figures.faq.deflection == pytest.approx(100 * 2 / 6)
    consultants = {c.name: c for c in report.figures.consultants}
    assert sum(c.tickets for c in consultants.values()) == 4
    assert all(c.name in ("Анна Смирнова", "Борис Ким") for c in consultants.values())


async def test_html_shows_the_numbers_and_charts(report: Report) -> None:
    html = render_report(report, "html").decode("utf-8")
    assert "Отчёт об SLA · Демо" in html
    assert "ноябрь 2026" in html
    assert 'id="kpi-tickets">4<' in html
    assert 'id="kpi-reaction">75\u00a0%<' in html
    assert 'id="kpi-resolution">33,3\u00a0%<' in html
    assert 'id="kpi-penalty">5\u00a0000\u00a0₽<' in html
    assert "средняя оценка (2 оценки)" in html  # Russian plural, not «2 оценок»
    assert "DEMO-2" in html
    assert "1&nbsp;ч 30&nbsp;мин" in html
    assert html.count("<svg") == 4  # SLA, priorities, categories, ratings
    assert 'class="missed"' in html


async def test_xlsx_reopens_with_the_figures(report: Report) -> None:
    book = load_workbook(BytesIO(render_report(report, "xlsx")))
    assert book.sheetnames == [
        "Сводка",
        "Приоритеты",
        "Категории",
        "Нарушения",
        "Консультанты",
        "Оценки",
    ]
    summary = {
        row[0]: row[1] for row in book["Сводка"].iter_rows(values_only=True) if row and row[0]
    }
    assert summary["Заявок за период"] == 4
    assert summary["Реакция в срок, доля"] == 0.75
    assert summary["Удержание, ₽"] == 5000
    assert summary["Средняя оценка"] == 4.0
    rows = list(book["Нарушения"].iter_rows(values_only=True))
    assert rows[0][:5] == (
        "Заявка",
        "Приоритет",
        "Срок",
        "Норматив, раб. мин",
        "Фактически, раб. мин",
    )
    assert ("DEMO-2", 3, "реакция", 60, 90) in [r[:5] for r in rows[1:]]
    priorities = list(book["Приоритеты"].iter_rows(values_only=True))
    assert priorities[1][:5] == ("P2 · высокий", 1, 1, 1, 1.0)


async def test_the_cli_writes_the_report_and_refuses_bad_input(
    database: Database, report: Report, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = database.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "out" / "demo.xlsx"
    args = ["report", "--client", "demo", "--period", "2026-11", "--format", "xlsx"]
    assert await _run([*args, "--out", str(out), "--database-url", url]) == 0
    assert load_workbook(out)["Сводка"]["A1"].value == "Отчёт об SLA · Демо"
    assert "Заявок: 4" in capsys.readouterr().out
    bad = [
        "report",
        "--client",
        "DEMO",
        "--period",
        "ноябрь",
        "--out",
        str(out),
        "--database-url",
        url,
    ]
    assert await _run(bad) == 2
    assert "Неверный период" in capsys.readouterr().err
    missing = str(tmp_path / "x.html")
    unknown = ["report", "--client", "NOPE", "--period", "2026-11", "--out", missing,
               "--database-url", url]  # fmt: skip
    assert await _run(unknown) == 1
    assert "Нет клиента с кодом «NOPE»" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


async def _run(argv: list[str]) -> int:
    """The CLI runs its own event loop: run it in a thread from this async test."""
    import asyncio

    return await asyncio.to_thread(cli, argv)
