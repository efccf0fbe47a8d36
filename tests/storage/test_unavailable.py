"""``storage.database.unavailable``: the database away (refused, reset, terminated,
restarting) is told apart from work that is wrong (a broken constraint, a bad
statement), which trying again cannot fix."""

from __future__ import annotations

import errno

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage.database import unavailable
from storage.engine import create_engine


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed"),
        ConnectionResetError(errno.ECONNRESET, "reset by peer"),
        TimeoutError(),
        OSError(errno.EHOSTUNREACH, "No route to host"),
    ],
)
def test_the_network_failing_is_the_database_away(exc: BaseException) -> None:
    assert unavailable(exc)


@pytest.mark.parametrize(
    "exc", [ValueError("bug"), FileNotFoundError(errno.ENOENT, "gone"), PermissionError()]
)
def test_other_errors_are_not(exc: BaseException) -> None:
    assert not unavailable(exc)


async def _error_of(url: str, statement: str) -> DBAPIError:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:  # rolled back at the end
            await conn.execute(text("CREATE TEMPORARY TABLE t (id INTEGER PRIMARY KEY)"))
            await conn.execute(text("INSERT INTO t VALUES (1)"))
            with pytest.raises(DBAPIError) as caught:
                await conn.execute(text(statement))
        return caught.value
    finally:
        await engine.dispose()


async def test_broken_work_is_not_the_database_away(db_url: str) -> None:
    assert not unavailable(await _error_of(db_url, "INSERT INTO t VALUES (1)"))
    assert not unavailable(await _error_of(db_url, "SELECT * FROM no_such_table"))


@pytest.mark.postgres
async def test_a_connection_the_server_ended_is_the_database_away(pg_database_url: str) -> None:
    """What a restart does to a connection in the pool: the server ends it (57P01
    "terminating connection due to administrator command")."""
    engine = create_engine(pg_database_url)
    try:
        async with engine.connect() as victim, engine.connect() as admin:
            pid = await victim.scalar(text("SELECT pg_backend_pid()"))
            await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            await admin.commit()
            with pytest.raises(DBAPIError) as caught:
                await victim.execute(text("SELECT 1"))
            assert unavailable(caught.value)
    finally:
        await engine.dispose()
