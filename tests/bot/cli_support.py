"""Helpers for the CLI tests: run ``supportdesk`` in-process, seed and poke the database."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.cli import main
from bot.services.actors import Actor
from bot.services.config import apply_config
from bot.services.tickets import TicketService
from desk.config import load_config
from desk.enums import Category, Priority
from desk.model import Ticket, User
from storage.database import Database
from storage.uow import UnitOfWorkFactory

ROOT = Path(__file__).parents[2]
DEMO_CONFIG = ROOT / "bot" / "demo_config.toml"
EXAMPLE_CONFIG = ROOT / "config.example.toml"


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    """``supportdesk ARGS`` in this process; argparse errors give code 2 as in a shell."""
    capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def sql(url: str, statement: str, **params: Any) -> list[tuple[Any, ...]]:
    """Run raw SQL (as an intruder or an inspector would) and return the rows."""

    async def go() -> list[tuple[Any, ...]]:
        database = await Database.open(url, check_schema=False)
        try:
            async with database.engine.begin() as conn:
                result = await conn.execute(text(statement), params)
                return [tuple(r) for r in result] if result.returns_rows else []
        finally:
            await database.close()

    return asyncio.run(go())


def seed_tickets(url: str, count: int, *, take: bool = False) -> list[Ticket]:
    """Bind user 1001 to DEMO and register ``count`` tickets (the demo config applied)."""

    async def go() -> list[Ticket]:
        database = await Database.open(url)
        service = TicketService()
        tickets = []
        try:
            async with database.uow() as uow:
                await uow.users.bind(User(1001, "DEMO", "Иван", datetime.now(UTC), "ivan"))
            for n in range(count):
                async with database.uow() as uow:
                    ticket = await service.create_ticket(
                        uow,
                        requester_id=1001,
                        subject=f"Не закрывается месяц, попытка {n + 1}",
                        text="Ошибка при закрытии месяца: расчёт себестоимости",
                        priority=Priority.HIGH,
                        category=Category.INCIDENT,
                    )
                    if take:
                        ticket = await service.take(uow, ticket.number, Actor.staff(2002))
                    tickets.append(ticket)
        finally:
            await database.close()
        return tickets

    return asyncio.run(go())


async def demo_managed_by(factory: UnitOfWorkFactory, manager: int, tmp_path: Path) -> None:
    """Apply the demo config with ``manager`` as the only manager of «Демо»."""
    config = tmp_path / "config.toml"
    config.write_text(
        DEMO_CONFIG.read_text(encoding="utf-8").replace(
            "managers = [1003]", f"managers = [{manager}]"
        ),
        encoding="utf-8",
    )
    async with factory() as uow:
        await apply_config(uow, load_config(config), source="c", now=datetime.now(UTC))
