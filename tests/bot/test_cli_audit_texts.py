"""``supportdesk audit show`` in Russian: event and field names, values, known reasons."""

from __future__ import annotations

import asyncio

import pytest

from bot.services.actors import Actor
from bot.services.tickets import TicketService
from storage.database import Database
from tests.bot.cli_support import DEMO_CONFIG, run_cli, seed_tickets


def _resolve_and_confirm(url: str) -> None:
    async def go() -> None:
        database = await Database.open(url)
        service = TicketService()
        try:
            async with database.uow() as uow:
                await service.resolve(uow, "DEMO-1", Actor.staff(2002))
                await service.close(uow, "DEMO-1", Actor.user(1001), "confirmed by the user")
        finally:
            await database.close()

    asyncio.run(go())


def test_show_speaks_russian(capsys: pytest.CaptureFixture[str], migrated_url: str) -> None:
    """Events, statuses, categories and the product's reasons are named in Russian; the
    header says which clock the times are on."""
    run_cli(capsys, "config", "apply", str(DEMO_CONFIG), "--database-url", migrated_url)
    seed_tickets(migrated_url, 1, take=True)
    _resolve_and_confirm(migrated_url)
    result = run_cli(capsys, "audit", "show", "DEMO-1", "--database-url", migrated_url)
    assert result.code == 0
    out = result.out
    assert out.splitlines()[0].startswith("Время — в часовом поясе клиента заявки")
    assert "DEMO-1: создана P2, инцидент, ответственный [" in out
    assert "DEMO-1: статус новая → в работе" in out
    assert "DEMO-1: статус решена → закрыта (клиент подтвердил решение)" in out
    assert " МСК user:1001 DEMO-1" in out
    for raw in ("created", "in_progress", "confirmed by the user", "incident"):
        assert raw not in out
