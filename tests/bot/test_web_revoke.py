"""Revoking a manager's client-page links without a new secret: the manager
with /revoke in the chat, staff with ``supportdesk links revoke``; both
recorded in the audit trail."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.compose import App
from tests.bot.cli_support import DEMO_CONFIG, demo_managed_by, run_cli, sql
from tests.e2e.conftest import desk, desk_app, faq_dir, flood_limits, knowledge, product, sandbox
from tests.e2e.desk import USER, Desk, text_of
from tests.sandbox.fixtures import seeded_sandbox

__all__ = [
    "desk",
    "desk_app",
    "faq_dir",
    "flood_limits",
    "knowledge",
    "product",
    "sandbox",
    "seeded_sandbox",
]


def test_staff_revoke_a_managers_links_from_the_cli(
    capsys: pytest.CaptureFixture[str], migrated_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        DEMO_CONFIG.read_text(encoding="utf-8").replace("managers = [1003]", "managers = [5001]"),
        encoding="utf-8",
    )
    run_cli(capsys, "config", "apply", str(config), "--database-url", migrated_url)
    result = run_cli(
        capsys, "links", "revoke", "--client", "demo", "--manager", "5001", "--by", "2001",
        "--database-url", migrated_url,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "«Демо» (DEMO), выданные менеджеру 5001, отозваны" in result.out
    assert "не менеджер" not in result.out
    [(revoked_by,)] = sql(
        migrated_url, "SELECT revoked_by FROM link_revocations WHERE client_code = 'DEMO'"
    )
    assert revoked_by == 2001
    shown = run_cli(capsys, "audit", "show", "--database-url", migrated_url)
    assert "staff:2001: client links revoked" in shown.out
    assert '"manager": 5001' in shown.out
    unknown = run_cli(
        capsys, "links", "revoke", "--client", "NOPE", "--manager", "5001",
        "--database-url", migrated_url,
    )  # fmt: skip
    assert unknown.code == 1
    assert "Нет клиента с кодом «NOPE»" in unknown.err


async def test_a_manager_revokes_their_links_with_revoke(
    desk: Desk, desk_app: App, tmp_path: Path
) -> None:
    await demo_managed_by(desk_app.db.uow, USER, tmp_path)
    await desk.say(USER, USER, "/revoke")
    reply = await desk.bot_says(USER, "отозваны")
    assert "Ссылки на страницу «Демо», выданные вам до этой минуты, отозваны" in text_of(reply)
    assert "/tickets" in text_of(reply)
    async with desk_app.db.uow() as uow:
        [event] = [e for e in await uow.audit.latest(5) if e.what == "client links revoked"]
    assert event.actor == f"user:{USER}"


async def test_someone_who_manages_nothing_cannot_revoke(desk: Desk) -> None:
    await desk.say(USER, USER, "/revoke")
    await desk.bot_says(USER, "для менеджеров компаний-клиентов")
