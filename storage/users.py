"""Telegram users bound to client companies."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from desk.model import User
from storage._mapping import user_from_row
from storage.tables import Base, UserRow

_USERS = Base.metadata.tables["users"]
# Built once: asked on every registration.
_GET = select(_USERS).where(_USERS.c.telegram_id == bindparam("p_id"))


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # Read once per transaction: a registration asks several times; only
        # ``bind`` changes a user, and it updates this too.
        self._known: dict[int, User | None] = {}

    async def get(self, telegram_id: int) -> User | None:
        if telegram_id in self._known:
            return self._known[telegram_id]
        row = (await self._session.execute(_GET, {"p_id": telegram_id})).first()
        user = None
        if row is not None:
            user = User(
                row.telegram_id, row.client_code, row.first_name, row.joined_at, row.username
            )
        self._known[telegram_id] = user
        return user

    async def bind(self, user: User) -> User:
        """Bind (or re-bind, e.g. by a second invite) ``user`` to their client."""
        row = await self._session.get(UserRow, user.telegram_id)
        if row is None:
            row = UserRow(telegram_id=user.telegram_id, joined_at=user.joined_at)
            self._session.add(row)
        row.client_code = user.client_code
        row.first_name = user.first_name
        row.username = user.username
        await self._session.flush()
        bound = user_from_row(row)
        self._known[bound.telegram_id] = bound
        return bound

    async def of_client(self, client_code: str) -> list[User]:
        rows = await self._session.scalars(
            select(UserRow).where(UserRow.client_code == client_code).order_by(UserRow.telegram_id)
        )
        return [user_from_row(r) for r in rows]
