"""Tickets: add, load (optionally locked for change), save, list, owners' load."""

from __future__ import annotations

import builtins
from collections.abc import Collection
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Select, bindparam, func, insert, select
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
_BY_ID = (
    select(TicketRow).where(TicketRow.id == bindparam("p_key")),
    select(TicketRow).where(TicketRow.id == bindparam("p_key")).with_for_update(),
)
_BY_NUMBER = (
    select(TicketRow).where(TicketRow.number == bindparam("p_key")),
    select(TicketRow).where(TicketRow.number == bindparam("p_key")).with_for_update(),
)
_OPEN_OF = (
    select(TicketRow)
    .where(TicketRow.requester_id == bindparam("p_requester"), TicketRow.status.in_(_OPEN))
    .order_by(TicketRow.id.desc())
    .limit(bindparam("p_limit"))
)
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
        return ticket_from_row(await self._row(_BY_NUMBER, number, for_update))

    async def get_by_id(self, ticket_id: int, *, for_update: bool = False) -> Ticket:
        return ticket_from_row(await self._row(_BY_ID, ticket_id, for_update))

    async def open_of(self, requester_id: int, limit: int = 10) -> builtins.list[Ticket]:
        """A user's open tickets, newest first (asked on every message a user writes)."""
        rows = await self._session.scalars(
            _OPEN_OF, {"p_requester": requester_id, "p_limit": limit}
        )
        return [ticket_from_row(r) for r in rows]

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

    async def _row(
        self,
        queries: tuple[Select[TicketRow], Select[TicketRow]],
        key: object,
        for_update: bool,
    ) -> TicketRow:
        row = await self._session.scalar(queries[for_update], {"p_key": key})
        if row is None:
            raise NotFound(f"ticket {key}")
        return row
