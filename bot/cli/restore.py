"""``supportdesk restore --from FILE``: a SQLite backup back in place of the database.

Nothing changes until the backup is known good: it is copied next to the
database and checked there (a SQLite file, intact, a supportdesk database at a
schema revision this version knows, its audit trail's hash chain whole when the
schema is current).  The database is replaced only if no other process has it
open (the bot, ``supportdesk web``; ``--force`` overrides), and the old one is
kept beside it, as it was, as ``<name>.before-restore-<time>`` (``storage.backup``).
PostgreSQL: refused, with the ``pg_restore`` commands (README).
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.backup import sqlite_file
from bot.cli.database import add_database_option, database_url
from bot.cli.output import complain, say

if TYPE_CHECKING:
    from storage.backup import BackupError, Staged


def register(restore: argparse.ArgumentParser) -> None:
    restore.add_argument(
        "--from", dest="source", type=Path, required=True, metavar="FILE", help="файл копии"
    )
    restore.add_argument(
        "--force",
        action="store_true",
        help="заменить базу, даже если её держит открытой другой процесс (остановите бота)",
    )
    add_database_option(restore)
    restore.set_defaults(handler=_restore)


def _refused(exc: BackupError) -> int:
    complain(
        "restore_error", kind=exc.kind, path=exc.path, problem=exc.problem, revision=exc.revision
    )
    return 1


async def _audit_problems(staged: Staged) -> list[str]:
    """The staged copy's audit chain verified as ``supportdesk audit verify`` does."""
    from storage.backup import single_file
    from storage.database import Database

    database = await Database.open(f"sqlite+aiosqlite:///{staged.copy}")
    try:
        async with database.uow() as uow:
            problems = await uow.audit.verify()
    finally:
        await database.close()
    single_file(staged.copy)  # our engine turned WAL on: one file again, for the rename
    return [f"{p.event_id}: {p.kind}" for p in problems]


def _restore(args: argparse.Namespace) -> int:
    from storage.backup import BackupError, known_revisions, put_in_place, stage
    from storage.migrate import head_revision

    target = sqlite_file(args, "restore", args.source)
    if target is None:
        return 1
    try:
        staged = stage(args.source, target, known_revisions())
    except BackupError as exc:
        return _refused(exc)
    try:
        current = staged.facts.revision == head_revision()
        if current:
            problems = asyncio.run(_audit_problems(staged))
            if problems:
                complain("restore_audit_broken", source=args.source, problems=problems)
                return 1
        aside = put_in_place(staged, datetime.now(UTC), force=args.force)
    except BackupError as exc:
        return _refused(exc)
    finally:
        staged.discard()
    say(
        "restore_done",
        facts=staged.facts,
        source=args.source,
        target=target,
        aside=aside,
        verified=current,
        url=database_url(args),
    )
    return 0
