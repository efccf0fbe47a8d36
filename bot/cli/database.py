"""The ``--database-url`` option and running a command against the database."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.cli.output import complain
from bot.settings import Settings
from storage.database import Database
from storage.errors import SchemaNotCurrent


def add_database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="база данных (по умолчанию SUPPORTDESK_DATABASE_URL из окружения или .env)",
    )


def database_url(args: argparse.Namespace) -> str:
    url: str | None = args.database_url
    return url if url else Settings().database_url


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def with_database(
    args: argparse.Namespace,
    command: Callable[[Database], Awaitable[int]],
    *,
    check_schema: bool = True,
) -> int:
    """Open the database, run ``command``, close; explain a database that is
    unreachable or not upgraded (exit code 1)."""
    url = database_url(args)

    async def run() -> int:
        try:
            database = await Database.open(url, check_schema=check_schema)
        except SchemaNotCurrent as exc:
            complain("db_not_current", url=shown(url), current=exc.current, head=exc.head)
            return 1
        except (OSError, DBAPIError) as exc:
            complain("db_unreachable", url=shown(url), error=_first_line(exc))
            return 1
        try:
            return await command(database)
        finally:
            await database.close()

    return asyncio.run(run())


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.splitlines()[0] if text else type(exc).__name__
