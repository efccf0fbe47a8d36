"""Tickets: add, load (optionally locked for change), save, list, owners' load."""

from __future__ import annotations

import builtins
from collections.abc import Collection
from dataclasses import replace
from datetime import datetime

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from desk.enums import OPEN_STATUSES, Priority, Status
from desk.errors import NotFound
from desk.model import Ticket
from storage.mapping import copy_ticket_to_row, ticket_from_row, ticket_values
from storage.tables import Base, TicketRow

_OPEN = sorted(s.value for s in OPEN_STATUSES)

# Statements on the registration path are built once (building one costs more
# than running it).
_TICKETS = Base.metadata.tables["tickets"]
_INSERT = insert(_TICKETS).returning(_TICKETS.c.id)
_OPEN_LOAD = (
    select(_TICKETS.c.owner_id, _TICKETS.c.priority, func.count())
    .where(
        _TICKETS.c.owner_id.in_(bindparam("owners", expanding=True)),
        _TICKETS.c.status.in_(_OPEN),
    )
    .group_by(_TICKETS.c.owner_id, _TICKETS.c.priority)
)


class TicketRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, ticket: Ticket, now: datetime) -> Ticket:
        """Insert ``ticket`` (its number already taken) and return it with its id."""
        values = ticket_values(ticket)
        values.update(
            number=ticket.number,
            client_code=ticket.client_code,
            created_at=ticket.created_at,
            updated_at=now,
        )
        ticket_id = await self._session.scalar(_INSERT, values)
        return replace(ticket, id=ticket_id)

    async def get(self, number: str, *, for_update: bool = False) -> Ticket:
        """The ticket ``number``; ``for_update`` locks it until the transaction ends."""
        return ticket_from_row(await self._row(TicketRow.number == number, number, for_update))

    async def get_by_id(self, ticket_id: int, *, for_update: bool = False) -> Ticket:
        return ticket_from_row(await self._row(TicketRow.id == ticket_id, ticket_id, for_update))

    async def save(self, ticket: Ticket, now: datetime) -> None:
        """Write back a ticket loaded in this transaction."""
        if ticket.id is None:
            raise ValueError("save() needs a ticket that was added first")
        row = await self._session.get(TicketRow, ticket.id)
        if row is None:
            raise NotFound(f"ticket {ticket.number}")
        copy_ticket_to_row(ticket, row)
        row.updated_at = now
        await self._session.flush()

    async def list(
        self,
        *,
        client_code: str | None = None,
        status: Status | None = None,
        requester_id: int | None = None,
        open_only: bool = False,
        limit: int = 100,
    ) -> builtins.list[Ticket]:
        """Newest first."""
        query = select(TicketRow).order_by(TicketRow.id.desc()).limit(limit)
        if client_code is not None:
            query = query.where(TicketRow.client_code == client_code)
        if status is not None:
            query = query.where(TicketRow.status == status.value)
        if requester_id is not None:
            query = query.where(TicketRow.requester_id == requester_id)
        if open_only:
            query = query.where(TicketRow.status.in_(_OPEN))
        return [ticket_from_row(r) for r in await self._session.scalars(query)]

    async def open_counts(self, owner_ids: Collection[int]) -> dict[int, dict[Priority, int]]:
        """How many open tickets of each priority each owner has (for
        ``desk.assignment.load_of``)."""
        if not owner_ids:
            return {}
        load: dict[int, dict[Priority, int]] = {owner: {} for owner in owner_ids}
        rows = await self._session.execute(_OPEN_LOAD, {"owners": list(owner_ids)})
        for owner, priority, count in rows:
            load[owner][Priority(priority)] = count
        return load

    async def _row(self, where: object, key: object, for_update: bool) -> TicketRow:
        query = select(TicketRow).where(where)  # type: ignore[arg-type]
        if for_update:
            query = query.with_for_update()
        row = await self._session.scalar(query)
        if row is None:
            raise NotFound(f"ticket {key}")
        return row
