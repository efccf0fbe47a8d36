"""The engine factory: SQLite pragmas, and a missing SQLite directory is created."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from storage.engine import SQLITE_BUSY_TIMEOUT_MS, create_engine


async def test_sqlite_runs_in_wal_with_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    """A SQLite file database gets WAL, a busy timeout and enforced foreign keys,
    and its directory is created when it does not exist yet."""
    path = tmp_path / "not" / "yet" / "there.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.connect() as conn:
            journal = await conn.scalar(text("PRAGMA journal_mode"))
            timeout = await conn.scalar(text("PRAGMA busy_timeout"))
            foreign_keys = await conn.scalar(text("PRAGMA foreign_keys"))
    finally:
        await engine.dispose()
    assert (journal, timeout, foreign_keys) == ("wal", SQLITE_BUSY_TIMEOUT_MS, 1)
    assert path.exists()
