"""The engine factory: SQLite pragmas, and a missing SQLite directory is created."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

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


async def test_sqlite_statements_report_rows_counts_and_returning(tmp_path: Path) -> None:
    """The one-hop SQLite adapter gives what SQLAlchemy relies on: fetched rows,
    UPDATE row counts, RETURNING values, executemany and streaming."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
            await conn.execute(text("INSERT INTO t (v) VALUES (:v)"), [{"v": "a"}, {"v": "b"}])
            updated = await conn.execute(text("UPDATE t SET v = 'c' WHERE v != 'z'"))
            returned = await conn.scalar(text("INSERT INTO t (v) VALUES ('d') RETURNING id"))
            rows = (await conn.execute(text("SELECT id, v FROM t ORDER BY id"))).all()
            streamed = [row async for row in await conn.stream(text("SELECT v FROM t"))]
    finally:
        await engine.dispose()
    assert engine.dialect.driver == "aiosqlite"
    assert updated.rowcount == 2
    assert returned == 3
    assert [tuple(r) for r in rows] == [(1, "c"), (2, "c"), (3, "d")]
    assert len(streamed) == 3


async def test_sqlite_transaction_holds_the_write_lock_from_its_first_statement(
    tmp_path: Path,
) -> None:
    """BEGIN IMMEDIATE travels with a transaction's first statement: once that has
    run, another writer cannot start; after commit it can; a failed first
    statement leaves the connection usable."""
    path = tmp_path / "lock.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (x INTEGER)"))
        async with engine.begin() as conn:
            await conn.execute(text("SELECT count(*) FROM t"))  # a read, yet the lock is taken
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        with pytest.raises(DBAPIError):
            async with engine.begin() as conn:
                await conn.execute(text("SELECT * FROM missing_table"))
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO t VALUES (1)"))
        assert other.execute("SELECT count(*) FROM t").fetchone() == (1,)
    finally:
        other.close()
        await engine.dispose()
