"""The unit of work: one session, one transaction.

    async with uow_factory() as uow:
        ticket = await uow.tickets.load(ticket_id)
        await uow.messaging.add_link(...)

Every repository of the package is here, named as its module
(``storage/<name>.py`` → ``uow.<name>``). Leaving the block commits; an
exception rolls everything back. Repositories never commit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage._hints import WriterHints
from storage.alerts import AlertsRepository
from storage.audit import AuditRepository
from storage.bad_updates import BadUpdatesRepository
from storage.catalogue import CatalogueRepository
from storage.channels import ChannelsRepository
from storage.client_queries import ClientQueriesRepository
from storage.counters import CounterRepository
from storage.directory import DirectoryRepository
from storage.drafts import DraftsRepository
from storage.health import HealthRepository
from storage.incidents import IncidentsRepository
from storage.leases import LeasesRepository
from storage.links import LinksRepository
from storage.messaging import MessagingRepository
from storage.ops import OpsRepository
from storage.outbox import OutboxRepository
from storage.outsiders import OutsidersRepository
from storage.rebind import RebindRepository
from storage.report_files import ReportFilesRepository
from storage.report_queries import ReportQueriesRepository
from storage.surveys import SurveysRepository
from storage.tickets import TicketRepository
from storage.users import UserRepository

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
        self.alerts = AlertsRepository(session)
        self.bad_updates = BadUpdatesRepository(session)
        self.catalogue = CatalogueRepository(session)
        self.channels = ChannelsRepository(session)
        self.client_queries = ClientQueriesRepository(session)
        self.drafts = DraftsRepository(session)
        self.health = HealthRepository(session)
        self.incidents = IncidentsRepository(session)
        self.leases = LeasesRepository(session)
        self.links = LinksRepository(session)
        self.messaging = MessagingRepository(session)
        self.ops = OpsRepository(session)
        self.outbox = OutboxRepository(session)
        self.outsiders = OutsidersRepository(session)
        self.rebind = RebindRepository(session)
        self.report_files = ReportFilesRepository(session)
        self.report_queries = ReportQueriesRepository(session)
        self.surveys = SurveysRepository(session)


class UnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    def _hints(self) -> WriterHints | None:
        return None

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[UnitOfWork]:
        async with self._sessions() as session, session.begin():
            yield UnitOfWork(session, self._hints())
