"""The engine factory: SQLite (WAL, busy timeout, BEGIN IMMEDIATE) or PostgreSQL (asyncpg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage import _sqlite_driver as sqlite_driver

# How long a SQLite writer waits for another one before giving up, in ms.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str | URL) -> Path | None:
    """The database file of a SQLite URL (None for in-memory databases)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


# ``?driver=`` on a ``sqlite+aiosqlite://`` URL: ours (the default) or SQLAlchemy's own.
SQLITE_DRIVERS = ("onehop", "stock")


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An engine for ``url``; for a SQLite file its directory is created if missing.

    ``sqlite+aiosqlite://`` runs on ``storage._sqlite_driver`` (aiosqlite with
    one thread hop per statement); with ``?driver=stock`` on SQLAlchemy's own
    aiosqlite adapter (the same tuning, four hops a statement).  The stock
    adapter is the fallback should a release of SQLAlchemy or aiosqlite
    break ours; CI runs the storage tests on both."""
    if is_sqlite(url):
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        parsed = make_url(url)
        driver = parsed.query.get("driver", "onehop")
        if driver not in SQLITE_DRIVERS:
            raise ValueError(
                f"unknown SQLite driver {driver!r}: one of {', '.join(SQLITE_DRIVERS)}"
            )
        parsed = parsed.difference_update_query(["driver"])
        if parsed.drivername == "sqlite+aiosqlite" and driver == "onehop":
            sqlite_driver.register()
            parsed = parsed.set(drivername="sqlite+onehop")
        # The pool's rollback on every return is a thread hop even after a
        # commit; ``_tune_sqlite`` rolls back only a connection left in a transaction.
        engine = create_async_engine(parsed, echo=echo, pool_reset_on_return=None)
        _tune_sqlite(engine)
        return engine
    return create_async_engine(url, echo=echo, pool_size=10, max_overflow=50)


def _tune_sqlite(engine: AsyncEngine) -> None:
    """WAL, a busy timeout, foreign keys, and transactions that take the write
    lock at BEGIN, so two writers queue on the busy timeout instead of one of
    them failing when it upgrades a read lock. The connections are
    ``storage._sqlite_driver``'s (aiosqlite is the one async SQLite driver)."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    if isinstance(engine.dialect, sqlite_driver.OneHopDialect):

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(connection: Any) -> None:
            # sent with the transaction's first statement, in its thread hop
            connection.connection.dbapi_connection.begin_later()

        @event.listens_for(engine.sync_engine, "reset")
        def _on_reset(dbapi_connection: Any, _record: Any, state: Any) -> None:
            # sqlite3's in_transaction reads SQLite's autocommit flag: no thread hop.
            dbapi_connection.begin_pending = False
            if state.asyncio_safe and dbapi_connection._connection._conn.in_transaction:
                dbapi_connection.rollback()

        return

    @event.listens_for(engine.sync_engine, "begin")
    def _on_stock_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine.sync_engine, "reset")
    def _on_stock_reset(dbapi_connection: Any, _record: Any, state: Any) -> None:
        if state.asyncio_safe:
            dbapi_connection.rollback()
