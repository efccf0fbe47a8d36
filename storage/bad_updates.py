"""Updates the bot could not read: kept as they came, for staff to look at
(``supportdesk updates bad``).  A repository on the unit of work (``uow.bad_updates``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.tables import BadUpdateRow

# Longer raw bodies are cut: the row is a trace, not an archive of a flood.
RAW_LIMIT = 64_000


@dataclass(frozen=True)
class BadUpdate:
    id: int
    bot_id: int
    update_id: int | None
    received_at: datetime
    error: str
    raw: str


def _bad(row: BadUpdateRow) -> BadUpdate:
    return BadUpdate(row.id, row.bot_id, row.update_id, row.received_at, row.error, row.raw)


class BadUpdatesRepository:
    """Bad updates: what the unit of work offers as ``uow.bad_updates``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self,
        *,
        bot_id: int,
        update_id: int | None,
        raw: str,
        error: str,
        now: datetime,
    ) -> int:
        row = BadUpdateRow(
            bot_id=bot_id,
            update_id=update_id,
            received_at=now,
            error=error[:4000],
            raw=raw[:RAW_LIMIT],
        )
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def latest(self, limit: int = 20) -> list[BadUpdate]:
        """The ``limit`` latest, newest first."""
        rows = await self._session.scalars(
            select(BadUpdateRow).order_by(BadUpdateRow.id.desc()).limit(limit)
        )
        return [_bad(row) for row in rows]

    async def get(self, bad_id: int) -> BadUpdate | None:
        row = await self._session.get(BadUpdateRow, bad_id)
        return None if row is None else _bad(row)

    async def count(self) -> int:
        return int(await self._session.scalar(select(func.count()).select_from(BadUpdateRow)) or 0)
