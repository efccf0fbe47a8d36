"""Shared database fixtures: every storage test runs on real SQLite and real PostgreSQL.

Fixtures (function scope unless said):

- ``db_url`` -- an empty database URL, parametrised ``sqlite`` (a file in
  ``tmp_path``) and ``postgres`` (marked ``postgres``);
- ``migrated_url`` -- the same, upgraded to the latest migration;
- ``database`` -- an open ``storage.database.Database`` on ``migrated_url``
  (async; closed after the test); ``uow_factory`` -- its unit-of-work factory;
- ``pg_database_url`` (session) -- the session's own PostgreSQL database.

PostgreSQL: ``SUPPORTDESK_TEST_PG_URL`` names a server database to connect to
(default ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``); the session
creates a fresh, uniquely named database there, resets its ``public`` schema
before each test and drops it at the end. If the server does not answer the
PostgreSQL tests are skipped -- or fail, when ``SUPPORTDESK_REQUIRE_PG=1`` (CI).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from storage.database import Database
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.uow import UnitOfWorkFactory

DEFAULT_PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def _dsn(url: str) -> str:
    """A SQLAlchemy URL as the plain DSN asyncpg takes."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(_dsn(url), timeout=5)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    server_url = os.environ.get("SUPPORTDESK_TEST_PG_URL", DEFAULT_PG_URL)
    name = f"supportdesk_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    except (OSError, asyncio.TimeoutError, asyncpg.PostgresError) as exc:
        message = f"PostgreSQL at {server_url} does not answer: {exc!r}"
        if os.environ.get("SUPPORTDESK_REQUIRE_PG") == "1":
            pytest.fail(message + " (SUPPORTDESK_REQUIRE_PG=1)", pytrace=False)
        pytest.skip(message)
    yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'db' / 'supportdesk.sqlite3'}"
    url: str = request.getfixturevalue("pg_database_url")
    asyncio.run(_admin(url, "DROP SCHEMA public CASCADE", "CREATE SCHEMA public"))
    return url


async def _upgrade(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture
def migrated_url(db_url: str) -> str:
    """``db_url`` upgraded to the latest migration."""
    asyncio.run(_upgrade(db_url))
    return db_url


@pytest.fixture
async def database(migrated_url: str) -> AsyncIterator[Database]:
    db = await Database.open(migrated_url)
    yield db
    await db.close()


@pytest.fixture
def uow_factory(database: Database) -> UnitOfWorkFactory:
    return database.uow
