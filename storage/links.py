"""Revoked client-page links: a manager's links to a client's page issued at
or before ``revoked_at`` open no more (``bot.web``); links issued later do.

A repository on the unit of work (``uow.links``); it never commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage._dialect import insert_for
from storage.tables import LinkRevocationRow


class LinksRepository:
    """Links: what the unit of work offers as ``uow.links``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def revoke(self, client_code: str, manager_id: int, at: datetime, by: int | None) -> None:
        """Revoke every link to ``client_code``'s page given to ``manager_id`` up to ``at``."""
        values = {"revoked_at": at, "revoked_by": by}
        statement = (
            insert_for(self._session, LinkRevocationRow)
            .values(client_code=client_code, manager_id=manager_id, **values)
            .on_conflict_do_update(index_elements=["client_code", "manager_id"], set_=values)
        )
        await self._session.execute(statement)

    async def revoked_at(self, client_code: str, manager_id: int) -> datetime | None:
        """When ``manager_id``'s links to ``client_code``'s page were last revoked, if ever."""
        return await self._session.scalar(
            select(LinkRevocationRow.revoked_at).where(
                LinkRevocationRow.client_code == client_code,
                LinkRevocationRow.manager_id == manager_id,
            )
        )
