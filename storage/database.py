"""A database handle for the composition root: the engine plus a unit-of-work factory."""

from __future__ import annotations

import errno
import socket
from dataclasses import dataclass

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage._serial import serialized
from storage.engine import create_engine
from storage.migrate import check_current
from storage.uow import UnitOfWorkFactory

# What opening a database raises when the server or file cannot be reached.
UNREACHABLE: tuple[type[Exception], ...] = (OSError, DBAPIError)

# SQLSTATE classes that say the server went away, not that the work was wrong:
# 08 connection exception; 57 operator intervention (shutting down, "cannot
# connect now" while it restarts, a connection terminated by the administrator).
_SERVER_GONE = ("08", "57")
_NETWORK_ERRNOS = (errno.EHOSTUNREACH, errno.ENETUNREACH)


def unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database could not be reached or dropped the
    connection (a restart, a failover, the network), so that the same work,
    rolled back, can succeed when tried again; a wrong statement or a broken
    constraint is not that."""
    if isinstance(exc, ConnectionError | TimeoutError | socket.gaierror):
        return True
    if isinstance(exc, OSError):
        return exc.errno in _NETWORK_ERRNOS
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated or isinstance(exc, InterfaceError):
        return True
    state = getattr(exc.orig, "sqlstate", None)
    return isinstance(state, str) and state[:2] in _SERVER_GONE


def shown_url(url: str) -> str:
    """``url`` without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def first_line(exc: BaseException) -> str:
    """The first line of what a driver said (``DBAPIError`` wraps it in ``orig``)."""
    text = str(getattr(exc, "orig", None) or exc)
    return text.splitlines()[0] if text else type(exc).__name__


@dataclass(frozen=True)
class Database:
    engine: AsyncEngine
    uow: UnitOfWorkFactory

    @classmethod
    async def open(cls, url: str, *, check_schema: bool = True) -> Database:
        """Connect (an unreachable server raises here, not later); unless told
        otherwise, refuse a database that is not upgraded
        (``storage.errors.SchemaNotCurrent``: run ``supportdesk db upgrade``).
        On SQLite the transactions of this process queue (``storage._serial``)."""
        engine = create_engine(url)
        try:
            if check_schema:
                await check_current(engine)
            else:
                async with engine.connect():
                    pass
        except BaseException:
            await engine.dispose()
            raise
        return cls(engine, serialized(engine))

    async def close(self) -> None:
        await self.engine.dispose()
