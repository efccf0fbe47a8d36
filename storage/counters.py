"""Per-client ticket counters and per-team round-robin cursors.

A number is taken with one ``UPDATE ... RETURNING`` on the client's counter
row: the row stays locked until the transaction ends, so concurrent creators
of the same client queue there and no number is given twice; a rolled-back
transaction gives its number back unseen, a committed one never reuses it.

A cursor moves in ``advance_cursor``: read locked, choose, write. With
``WriterHints`` the read is skipped: the choice is made on the remembered
value and written only where the row still holds it; otherwise it is read
and the choice made again.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import CursorResult, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from desk.errors import NotFound
from storage._hints import WriterHints
from storage.tables import Base

_COUNTERS = Base.metadata.tables["ticket_counters"]
_CURSORS = Base.metadata.tables["assignment_cursors"]
_NEXT = (
    update(_COUNTERS)
    .where(_COUNTERS.c.client_code == bindparam("p_client"))
    .values(last_number=_COUNTERS.c.last_number + 1)
    .returning(_COUNTERS.c.last_number)
)
_LAST = (
    select(_CURSORS.c.last_assigned).where(_CURSORS.c.team == bindparam("p_team")).with_for_update()
)
_SET_LAST = (
    update(_CURSORS)
    .where(_CURSORS.c.team == bindparam("p_team"))
    .values(last_assigned=bindparam("p_owner"))
)
_SET_LAST_IF = _SET_LAST.where(_CURSORS.c.last_assigned.is_not_distinct_from(bindparam("p_seen")))


class CounterRepository:
    def __init__(self, session: AsyncSession, hints: WriterHints | None = None) -> None:
        self._session = session
        self._hints = hints

    async def next_number(self, client_code: str) -> int:
        number: int | None = await self._session.scalar(_NEXT, {"p_client": client_code})
        if number is None:
            raise NotFound(f"ticket counter of client {client_code}")
        return number

    async def last_assigned(self, team: str) -> int | None:
        """The team's round-robin cursor, locked until the transaction ends."""
        last: int | None = await self._session.scalar(_LAST, {"p_team": team})
        return last

    async def set_last_assigned(self, team: str, telegram_id: int) -> None:
        await self._session.execute(_SET_LAST, {"p_team": team, "p_owner": telegram_id})

    async def advance_cursor(self, team: str, choose: Callable[[int | None], int]) -> int:
        """Move the team's round-robin cursor to ``choose(last assigned)``; return it."""
        hints = self._hints
        if hints is not None and team in hints.cursors:
            seen = hints.cursors[team]
            chosen = choose(seen)
            result: CursorResult[object] = await self._session.execute(  # type: ignore[assignment]
                _SET_LAST_IF, {"p_team": team, "p_owner": chosen, "p_seen": seen}
            )
            if result.rowcount == 1:
                hints.cursors[team] = chosen
                return chosen
        chosen = choose(await self.last_assigned(team))
        await self.set_last_assigned(team, chosen)
        if hints is not None:
            hints.cursors[team] = chosen
        return chosen
