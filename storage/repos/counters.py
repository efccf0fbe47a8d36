"""Per-client ticket counters and per-team round-robin cursors.

A number is taken with one ``UPDATE ... RETURNING`` on the client's counter
row: the row stays locked until the transaction ends, so concurrent creators
of the same client queue there and no number is given twice; a rolled-back
transaction gives its number back unseen, a committed one never reuses it.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from desk.errors import NotFound
from storage.tables import AssignmentCursorRow, TicketCounterRow


class CounterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def next_number(self, client_code: str) -> int:
        number: int | None = await self._session.scalar(
            update(TicketCounterRow)
            .where(TicketCounterRow.client_code == client_code)
            .values(last_number=TicketCounterRow.last_number + 1)
            .returning(TicketCounterRow.last_number)
        )
        if number is None:
            raise NotFound(f"ticket counter of client {client_code}")
        return number

    async def last_assigned(self, team: str) -> int | None:
        """The team's round-robin cursor, locked until the transaction ends."""
        row = await self._session.scalar(
            select(AssignmentCursorRow).where(AssignmentCursorRow.team == team).with_for_update()
        )
        return None if row is None else row.last_assigned

    async def set_last_assigned(self, team: str, telegram_id: int) -> None:
        await self._session.execute(
            update(AssignmentCursorRow)
            .where(AssignmentCursorRow.team == team)
            .values(last_assigned=telegram_id)
        )
