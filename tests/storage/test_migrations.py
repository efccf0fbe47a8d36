"""Alembic migrations: the stairway (up, down, up) on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import Database
from storage.engine import create_engine
from storage.errors import SchemaNotCurrent
from storage.migrate import alembic_config, current_revision, downgrade, head_revision, upgrade
from storage.tables import Base


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


def _revisions() -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


async def test_first_revision_is_0001_core() -> None:
    """The core tables start the history as revision ``0001_core``."""
    assert _revisions()[0] == "0001_core"


@pytest.mark.slow
async def test_stairway_up_down_up(db_url: str) -> None:
    """Each revision upgrades, downgrades to the one before and upgrades again;
    then the whole history goes down to nothing and back up to the head."""
    engine = create_engine(db_url)
    try:
        previous = "base"
        for revision in _revisions():
            await upgrade(engine, revision)
            assert await current_revision(engine) == revision
            await downgrade(engine, previous)
            await upgrade(engine, revision)
            assert await current_revision(engine) == revision
            previous = revision
        core = {t.name for t in Base.metadata.sorted_tables}
        assert core <= await _tables(engine)
        await downgrade(engine, "base")
        assert await current_revision(engine) is None
        assert await _tables(engine) <= {"alembic_version"}
        await upgrade(engine, "head")
        assert await current_revision(engine) == head_revision()
        assert core <= await _tables(engine)
    finally:
        await engine.dispose()


async def test_database_refuses_a_schema_that_is_not_upgraded(db_url: str) -> None:
    """Opening a database that was never upgraded says so (and which revision is expected)."""
    with pytest.raises(SchemaNotCurrent) as caught:
        await Database.open(db_url)
    assert caught.value.current is None
    assert caught.value.head == head_revision()
