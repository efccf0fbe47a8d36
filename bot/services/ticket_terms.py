"""What a ticket's SLA counts on, read from a directory cached per config version."""

from __future__ import annotations

from dataclasses import dataclass

from desk import sla
from desk.clock import BusinessClock, clock_of
from desk.config import DeskConfig
from desk.enums import Priority
from desk.errors import NotFound
from desk.model import Client, Contract, SlaTarget, Ticket
from desk.numbering import BadTicketNumber, format_number, parse_number
from storage.uow import UnitOfWork

TicketRef = int | str  # a ticket id or number


@dataclass(frozen=True)
class Terms:
    """A client, its contract and the contract schedule's clock."""

    config: DeskConfig
    client: Client
    contract: Contract
    clock: BusinessClock

    def target(self, priority: Priority) -> SlaTarget:
        target = self.contract.targets.get(priority)
        if target is None:
            target = sla.default_targets(self.clock.day_minutes)[priority]
        return target

    def clock_for(self, priority: Priority) -> BusinessClock:
        """The clock ``priority``'s targets count on (24/7 for round-the-clock ones)."""
        return sla.clock_for(self.target(priority), self.clock)


class DirectoryCache:
    """The directory as of a transaction, re-read only when the config changed.

    ``config apply`` audits every change, so the newest config event names the
    directory's version: one cheap query instead of reading clients, contracts,
    schedules, teams and staff on every registration.
    """

    def __init__(self) -> None:
        self._cached: tuple[int | None, DeskConfig] | None = None

    async def directory(self, uow: UnitOfWork) -> DeskConfig:
        version = await uow.directory.version()
        if self._cached is None or self._cached[0] != version:
            self._cached = (version, await uow.directory.load())
        return self._cached[1]

    async def terms(self, uow: UnitOfWork, client_code: str) -> Terms:
        config = await self.directory(uow)
        client = config.clients.get(client_code)
        if client is None:
            raise NotFound(f"client {client_code}")
        contract = config.contracts[client.contract]
        return Terms(config, client, contract, clock_of(config.schedules[contract.schedule]))


async def find_ticket(uow: UnitOfWork, ref: TicketRef, *, for_update: bool) -> Ticket:
    """The ticket with id ``ref`` or number ``ref`` (any case); ``NotFound`` if none."""
    if isinstance(ref, int):
        return await uow.tickets.get_by_id(ref, for_update=for_update)
    try:
        code, n = parse_number(ref)
    except BadTicketNumber as exc:
        raise NotFound(f"ticket {ref!r}") from exc
    return await uow.tickets.get(format_number(code, n), for_update=for_update)
