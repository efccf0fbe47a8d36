"""Offers to move a user to another client: made on ``/start <invite>``, taken by a press.

One offer per user (a newer invite replaces it).  Takes the unit of work's
session and never commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage._dialect import insert_for
from storage.tables import RebindOfferRow


class RebindRepository:
    """Rebind: what the unit of work offers as ``uow.rebind``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def offer(self, user_id: int, client_code: str, now: datetime) -> None:
        """Offer ``client_code`` to the user, replacing an earlier offer."""
        table = RebindOfferRow.__table__
        values = {"user_id": user_id, "client_code": client_code, "offered_at": now}
        insert = insert_for(self._session, table).values(values)
        await self._session.execute(
            insert.on_conflict_do_update(
                index_elements=[table.c.user_id],
                set_={"client_code": insert.excluded.client_code, "offered_at": now},
            )
        )

    async def take(self, user_id: int, client_code: str, since: datetime) -> bool:
        """Use up the user's offer of ``client_code`` made at or after ``since``; whether
        there was one (a second press, a forged code or an old offer: False)."""
        result = await self._session.execute(
            delete(RebindOfferRow).where(
                RebindOfferRow.user_id == user_id,
                RebindOfferRow.client_code == client_code,
                RebindOfferRow.offered_at >= since,
            )
        )
        return bool(getattr(result, "rowcount", 0))
