"""``supportdesk updates bad``: the updates the bot could not read and set aside."""

from __future__ import annotations

import argparse
import json

from bot.cli.database import add_database_option, with_database
from bot.cli.output import complain, say
from storage.database import Database


def register(updates: argparse.ArgumentParser) -> None:
    commands = updates.add_subparsers(dest="updates_command", metavar="COMMAND", required=True)
    bad = commands.add_parser(
        "bad", help="обновления, которые бот не смог прочитать и отложил (новые сверху)"
    )
    bad.add_argument("id", nargs="?", type=int, help="показать одно целиком, как пришло")
    bad.add_argument("--limit", type=int, default=20, help="сколько показать (20)")
    add_database_option(bad)
    bad.set_defaults(handler=_bad)


def _pretty(raw: str) -> str:
    try:
        return json.dumps(json.loads(raw), ensure_ascii=False, indent=2)
    except ValueError:
        return raw


def _bad(args: argparse.Namespace) -> int:
    async def run(database: Database) -> int:
        async with database.uow() as uow:
            if args.id is not None:
                found = await uow.bad_updates.get(args.id)
                if found is None:
                    complain("bad_update_not_found", id=args.id)
                    return 1
                say("bad_update_show", bad=found, raw=_pretty(found.raw))
                return 0
            rows = await uow.bad_updates.latest(max(1, args.limit))
            total = await uow.bad_updates.count()
            say("bad_update_list", rows=rows, total=total)
        return 0

    return with_database(args, run)
