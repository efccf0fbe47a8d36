"""``supportdesk db``: bring the database schema up to date, show its version."""

from __future__ import annotations

import argparse

from bot.cli.database import add_database_option, database_url, shown, with_database
from bot.cli.output import say
from storage.database import Database
from storage.migrate import current_revision, head_revision, upgrade


def register(db: argparse.ArgumentParser) -> None:
    commands = db.add_subparsers(dest="db_command", metavar="COMMAND", required=True)
    up = commands.add_parser(
        "upgrade", help="обновить схему до последней версии (создаст базу SQLite)"
    )
    add_database_option(up)
    up.set_defaults(handler=_upgrade)
    status = commands.add_parser("status", help="версия схемы базы данных")
    add_database_option(status)
    status.set_defaults(handler=_status)


def _upgrade(args: argparse.Namespace) -> int:
    url = shown(database_url(args))

    async def run(database: Database) -> int:
        before = await current_revision(database.engine)
        await upgrade(database.engine)
        say("db_upgraded", url=url, before=before, after=await current_revision(database.engine))
        return 0

    return with_database(args, run, check_schema=False)


def _status(args: argparse.Namespace) -> int:
    url = shown(database_url(args))

    async def run(database: Database) -> int:
        current = await current_revision(database.engine)
        say("db_status", url=url, current=current, head=head_revision())
        return 0 if current == head_revision() else 1

    return with_database(args, run, check_schema=False)
