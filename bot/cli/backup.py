"""``supportdesk backup --out FILE``: a consistent copy of the database, while the bot runs.

SQLite: SQLite's online backup API (``storage.backup``): one read transaction,
a snapshot of the last commit; the bot goes on writing meanwhile.  The copy is
checked (``PRAGMA integrity_check``) and is one self-contained file.
PostgreSQL: refused, with the ``pg_dump`` and ``pg_restore`` commands to use
instead (README, "Operators": backup and restore).
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from bot.cli.database import add_database_option, database_url
from bot.cli.output import complain, say


def register(backup: argparse.ArgumentParser) -> None:
    backup.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="куда записать копию"
    )
    backup.add_argument("--force", action="store_true", help="заменить FILE, если он есть")
    add_database_option(backup)
    backup.set_defaults(handler=_backup)


def pg_commands(url: str, file: str) -> dict[str, str]:
    """The pg_dump and pg_restore commands for the database ``url`` names (no password:
    PGPASSWORD or ~/.pgpass), and the new database a restore goes into."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url).set(drivername="postgresql", password=None)
    name = parsed.database or "supportdesk"
    restored = parsed.set(database=f"{name}_restored")
    plain = parsed.render_as_string(hide_password=False)
    target = restored.render_as_string(hide_password=False)
    server = parsed.set(database="postgres").render_as_string(hide_password=False)
    app_url = restored.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    quoted = shlex.quote(file)
    return {
        "dump": f"pg_dump --format=custom --no-owner --file={quoted} {shlex.quote(plain)}",
        "create": f"psql {shlex.quote(server)} -c 'CREATE DATABASE \"{name}_restored\"'",
        "restore": (
            "pg_restore --no-owner --exit-on-error --single-transaction "
            f"--dbname={shlex.quote(target)} {quoted}"
        ),
        "verify": f"supportdesk audit verify --database-url {shlex.quote(app_url)}",
        "file": quoted,
    }


def sqlite_file(args: argparse.Namespace, verb: str, file: Path) -> Path | None:
    """The SQLite file ``verb`` ("backup" or "restore") works on; None, said, for a
    PostgreSQL database (with the pg_dump / pg_restore commands for ``file``) or
    one in memory."""
    from storage.engine import sqlite_path

    url = database_url(args)
    if url.startswith("postgresql"):
        complain(f"{verb}_postgres", **pg_commands(url, str(file)))
        return None
    path = sqlite_path(url)
    if path is None:
        complain(f"{verb}_error", kind="no_database", path=":memory:", problem="", revision="")
    return path


def _backup(args: argparse.Namespace) -> int:
    from storage.backup import BackupError, backup

    path = sqlite_file(args, "backup", args.out)
    if path is None:
        return 1
    try:
        facts = backup(path, args.out, overwrite=args.force)
    except BackupError as exc:
        complain("backup_error", kind=exc.kind, path=exc.path, problem=exc.problem, revision="")
        return 1
    say("backup_written", facts=facts, source=path)
    return 0
