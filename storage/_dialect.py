"""INSERT ... ON CONFLICT, which SQLAlchemy spells once per backend.

``insert_for`` builds one for the session's backend; ``Prebuilt`` builds a
statement that every update or delivery runs once for each backend (building
it on each call costs more than running it) and hands out the session's;
``insert_new`` inserts a row unless its key is taken (claims: "sent once").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


def insert_for(session: AsyncSession, table: Any) -> Any:
    """An INSERT that can say ON CONFLICT on this session's backend."""
    if session.get_bind().dialect.name == "postgresql":
        return pg_insert(table)
    return sqlite_insert(table)


class Prebuilt:
    """``build(insert)`` made once with each backend's INSERT."""

    def __init__(self, build: Callable[[Any], Any]) -> None:
        self._statements = {"postgresql": build(pg_insert), "sqlite": build(sqlite_insert)}

    def on(self, session: AsyncSession) -> Any:
        return self._statements[session.get_bind().dialect.name]


async def insert_new(session: AsyncSession, table: Any, values: dict[str, Any]) -> bool:
    """Insert ``values`` unless a row with the same key exists; whether it was inserted."""
    statement = insert_for(session, table).values(values).on_conflict_do_nothing()
    result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 0))
