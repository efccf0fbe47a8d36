"""``supportdesk web``: the client page alone, in a process of its own, from the
same settings as the bot (``SUPPORTDESK_WEB_*``, the database).  The bot then
runs with ``SUPPORTDESK_WEB_IN_BOT=false``, so page load never delays its replies.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from datetime import UTC, datetime

from bot.cli.database import add_database_option, with_database
from bot.cli.output import complain
from bot.settings import Settings
from storage.database import Database


def register(web: argparse.ArgumentParser) -> None:
    add_database_option(web)
    web.set_defaults(handler=_web)


def _now() -> datetime:
    return datetime.now(UTC)


def _web(args: argparse.Namespace) -> int:
    from bot import logs

    settings = Settings()
    logs.configure(settings)  # as `supportdesk run` logs

    async def run(database: Database) -> int:
        from bot.services.tickets import TicketService
        from bot.web.alerts import AlertDeps
        from bot.web.app import serve_page
        from bot.web.ops import Ops

        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        # the bot's outbox sender polls: what an alert queues goes out within a second
        deps = AlertDeps(TicketService(_now), lambda: None, settings.autoclose_minutes)
        operator = Ops.of(settings, database.uow, _now, "web")  # its own counters only
        runner = await serve_page(settings, database.uow, _now, deps, operator)
        if runner is None:
            complain("web_not_configured")
            return 1
        try:
            await stop.wait()
        finally:
            await runner.cleanup()
        return 0

    return with_database(args, run)
