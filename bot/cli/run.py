"""``supportdesk run``: the bot against Telegram (or any Bot API server), from ``.env``."""

from __future__ import annotations

import argparse
import asyncio
import signal

from bot.settings import Settings


def register(run: argparse.ArgumentParser) -> None:
    run.set_defaults(handler=_run)


async def _main(settings: Settings) -> None:
    from bot.app import run_bot

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await run_bot(settings, stop=stop)


def _run(args: argparse.Namespace) -> int:
    from bot import logs

    settings = Settings()
    logs.configure(settings)  # SUPPORTDESK_LOG_FORMAT: text or JSON lines, secrets scrubbed
    asyncio.run(_main(settings))
    return 0
