"""One writer at a time in this process, for SQLite.

SQLite lets one transaction write at a time; the others wait in SQLite's busy
handler, which sleeps in growing steps (up to 100 ms) and so wastes most of
the time under load.  Queuing the transactions of one process on an asyncio
lock instead hands the database over the moment it is free.  PostgreSQL needs
none of this (``serialized`` returns the factory unchanged).

Since the transactions of this process then never overlap, the factory also
keeps ``WriterHints`` (the audit head, the round-robin cursors), which spare
a read of those rows in every registration.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from storage._hints import WriterHints
from storage.engine import is_sqlite
from storage.uow import UnitOfWork, UnitOfWorkFactory


class SerializedUnitOfWorkFactory(UnitOfWorkFactory):
    """A unit-of-work factory whose transactions run one after another."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        self._lock = asyncio.Lock()
        self._writer_hints = WriterHints()

    def _hints(self) -> WriterHints | None:
        return self._writer_hints

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[UnitOfWork]:
        async with self._lock, super().__call__() as uow:
            yield uow


def serialized(engine: AsyncEngine) -> UnitOfWorkFactory:
    """The unit-of-work factory for ``engine``: queued on SQLite, plain on PostgreSQL."""
    if is_sqlite(engine.url):
        return SerializedUnitOfWorkFactory(engine)
    return UnitOfWorkFactory(engine)
