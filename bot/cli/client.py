"""``supportdesk client onboard --client CODE --out DIR``: what the contractor sends a new
client — an invite link per messenger the client lists and per invite code, a QR code
PNG of each, and a one-page printable memo (HTML: how to write to support, what to put in
a request, the priorities with that client's response times, the working hours, the
request types of /new).

The directory comes from ``--config FILE`` (the TOML, no database: light and offline) or
else from the database the config was applied to. The bots' names: ``--telegram-bot`` /
``--max-bot``, else the settings, else the bot is asked (``bot.cli.invite``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli import invite as invite_cli
from bot.cli.database import add_database_option, with_database
from bot.cli.output import complain, say
from desk.channels import Channel
from desk.config import DeskConfig, load_config
from desk.errors import ConfigError

if TYPE_CHECKING:  # (storage loads only when a command opens the database)
    from storage.database import Database


def register(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    onboard = commands.add_parser(
        "onboard", help="приглашение, QR-код и памятка для нового клиента"
    )
    onboard.add_argument("--client", metavar="CODE", required=True, help="код клиента")
    onboard.add_argument("--out", metavar="DIR", required=True, type=Path, help="куда записать")
    onboard.add_argument(
        "--config", metavar="FILE", type=Path, help="взять клиента из файла TOML, не из базы"
    )
    onboard.add_argument("--telegram-bot", metavar="NAME", help="имя бота в Telegram (без @)")
    onboard.add_argument("--max-bot", metavar="NAME", help="имя бота в MAX")
    add_database_option(onboard)
    onboard.set_defaults(handler=_onboard)


def _onboard(args: argparse.Namespace) -> int:
    code = args.client.strip().upper()
    if args.config is not None:
        try:
            config = load_config(args.config)
        except ConfigError as exc:
            complain("config_error", error=str(exc), applying=False)
            return 2
        return _write(args, config, code)

    async def run(database: Database) -> int:
        async with database.uow() as uow:
            config = await uow.directory.load()
        return _write(args, config, code)

    return with_database(args, run)


def _write(args: argparse.Namespace, config: DeskConfig, code: str) -> int:
    from bot.services import onboarding  # (segno and the templates: only when it runs)

    client = config.clients.get(code)
    if client is None:
        complain("report_unknown_client", code=code)
        return 1
    bots: dict[Channel, str] = {}
    for name in client.messengers:
        channel = Channel(name)
        bot = invite_cli.bot_name(args, channel)
        if bot:
            bots[channel] = bot
    links = onboarding.invites(config, code, bots)
    if not links:
        complain("onboard_no_links", client=client.name, code=code)
        return 1
    out: Path = args.out
    try:
        out.mkdir(parents=True, exist_ok=True)
        images = []
        for found in links:
            image = out / f"{onboarding.file_stem(code, found)}.png"
            image.write_bytes(onboarding.qr_png(found.link))
            images.append(image)
        memo = out / f"memo-{code}.html"
        memo.write_text(onboarding.memo_html(config, code, links), encoding="utf-8")
    except OSError as exc:
        complain("report_cannot_write", path=str(out), error=str(exc))
        return 1
    say("onboard_written", client=client.name, links=links, images=images, memo=memo)
    return 0
