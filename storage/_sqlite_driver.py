"""SQLite through aiosqlite with one thread hop per statement.

SQLAlchemy's stock aiosqlite adapter makes four trips to aiosqlite's worker
thread for every statement (open a cursor, execute, fetch, close); each trip
costs an event-loop wake-up and two thread switches, which on a busy 2-core
machine is most of the time a ticket registration takes. This adapter runs
the four steps as one function on the worker thread. Everything else
(transactions, pooling, the dialect) is SQLAlchemy's own.

It also folds a transaction's ``BEGIN IMMEDIATE`` into the hop of its first
statement (``begin_later``), and a transaction that ran no statement commits
or rolls back without a hop at all.

``storage.engine.create_engine`` uses it for ``sqlite+aiosqlite://`` URLs.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from threading import Thread
from typing import Any

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

_Outcome = tuple[Any, int, int | None, list[Any] | None]


def _run(
    conn: sqlite3.Connection, operation: str, parameters: Any, many: bool, begin: bool
) -> _Outcome:
    """On the worker thread: begin if due, execute, fetch everything, close the cursor."""
    if begin:
        conn.execute("BEGIN IMMEDIATE")
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else None
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statements each take a single thread hop."""

    __slots__ = ("_outcome",)

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No cursor is opened up front (the stock adapter spends a hop on it).
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = deque()
        self._outcome: _Outcome = (None, -1, None, None)

    @property
    def description(self) -> Any:
        return self._outcome[0]

    @property
    def rowcount(self) -> int:
        return self._outcome[1]

    @property
    def lastrowid(self) -> Any:
        return self._outcome[2]

    async def _async_soft_close(self) -> None:
        return None

    def close(self) -> None:
        self._rows.clear()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._hop(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._hop(operation, seq_of_parameters, many=True)

    async def _hop(self, operation: Any, parameters: Any, *, many: bool) -> None:
        connection: Any = self._connection  # an aiosqlite.Connection
        adapt: OneHopConnection = self._adapt_connection  # type: ignore[assignment]
        async with adapt._execute_mutex:
            begin, adapt.begin_pending = adapt.begin_pending, False
            self._outcome = await connection._execute(
                _run, connection._conn, operation, parameters, many, begin
            )
        rows = self._outcome[3]
        self._rows = deque(rows) if rows is not None else deque()


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("begin_pending",)
    _cursor_cls = OneHopCursor  # type: ignore[assignment]

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.begin_pending = False  # BEGIN IMMEDIATE goes with the next statement

    def begin_later(self) -> None:
        self.begin_pending = True

    def commit(self) -> None:
        if self.begin_pending:  # no statement ran: there is no transaction to end
            self.begin_pending = False
            return
        super().commit()

    def rollback(self) -> None:
        if self.begin_pending:
            self.begin_pending = False
            return
        super().rollback()


class OneHopDbapi(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        connection = self.aiosqlite.connect(*arg, **kw)
        # As SQLAlchemy does: the worker thread must not keep the process alive
        # (before aiosqlite 0.22 the connection was itself the thread).
        thread = connection if isinstance(connection, Thread) else connection._thread
        thread.daemon = True
        return OneHopConnection(self, await_(connection))


class OneHopDialect(SQLiteDialect_aiosqlite):
    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls) -> OneHopDbapi:
        return OneHopDbapi(__import__("aiosqlite"), __import__("sqlite3"))


def register() -> None:
    """Make ``sqlite+onehop://`` URLs use this adapter."""
    registry.register("sqlite.onehop", "storage._sqlite_driver", "OneHopDialect")
