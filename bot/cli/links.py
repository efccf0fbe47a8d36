"""``supportdesk links revoke --client CODE --manager ID``: staff revoke a
manager's links to a client's page (as the manager can with /revoke), without
changing the secret that signs every link.

The audit trail records it with actor ``staff:<ID>`` given ``--by``, else
``config`` (the admin's tools).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from bot.cli.database import add_database_option, with_database
from bot.cli.output import complain, say
from bot.services import manager
from bot.services.actors import Actor
from desk.errors import NotFound
from storage.database import Database


def register(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="links_command", metavar="COMMAND", required=True)
    revoke = commands.add_parser(
        "revoke", help="ссылки, выданные менеджеру до этой минуты, перестанут открываться"
    )
    revoke.add_argument(
        "--client", metavar="CODE", required=True, help="код клиента, например ROGA"
    )
    revoke.add_argument(
        "--manager", metavar="ID", type=int, required=True, help="Telegram id менеджера"
    )
    revoke.add_argument("--by", metavar="ID", type=int, help="Telegram id сотрудника (в журнал)")
    add_database_option(revoke)
    revoke.set_defaults(handler=_revoke)


def _revoke(args: argparse.Namespace) -> int:
    code = args.client.strip().upper()
    actor = Actor.staff(args.by) if args.by is not None else Actor.config()

    async def run(database: Database) -> int:
        async with database.uow() as uow:
            try:
                client = await uow.directory.client(code)
            except NotFound:
                complain("report_unknown_client", code=code)
                return 1
            is_manager = code in await uow.ops.managed_by(args.manager)
            await manager.revoke_links(uow, code, args.manager, datetime.now(UTC), actor)
        say("links_revoked", client=client, manager=args.manager, is_manager=is_manager)
        return 0

    return with_database(args, run)
