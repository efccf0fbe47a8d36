"""Leases: with several instances on one database, each outbox lane and each bot's
long polling is held by one instance at a time, until a time it keeps pushing on
(ARCHITECTURE.md, "Several instances").  A holder that dies loses its leases when
they run out; another instance takes them then.

A repository on the unit of work (``uow.leases``); it never commits.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage._dialect import insert_for
from storage.tables import LeaseRow

_TABLE = LeaseRow.__table__


def lane(chat_id: int) -> str:
    return f"o:{chat_id}"


class LeasesRepository:
    """Leases: what the unit of work offers as ``uow.leases``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def take(
        self, names: Collection[str], holder: str, now: datetime, ttl: timedelta
    ) -> set[str]:
        """Which of ``names`` ``holder`` holds now: free ones, run-out ones and its own are
        taken (until ``now + ttl``); one another holder keeps alive is not."""
        if not names:
            return set()
        until = now + ttl
        insert = insert_for(self._session, _TABLE).values(
            [{"name": name, "holder": holder, "until": until} for name in names]
        )
        upsert = insert.on_conflict_do_update(
            index_elements=[_TABLE.c.name],
            set_={"holder": holder, "until": until},
            where=(_TABLE.c.until <= now) | (_TABLE.c.holder == holder),
        ).returning(_TABLE.c.name)
        return set((await self._session.scalars(upsert)).all())

    async def renew(
        self, names: Collection[str], holder: str, now: datetime, ttl: timedelta
    ) -> None:
        if names:
            await self._session.execute(
                update(LeaseRow)
                .where(LeaseRow.name.in_(list(names)), LeaseRow.holder == holder)
                .values(until=now + ttl)
            )

    async def release(self, names: Collection[str], holder: str) -> None:
        if names:
            await self._session.execute(
                delete(LeaseRow).where(LeaseRow.name.in_(list(names)), LeaseRow.holder == holder)
            )

    async def holder_of(self, name: str, now: datetime) -> str | None:
        """Who holds ``name`` now (None: nobody, or the lease ran out)."""
        return await self._session.scalar(
            select(LeaseRow.holder).where(LeaseRow.name == name, LeaseRow.until > now)
        )

    async def holders_of(self, prefix: str) -> list[str]:
        """The holders whose name starts with ``prefix`` (an instance's, whatever its process)."""
        rows = await self._session.scalars(
            select(LeaseRow.holder)
            .where(LeaseRow.holder.startswith(prefix, autoescape=True))
            .distinct()
        )
        return list(rows)

    async def drop_holder(self, holder: str) -> None:
        """Every lease of ``holder`` goes (a process of this instance that is gone)."""
        await self._session.execute(delete(LeaseRow).where(LeaseRow.holder == holder))
