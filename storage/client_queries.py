"""What a client's own view reads: that client's tickets only.

Every query takes the client code and filters by it in SQL; a ticket is
returned only if it belongs to the client asked for.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from desk.enums import OPEN_STATUSES, Status
from desk.model import Ticket
from storage._mapping import ticket_from_row
from storage.tables import TicketRow

_OPEN = sorted(s.value for s in OPEN_STATUSES)
OPEN = "open"  # a status filter: every open status
SEARCH_DEPTH = 5000  # newest tickets a text search looks through


class ClientQueriesRepository:
    """Client queries: what the unit of work offers as ``uow.client_queries``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def client_tickets(
        self,
        client_code: str,
        *,
        status: str | None = None,
        priority: int | None = None,
        text: str | None = None,
        limit: int = 200,
    ) -> list[Ticket]:
        """The client's tickets, newest first; ``status`` is a ``Status`` value or
        ``"open"``; ``text`` matches the number or the subject (case-insensitive)."""
        query = select(TicketRow).where(TicketRow.client_code == client_code)
        if status == OPEN:
            query = query.where(TicketRow.status.in_(_OPEN))
        elif status:
            query = query.where(TicketRow.status == Status(status).value)
        if priority is not None:
            query = query.where(TicketRow.priority == priority)
        if not text:
            rows = await self._session.scalars(query.order_by(TicketRow.id.desc()).limit(limit))
            return [ticket_from_row(row) for row in rows]
        # SQLite's lower() knows only Latin letters: match Cyrillic case-insensitively here,
        # over the client's newest tickets.
        needle = text.casefold()
        rows = await self._session.scalars(query.order_by(TicketRow.id.desc()).limit(SEARCH_DEPTH))
        found = [r for r in rows if needle in r.number.casefold() or needle in r.subject.casefold()]
        return [ticket_from_row(row) for row in found[:limit]]

    async def client_ticket(self, client_code: str, number: str) -> Ticket | None:
        """The ticket ``number`` if it is this client's; None otherwise."""
        row = await self._session.scalar(
            select(TicketRow).where(
                TicketRow.number == number.upper(), TicketRow.client_code == client_code
            )
        )
        return None if row is None else ticket_from_row(row)
