"""What the database says about the desk's health (``GET /readyz``, ``GET /metrics``).

Three cheap reads, each along an index: the pending outbox rows (how many, the
oldest one's time: ``ix_outbox_pending``) and the last update claimed
(``ix_update_claims_claimed_at``; claims are kept 48 h).  Shared by every
process and instance, since they come from the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.outbox import PENDING
from storage.tables import OutboxRow, UpdateClaimRow


@dataclass(frozen=True)
class Backlog:
    outbox_pending: int
    oldest_pending_at: datetime | None  # when the oldest pending row was written
    last_update_at: datetime | None  # when the last update was claimed (None: none in 48 h)


_PENDING = select(func.count(), func.min(OutboxRow.created_at)).where(OutboxRow.state == PENDING)
_LAST_UPDATE = select(func.max(UpdateClaimRow.claimed_at))


class HealthRepository:
    """Health: what the unit of work offers as ``uow.health``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def backlog(self) -> Backlog:
        pending, oldest = (await self._session.execute(_PENDING)).one()
        last: datetime | None = await self._session.scalar(_LAST_UPDATE)
        return Backlog(int(pending or 0), oldest, last)
