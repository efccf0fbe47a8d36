"""Shared database fixtures: every storage test runs on real SQLite and real PostgreSQL.

Fixtures (function scope unless said):

- ``db_url`` -- an empty database URL, parametrised ``sqlite`` (a file in
  ``tmp_path``) and ``postgres`` (marked ``postgres``);
- ``migrated_url`` -- the same, upgraded to the latest migration;
- ``database`` -- an open ``storage.database.Database`` on ``migrated_url``
  (async; closed after the test); ``uow_factory`` -- its unit-of-work factory;
- ``demo_config`` -- ``bot/demo_config.toml`` loaded (client DEMO, team chat
  -1001000000001, consultants 2001 and 2002, invite "demo");
- ``demo_uow_factory`` -- ``uow_factory`` with the demo config applied and
  user 1001 bound to DEMO;
- ``backend`` -- ``"sqlite"`` or ``"postgres"``, the parameter behind them;
- ``pg_database_url`` (session) -- the session's own PostgreSQL database.

PostgreSQL: ``SUPPORTDESK_TEST_PG_URL`` names a server database to connect to
(default ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``); the session
creates fresh, uniquely named databases there (its own for ``db_url``, whose
``public`` schema is reset before each test; a migrated template; one migrated
database that every ``migrated_url`` test of the session reuses, put back to
the template's rows and sequences before each test) and drops them all at the
end. Putting back takes milliseconds where a copy of the template took seconds
(``CREATE DATABASE`` and ``DROP DATABASE`` wait for the disk). If the
server does not answer the PostgreSQL tests are skipped -- or fail, when
``SUPPORTDESK_REQUIRE_PG=1`` (CI).

SQLite: ``SUPPORTDESK_TEST_SQLITE_DRIVER=stock`` runs the SQLite side on
SQLAlchemy's own aiosqlite adapter instead of ours (``storage.engine``); CI
runs the storage tests that way too.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy.engine import make_url

from bot.services.config import apply_config
from desk.config import DeskConfig, load_config
from desk.model import User
from storage.database import Database
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.uow import UnitOfWorkFactory

DEFAULT_PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
DEMO_CONFIG = Path(__file__).parents[1] / "bot" / "demo_config.toml"
DEMO_USER = 1001
SQLITE_QUERY = (
    "?driver=stock" if os.environ.get("SUPPORTDESK_TEST_SQLITE_DRIVER") == "stock" else ""
)


E2E = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/e2e runs the whole product: marked ``e2e``
    (``make test-fast`` leaves it out). Tests marked ``slow`` go first: started
    last, one of them would keep the run going long after the other workers are
    done (pytest-xdist hands tests out in this order)."""
    for item in items:
        if item.path.is_relative_to(E2E):
            item.add_marker(pytest.mark.e2e)
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable


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


class PgServer:
    """The test PostgreSQL server: databases named ``<prefix>...``, all dropped at the end."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.prefix = f"supportdesk_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self.created: list[str] = []

    def url(self, name: str) -> str:
        return make_url(self.server_url).set(database=name).render_as_string(hide_password=False)

    def create(self, name: str, template: str | None = None) -> str:
        clause = f' TEMPLATE "{template}"' if template else ""
        asyncio.run(_admin(self.server_url, f'CREATE DATABASE "{name}"{clause}'))
        self.created.append(name)
        return self.url(name)

    def drop(self, name: str) -> None:
        asyncio.run(_admin(self.server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.created.remove(name)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server = PgServer(os.environ.get("SUPPORTDESK_TEST_PG_URL", DEFAULT_PG_URL))
    try:
        server.create(server.prefix)
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        message = f"PostgreSQL at {server.server_url} does not answer: {exc!r}"
        if os.environ.get("SUPPORTDESK_REQUIRE_PG") == "1":
            pytest.fail(message + " (SUPPORTDESK_REQUIRE_PG=1)", pytrace=False)
        pytest.skip(message)
    yield server
    for name in list(server.created):
        server.drop(name)


@pytest.fixture(scope="session")
def pg_database_url(pg_server: PgServer) -> str:
    """The session's own PostgreSQL database."""
    return pg_server.url(pg_server.prefix)


