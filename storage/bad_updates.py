"""Updates the bot could not read: kept as they came, for staff to look at
(``supportdesk updates bad``).  Every function takes the unit of work's session."""

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


async def record(
    session: AsyncSession,
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
    session.add(row)
    await session.flush()
    return row.id


def _bad(row: BadUpdateRow) -> BadUpdate:
    return BadUpdate(row.id, row.bot_id, row.update_id, row.received_at, row.error, row.raw)


async def latest(session: AsyncSession, limit: int = 20) -> list[BadUpdate]:
    """The ``limit`` latest, newest first."""
    rows = await session.scalars(select(BadUpdateRow).order_by(BadUpdateRow.id.desc()).limit(limit))
    return [_bad(row) for row in rows]


async def get(session: AsyncSession, bad_id: int) -> BadUpdate | None:
    row = await session.get(BadUpdateRow, bad_id)
    return None if row is None else _bad(row)


async def count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(BadUpdateRow)) or 0)
