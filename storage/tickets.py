"""Tickets: add, load (optionally locked for change), save, list, owners' load."""

from __future__ import annotations

import builtins
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from desk.enums import OPEN_STATUSES, Priority, Status
from desk.errors import NotFound
from desk.model import Ticket
from storage._dialect import Prebuilt
from storage._mapping import copy_ticket_to_row, ticket_from_row, ticket_values
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
_LOAD = Base.metadata.tables["owner_load"]
_STAFF = Base.metadata.tables["staff"]
_TEAM_LOAD = (
    select(_LOAD.c.owner_id, _LOAD.c.priority, _LOAD.c.open_count)
    .join(_STAFF, _STAFF.c.telegram_id == _LOAD.c.owner_id)
    .where(_STAFF.c.team == bindparam("p_team"), _LOAD.c.open_count > 0)
)


def _load_change(insert: Any) -> Any:
    return (
        insert(_LOAD)
        .values(
            owner_id=bindparam("p_owner"),
            priority=bindparam("p_priority"),
            open_count=bindparam("p_delta"),
        )
        .on_conflict_do_update(
            index_elements=[_LOAD.c.owner_id, _LOAD.c.priority],
            set_={"open_count": _LOAD.c.open_count + bindparam("p_delta")},
        )
    )


_CHANGE_LOAD = Prebuilt(_load_change)


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
        if ticket.status in OPEN_STATUSES:
            await self._change_load(ticket.owner_id, ticket.priority, +1)
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
        was = (row.owner_id, row.priority) if Status(row.status) in OPEN_STATUSES else None
        now_ = (ticket.owner_id, int(ticket.priority)) if ticket.status in OPEN_STATUSES else None
        if was != now_:
            # in key order, so two moves between the same owners cannot deadlock
            for (owner, priority), delta in sorted(
                [(k, d) for k, d in ((was, -1), (now_, +1)) if k is not None]
            ):
                await self._change_load(owner, Priority(priority), delta)
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

    async def team_load(self, team: str) -> dict[int, dict[Priority, int]]:
        """How many open tickets of each priority each member of ``team`` owns
        (for ``desk.assignment.load_of``); members with none are left out."""
        load: dict[int, dict[Priority, int]] = {}
        for owner, priority, count in await self._session.execute(_TEAM_LOAD, {"p_team": team}):
            load.setdefault(owner, {})[Priority(priority)] = count
        return load

    async def _change_load(self, owner_id: int, priority: Priority, delta: int) -> None:
        await self._session.execute(
            _CHANGE_LOAD.on(self._session),
            {"p_owner": owner_id, "p_priority": int(priority), "p_delta": delta},
        )

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
