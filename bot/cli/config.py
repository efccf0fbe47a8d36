"""``supportdesk config``: check a config file, or apply it to the database.

``apply`` validates the whole file first, then syncs it in one transaction
with audit events; a bad file is reported as FILE:LINE: reason with exit
code 2 and nothing is applied.
"""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.database import add_database_option, with_database
from bot.cli.output import complain, say
from desk.config import DeskConfig, load_config
from desk.errors import ConfigError

if TYPE_CHECKING:
    from storage.database import Database


def register(config: argparse.ArgumentParser) -> None:
    commands = config.add_subparsers(dest="config_command", metavar="COMMAND", required=True)

    check = commands.add_parser("check", help="проверить файл, ничего не меняя")
    check.add_argument("file", type=Path, metavar="FILE")
    check.set_defaults(handler=_check)

    apply = commands.add_parser("apply", help="проверить файл и применить его к базе данных")
    apply.add_argument("file", type=Path, metavar="FILE")
    add_database_option(apply)
    apply.set_defaults(handler=_apply)


def _load(path: Path, *, applying: bool) -> DeskConfig | None:
    try:
        return load_config(path)
    except ConfigError as exc:
        complain("config_error", error=exc, applying=applying)
        return None


def _check(args: argparse.Namespace) -> int:
    config = _load(args.file, applying=False)
    if config is None:
        return 2
    say("config_checked", file=str(args.file), config=config)
    return 0


def _apply(args: argparse.Namespace) -> int:
    config = _load(args.file, applying=True)
    if config is None:
        return 2

    from bot.services.config import apply_config  # storage: only when applying

    async def run(database: Database) -> int:
        try:
            async with database.uow() as uow:
                changes = await apply_config(
                    uow, config, source=str(args.file), now=datetime.now(UTC)
                )
        except ConfigError as exc:
            complain("config_error", error=exc, applying=True)
            return 2
        counts = Counter((c.kind, c.action.value) for c in changes)
        say("config_applied", file=str(args.file), changes=changes, counts=counts)
        return 0

    return with_database(args, run)