@pytest.fixture(scope="session")
def _pg_template(pg_server: PgServer) -> str:
    """A database upgraded once per session; each test gets a copy of it."""
    name = f"{pg_server.prefix}_tpl"
    asyncio.run(_upgrade(pg_server.create(name)))
    return name


class _Reused:
    """The session's migrated database, put back before each test to what the
    template holds: every table's rows (what migrations seed) and every sequence."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._tables: list[str] = []
        self._rows: dict[str, list[asyncpg.Record]] = {}
        self._sequences: list[tuple[str, int | None]] = []

    async def snapshot(self) -> None:
        conn = await asyncpg.connect(_dsn(self.url), timeout=5)
        try:
            self._tables = [
                r["tablename"]
                for r in await conn.fetch(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                    " AND tablename <> 'alembic_version' ORDER BY tablename"
                )
            ]
            for table in self._tables:
                rows = await conn.fetch(f'SELECT * FROM "{table}"')
                if rows:
                    self._rows[table] = rows
            self._sequences = [
                (r["sequencename"], r["last_value"])
                for r in await conn.fetch(
                    "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
                )
            ]
        finally:
            await conn.close()

    async def reset(self) -> None:
        conn = await asyncpg.connect(_dsn(self.url), timeout=5)
        try:
            # what the last test left connected (a killed bot's pool) goes first
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            async with conn.transaction():
                # DELETE with the foreign keys' triggers off: a millisecond for the
                # few rows a test writes, where TRUNCATE makes new files (0.3 s)
                await conn.execute("SET LOCAL session_replication_role = replica")
                for table in self._tables:
                    await conn.execute(f'DELETE FROM "{table}"')
                for table, rows in self._rows.items():
                    columns = list(rows[0].keys())
                    await conn.copy_records_to_table(
                        table, records=[tuple(r) for r in rows], columns=columns
                    )
                for name, value in self._sequences:
                    if value is None:
                        await conn.execute(f'ALTER SEQUENCE "{name}" RESTART')
                    else:
                        await conn.execute("SELECT setval($1, $2, true)", f'"{name}"', value)
        finally:
            await conn.close()


@pytest.fixture(scope="session")
def _pg_reused(pg_server: PgServer, _pg_template: str) -> _Reused:
    reused = _Reused(pg_server.create(f"{pg_server.prefix}_db", template=_pg_template))
    asyncio.run(reused.snapshot())
    return reused


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "supportdesk.sqlite3"
    asyncio.run(_upgrade(f"sqlite+aiosqlite:///{path}{SQLITE_QUERY}"))
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgres``: tests using the database fixtures run on both."""
    return str(request.param)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend."""
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'db' / 'supportdesk.sqlite3'}{SQLITE_QUERY}"
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
def migrated_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database at the latest migration on each backend (a copy of a template
    upgraded once per session)."""
    if backend == "sqlite":
        path = tmp_path / "db" / "supportdesk.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}{SQLITE_QUERY}"
        return
    reused: _Reused = request.getfixturevalue("_pg_reused")
    asyncio.run(reused.reset())
    yield reused.url


@pytest.fixture
async def database(migrated_url: str) -> AsyncIterator[Database]:
    db = await Database.open(migrated_url)
    yield db
    await db.close()


@pytest.fixture
def uow_factory(database: Database) -> UnitOfWorkFactory:
    return database.uow


@pytest.fixture
def demo_config() -> DeskConfig:
    return load_config(DEMO_CONFIG)


@pytest.fixture
async def demo_uow_factory(
    uow_factory: UnitOfWorkFactory, demo_config: DeskConfig
) -> UnitOfWorkFactory:
    now = datetime.now(UTC)
    async with uow_factory() as uow:
        await apply_config(uow, demo_config, source=str(DEMO_CONFIG), now=now)
        await uow.users.bind(User(DEMO_USER, "DEMO", "Иван", now, "ivan"))
    return uow_factory
