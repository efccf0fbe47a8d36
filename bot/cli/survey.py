"""``supportdesk survey start --client CODE``: the half-year satisfaction survey.

The first question goes to every user of the client through the outbox (the
running bot delivers it within Telegram's limits); answers go into the reports.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from bot.cli.database import add_database_option, with_database
from bot.cli.output import complain, say
from bot.services import survey
from desk.errors import NotFound
from storage.database import Database


def register(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="survey_command", metavar="COMMAND", required=True)
    start = commands.add_parser("start", help="разослать опрос пользователям клиента")
    start.add_argument("--client", metavar="CODE", required=True, help="код клиента, например ROGA")
    add_database_option(start)
    start.set_defaults(handler=_start)


def _start(args: argparse.Namespace) -> int:
    code = args.client.strip().upper()

    async def run(database: Database) -> int:
        try:
            async with database.uow() as uow:
                started = await survey.start(uow, code, datetime.now(UTC))
        except NotFound:
            complain("report_unknown_client", code=code)
            return 1
        except survey.TooSoon as exc:
            complain("survey_too_soon", code=code, last=exc.last.started_at)
            return 1
        say("survey_started", code=code, users=started.users, survey=started.survey_id)
        return 0

    return with_database(args, run)
