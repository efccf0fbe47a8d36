"""Channels (desk.channels): which person a chat belongs to, MAX message ids, pairing codes.

A repository on the unit of work (``uow.channels``); it never commits.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage._dialect import insert_for
from storage.tables import MaxMarkerRow, MaxMessageRow, PairingCodeRow, UserAddressRow

PAIRING_TTL = timedelta(hours=24)


class ChannelsRepository:
    """Channels: what the unit of work offers as ``uow.channels``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def tied_person(self, key: int) -> int | None:
        """The person chat ``key`` was tied to from another messenger (None: none)."""
        return await self._session.scalar(
            select(UserAddressRow.user_id).where(UserAddressRow.key == key)
        )

    async def addresses_of(self, user_id: int) -> list[int]:
        """Every chat key of a person: the one they are known by first."""
        rows = await self._session.scalars(
            select(UserAddressRow.key).where(UserAddressRow.user_id == user_id)
        )
        return [user_id, *sorted(rows)]

    async def tie(self, key: int, user_id: int, now: datetime) -> None:
        """Chat ``key`` is ``user_id``'s too (a second messenger)."""
        table = UserAddressRow.__table__
        insert = insert_for(self._session, table).values(key=key, user_id=user_id, bound_at=now)
        await self._session.execute(
            insert.on_conflict_do_update(
                index_elements=[table.c.key], set_={"user_id": user_id, "bound_at": now}
            )
        )

    async def new_pairing(self, user_id: int, now: datetime) -> str:
        """A one-time code for ``user_id`` to open from their other messenger (24 h)."""
        # codes spent or expired a day ago go (until then a second use is told it is spent)
        await self._session.execute(
            delete(PairingCodeRow).where(PairingCodeRow.expires_at <= now - PAIRING_TTL)
        )
        code = "p" + secrets.token_urlsafe(12).replace("-", "x").replace("_", "y")
        self._session.add(PairingCodeRow(code=code, user_id=user_id, expires_at=now + PAIRING_TTL))
        await self._session.flush()
        return code

    async def take_pairing(self, code: str, now: datetime) -> tuple[bool, int | None]:
        """Whether ``code`` is a pairing code, and the person it was made for while it
        lives (None: expired); the code is spent (one use)."""
        row = await self._session.get(PairingCodeRow, code)
        if row is None:
            return False, None
        live = row.expires_at > now
        row.expires_at = min(row.expires_at, now)  # spent: a second use finds it expired
        await self._session.flush()
        return True, (row.user_id if live else None)

    async def marker_of(self, bot_id: int) -> int | None:
        """The MAX ``marker`` of the last batch this bot handled (None: never polled)."""
        return await self._session.scalar(
            select(MaxMarkerRow.marker).where(MaxMarkerRow.bot_id == bot_id)
        )

    async def keep_marker(self, bot_id: int, marker: int, now: datetime) -> None:
        table = MaxMarkerRow.__table__
        insert = insert_for(self._session, table).values(bot_id=bot_id, marker=marker, at=now)
        await self._session.execute(
            insert.on_conflict_do_update(
                index_elements=[table.c.bot_id], set_={"marker": marker, "at": now}
            )
        )

    async def remember_mid(self, chat_key: int, seq: int, mid: str, now: datetime) -> None:
        table = MaxMessageRow.__table__
        insert = insert_for(self._session, table).values(
            chat_key=chat_key, seq=seq, mid=mid, at=now
        )
        await self._session.execute(
            insert.on_conflict_do_nothing(index_elements=[table.c.chat_key, table.c.seq])
        )

    async def mid_of(self, chat_key: int, seq: int) -> str | None:
        return await self._session.scalar(
            select(MaxMessageRow.mid).where(
                MaxMessageRow.chat_key == chat_key, MaxMessageRow.seq == seq
            )
        )

    async def seq_of(self, chat_key: int, mid: str) -> int | None:
        return await self._session.scalar(
            select(MaxMessageRow.seq).where(
                MaxMessageRow.chat_key == chat_key, MaxMessageRow.mid == mid
            )
        )
