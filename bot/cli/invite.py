"""``supportdesk invite --client CODE``: the links that bind a client's users, one per
messenger the client lists (``messengers`` in the config; Telegram alone by default)
and per invite code of that client.

A link needs the bot's username: ``--telegram-bot`` / ``--max-bot``, else
``SUPPORTDESK_BOT_USERNAME`` / ``SUPPORTDESK_MAX_BOT_USERNAME``, else the bot is
asked (``getMe`` with the configured token).  A messenger with no bot here is
named with what to set instead of a link.
"""

from __future__ import annotations

import argparse
import json
import urllib.request
from typing import TYPE_CHECKING, Any

from bot.cli.database import add_database_option, with_database
from bot.cli.output import complain, say
from desk.channels import Channel, start_link
from desk.errors import NotFound

if TYPE_CHECKING:  # (storage loads only when a command opens the database)
    from storage.database import Database


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--client", metavar="CODE", required=True, help="код клиента, например ROGA"
    )
    parser.add_argument("--telegram-bot", metavar="NAME", help="имя бота в Telegram (без @)")
    parser.add_argument("--max-bot", metavar="NAME", help="имя бота в MAX")
    add_database_option(parser)
    parser.set_defaults(handler=_invite)


def _invite(args: argparse.Namespace) -> int:
    code = args.client.strip().upper()

    async def run(database: Database) -> int:
        async with database.uow() as uow:
            try:
                client = await uow.directory.client(code)
            except NotFound:
                complain("report_unknown_client", code=code)
                return 1
            config = await uow.directory.load()
        invites = sorted(i.code for i in config.invites.values() if i.client == code)
        if not invites:
            complain("invite_none", client=client)
            return 1
        rows = []
        for name in client.messengers:
            channel = Channel(name)
            bot = bot_name(args, channel)
            links = [start_link(channel, bot, invite) for invite in invites] if bot else []
            rows.append((channel.label, channel.value, links))
        say("invite_links", client=client, rows=rows)
        return 0

    return with_database(args, run)


def bot_name(args: argparse.Namespace, channel: Channel) -> str | None:
    given = args.max_bot if channel is Channel.MAX else args.telegram_bot
    if given:
        return str(given).lstrip("@")
    from bot.settings import Settings

    settings = Settings()
    if channel is Channel.MAX:
        if settings.max_bot_username:
            return settings.max_bot_username.lstrip("@")
        if settings.max_token is None:
            return None
        base = settings.max_api_url or "https://platform-api.max.ru"
        token = settings.max_token.get_secret_value()
        found = _get_json(f"{base.rstrip('/')}/me", {"Authorization": token})
        name = found.get("username") if found else None
    else:
        if settings.bot_username:
            return settings.bot_username.lstrip("@")
        if settings.bot_token is None:
            return None
        base = settings.telegram_api_url or "https://api.telegram.org"
        token = settings.bot_token.get_secret_value()
        found = _get_json(f"{base.rstrip('/')}/bot{token}/getMe", {})
        result = found.get("result") if found else None
        name = result.get("username") if isinstance(result, dict) else None
    return name if isinstance(name, str) and name else None


def _get_json(url: str, headers: dict[str, str]) -> dict[str, Any] | None:
    """A JSON object from ``url``; None when the bot cannot be asked (said why, on stderr)."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            data = json.loads(answer.read().decode("utf-8"))
    except (OSError, ValueError) as exc:
        complain("invite_bot_unreachable", error=str(exc).split("?")[0][:200])
        return None
    return data if isinstance(data, dict) else None
