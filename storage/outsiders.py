"""When an outsider (a member of a staff group who is not staff there) was last answered.

A repository on the unit of work (``uow.outsiders``); it never commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage._dialect import insert_for
from storage.tables import OutsiderReplyRow


class OutsidersRepository:
    """Outsiders: what the unit of work offers as ``uow.outsiders``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim_reply(
        self, chat_id: int, user_id: int, now: datetime, quiet: timedelta
    ) -> bool:
        """Whether the outsider may be answered in this chat now: not answered there
        within ``quiet``.  If so, ``now`` is recorded as the last answer (one statement,
        so two updates at once cannot both win)."""
        table = OutsiderReplyRow.__table__
        insert = insert_for(self._session, table).values(
            chat_id=chat_id, user_id=user_id, replied_at=now
        )
        statement = insert.on_conflict_do_update(
            index_elements=[table.c.chat_id, table.c.user_id],
            set_={"replied_at": insert.excluded.replied_at},
            where=table.c.replied_at <= now - quiet,
        )
        result = await self._session.execute(statement)
        return bool(getattr(result, "rowcount", 0))
