"""``supportdesk audit show`` in Russian: event and field names, values, known reasons."""

from __future__ import annotations

import asyncio
from pathlib import Path

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
    assert "DEMO-1: создана P2, инцидент, ответственный " in out
    assert "DEMO-1: статус новая → в работе" in out
    assert "DEMO-1: статус решена → закрыта (клиент подтвердил решение)" in out
    assert " МСК user:1001 DEMO-1" in out
    for raw in ("created", "in_progress", "confirmed by the user", "incident"):
        assert raw not in out


def _reassign(url: str) -> tuple[int, int]:
    """Consultant 2001 hands DEMO-1 to the other consultant: (old owner, new owner)."""

    async def go() -> tuple[int, int]:
        database = await Database.open(url)
        service = TicketService()
        try:
            async with database.uow() as uow:
                before = (await service.get(uow, "DEMO-1")).owner_id
                other = 2002 if before == 2001 else 2001
                await service.assign(uow, "DEMO-1", Actor.staff(2001), other)
                return before, other
        finally:
            await database.close()

    return asyncio.run(go())


def test_show_names_owners_and_sums_up_config_changes(
    capsys: pytest.CaptureFixture[str], migrated_url: str, tmp_path: Path
) -> None:
    """Owners read as «name (id)» from the directory; a config event says which record
    was added or which of its fields changed, not its JSON (``--full`` adds the JSON)."""
    names = {2001: "Анна Смирнова", 2002: "Борис Ким"}
    run_cli(capsys, "config", "apply", str(DEMO_CONFIG), "--database-url", migrated_url)
    seed_tickets(migrated_url, 1)
    before, after = _reassign(migrated_url)
    changed = tmp_path / "desk.toml"
    text = DEMO_CONFIG.read_text(encoding="utf-8").replace("duty = 2001", "duty = 2002")
    changed.write_text(text.replace('username = "anna"', 'username = "anna_1c"'), "utf-8")
    run_cli(capsys, "config", "apply", str(changed), "--database-url", migrated_url)

    out = run_cli(capsys, "audit", "show", "--database-url", migrated_url).out
    assert f"ответственный {names[before]} ({before}) → {names[after]} ({after})" in out
    assert f", ответственный {names[before]} ({before})" in out  # the created event
    assert "настройка: клиент DEMO — добавлено" in out
    assert "настройка: команда demo — изменено: дежурный" in out
    assert "настройка: сотрудник Анна Смирнова (2001) — изменено: username" in out
    assert "{" not in out
    assert "[200" not in out  # the raw ids of old

    full = run_cli(capsys, "audit", "show", "--full", "--database-url", migrated_url).out
    assert '  стало: {"chat_id": -1001000000001, "duty": 2002' in full
    assert "настройка: команда demo — изменено: дежурный" in full
