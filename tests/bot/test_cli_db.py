"""``supportdesk db upgrade|status`` and what commands say about an unprepared database."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.migrate import head_revision
from tests.bot.cli_support import run_cli


def test_upgrade_creates_the_sqlite_file_and_its_directory(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """On a fresh machine ``db upgrade`` makes var/…sqlite3 and brings it to the head;
    a second run says it is already current."""
    path = tmp_path / "var" / "supportdesk.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    first = run_cli(capsys, "db", "upgrade", "--database-url", url)
    second = run_cli(capsys, "db", "upgrade", "--database-url", url)
    status = run_cli(capsys, "db", "status", "--database-url", url)
    assert first.code == 0
    assert path.exists()
    assert f"пустая → {head_revision()}" in first.out
    assert "уже в актуальной версии" in second.out
    assert (status.code, "актуально" in status.out) == (0, True)


def test_upgrade_works_on_each_backend(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    """``db upgrade`` takes an empty SQLite or PostgreSQL database to the head."""
    result = run_cli(capsys, "db", "upgrade", "--database-url", db_url)
    assert result.code == 0, result.err
    assert run_cli(capsys, "db", "status", "--database-url", db_url).code == 0


@pytest.mark.parametrize(
    "command", [("ticket", "list"), ("audit", "verify"), ("config", "apply", "config.example.toml")]
)
def test_a_database_not_upgraded_says_what_to_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: tuple[str, ...]
) -> None:
    """Commands on a database that was never upgraded exit 1 and name `supportdesk db upgrade`."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}"
    root = Path(__file__).parents[2]
    args = [str(root / a) if a.endswith(".toml") else a for a in command]
    result = run_cli(capsys, *args, "--database-url", url)
    assert result.code == 1
    assert "supportdesk db upgrade" in result.err


def test_an_unreachable_server_is_explained(capsys: pytest.CaptureFixture[str]) -> None:
    """A PostgreSQL that does not answer gives a clear message without the password."""
    url = "postgresql+asyncpg://admin:s3cret@127.0.0.1:1/supportdesk"
    result = run_cli(capsys, "ticket", "list", "--database-url", url)
    assert result.code == 1
    assert "Не удалось подключиться" in result.err
    assert "s3cret" not in result.err
