"""The ``--database-url`` option and running a command against the database.

Storage (SQLAlchemy, Alembic) is imported when a command opens the database,
not when the command line is read: ``--help`` and the commands that need no
database stay quick.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.cli.output import complain

if TYPE_CHECKING:
    from storage.database import Database


def add_database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="база данных (по умолчанию SUPPORTDESK_DATABASE_URL из окружения или .env)",
    )


def database_url(args: argparse.Namespace) -> str:
    url: str | None = args.database_url
    if url:
        return url
    from bot.settings import Settings

    return Settings().database_url


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    from storage.database import shown_url

    return shown_url(url)


def with_database(
    args: argparse.Namespace,
    command: Callable[[Database], Awaitable[int]],
    *,
    check_schema: bool = True,
) -> int:
    """Open the database, run ``command``, close; explain a database that is
    unreachable or not upgraded (exit code 1)."""
    from storage.database import UNREACHABLE, Database, first_line
    from storage.errors import SchemaNotCurrent

    url = database_url(args)

    async def run() -> int:
        try:
            database = await Database.open(url, check_schema=check_schema)
        except SchemaNotCurrent as exc:
            complain("db_not_current", url=shown(url), current=exc.current, head=exc.head)
            return 1
        except UNREACHABLE as exc:
            complain("db_unreachable", url=shown(url), error=first_line(exc))
            return 1
        try:
            return await command(database)
        finally:
            await database.close()

    return asyncio.run(run())
