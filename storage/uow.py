"""The unit of work: one session, one transaction.

    async with uow_factory() as uow:
        ...  # repositories: uow.tickets, uow.audit, uow.directory, uow.users, uow.counters

Leaving the block commits; an exception rolls everything back. Repositories
never commit. Other parts add their own repositories over ``uow.session``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.hints import WriterHints
from storage.repos.audit import AuditRepository
from storage.repos.counters import CounterRepository
from storage.repos.directory import DirectoryRepository
from storage.repos.tickets import TicketRepository
from storage.repos.users import UserRepository

# The session a unit of work holds, as the layers above name it (they import
# no SQLAlchemy themselves; ARCHITECTURE.md).
Session = AsyncSession


class UnitOfWork:
    def __init__(self, session: AsyncSession, hints: WriterHints | None = None) -> None:
        self.session = session
        self.directory = DirectoryRepository(session)
        self.tickets = TicketRepository(session)
        self.audit = AuditRepository(session, hints)
        self.users = UserRepository(session)
        self.counters = CounterRepository(session, hints)


class UnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    def _hints(self) -> WriterHints | None:
        return None

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[UnitOfWork]:
        async with self._sessions() as session, session.begin():
            yield UnitOfWork(session, self._hints())
