"""Backing up and restoring a SQLite database (``supportdesk backup`` / ``restore``).

- **Backup** uses SQLite's online backup API (``sqlite3.Connection.backup``) in
  one step: the copy is one read transaction, a snapshot of the last commit, while
  the bot goes on writing (WAL: readers and the writer do not block each other).
  It is written next to the target under a temporary name, checked
  (``PRAGMA integrity_check``), turned into a self-contained file (journal mode
  DELETE: no ``-wal`` beside it) and only then renamed into place.
- **Restore** copies the backup the same way into a temporary file next to the
  database (the backup itself is never opened for writing), checks it is a
  SQLite file, intact, and a supportdesk database at a schema revision this code
  knows, refuses while another process has the database open (``in_use``), moves
  the old database aside with its ``-wal`` (``<name>.before-restore-<time>``, as
  it was, even damaged) and renames the copy into place.
  Whatever fails before that rename leaves the database as it was.

PostgreSQL is backed up with its own tools (``pg_dump``/``pg_restore``: README).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from storage.errors import StorageError

HEADER = b"SQLite format 3\x00"
BUSY_MS = 30_000
# A connection to a database in WAL mode holds a shared lock on this byte of the
# ``-shm`` file for as long as it is open (SQLite's os_unix.c: UNIX_SHM_DMS).
_SHM_DMS = 128
# A supportdesk database has these (the migrations' first revision makes them).
_REQUIRED = frozenset({"alembic_version", "tickets", "audit_events", "audit_head"})


class BackupError(StorageError):
    """Why a backup or restore was refused: ``kind`` (one of ``KINDS``) and the
    details it names (``path``, ``problem``, ``revision``), for the CLI to word."""

    KINDS = (
        "no_database",  # path: the live database file is missing
        "out_exists",  # path: the backup's target exists (--force)
        "same_file",  # path: the backup and the database are one file
        "no_file",  # path: the backup to restore is missing
        "not_sqlite",  # path: not a SQLite file at all
        "unreadable",  # path, problem: SQLite cannot read it
        "damaged",  # path, problem: integrity_check failed
        "not_supportdesk",  # path, problem: tables missing
        "unknown_revision",  # path, revision: a schema this code does not know
        "in_use",  # path: another process has the database open
    )

    def __init__(self, kind: str, path: Path, problem: str = "", revision: str = "") -> None:
        assert kind in self.KINDS, kind
        super().__init__(f"{kind}: {path} {problem or revision}".rstrip())
        self.kind, self.path, self.problem, self.revision = kind, path, problem, revision


@dataclass(frozen=True)
class Facts:
    """What a checked copy holds."""

    path: Path
    size: int  # bytes
    revision: str | None  # the Alembic revision it is at
    tickets: int
    audit_events: int


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    else:
        connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    return connection


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _remove(path: Path) -> None:
    for file in (path, *_sidecars(path)):
        file.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def known_revisions() -> frozenset[str]:
    """Every schema revision this code's migrations know."""
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config())
    return frozenset(script.revision for script in scripts.walk_revisions())


def single_file(path: Path) -> None:
    """Fold a database's ``-wal`` into it and switch it to journal mode DELETE, so
    it is one file that can be renamed (the bot turns WAL on again when it opens it)."""
    connection = _connect(path)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()


def is_sqlite_file(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(len(HEADER)) == HEADER


def in_use(database: Path) -> bool:
    """True while another process has ``database`` open (the bot, ``supportdesk
    web``, a ``sqlite3`` shell): it holds its lock on the ``-shm`` file.

    Closing a descriptor drops every POSIX lock this process has on that file, so
    this process must not have ``database`` open itself when it asks."""
    shm = database.with_name(database.name + "-shm")
    try:
        fd = os.open(shm, os.O_RDWR)
    except FileNotFoundError:
        return False  # nobody has opened it since the last one closed it
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SHM_DMS)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, _SHM_DMS)
        return False
    finally:
        os.close(fd)


def _copy(source: Path, target: Path, *, read_only: bool) -> None:
    """``source`` into a new ``target`` with the online backup API, in one step."""
    src = _connect(source, read_only=read_only)
    try:
        dst = _connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def check(path: Path, known: frozenset[str] = frozenset()) -> Facts:
    """Check a copy (not the live database): intact, a supportdesk database, at a
    revision in ``known`` (when given); made self-contained.  ``BackupError`` if not."""
    try:
        connection = _connect(path)
        try:
            verdict = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            if verdict != ["ok"]:
                raise BackupError("damaged", path, "; ".join(verdict[:3]))
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            missing = sorted(_REQUIRED - tables)
            if missing:
                raise BackupError("not_supportdesk", path, ", ".join(missing))
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            tickets = connection.execute("SELECT count(*) FROM tickets").fetchone()[0]
            events = connection.execute("SELECT count(*) FROM audit_events").fetchone()[0]
            connection.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError("unreadable", path, str(exc)) from None
    found = None if revision is None else str(revision[0])
    if known and found not in known:
        raise BackupError("unknown_revision", path, revision=str(found))
    return Facts(path, path.stat().st_size, found, int(tickets), int(events))


def backup(database: Path, out: Path, *, overwrite: bool = False) -> Facts:
    """Copy the live ``database`` into ``out`` (see the module's note)."""
    if not database.is_file():
        raise BackupError("no_database", database)
    if out.resolve() == database.resolve():
        raise BackupError("same_file", out)
    if out.exists() and not overwrite:
        raise BackupError("out_exists", out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial-{os.getpid()}")
    _remove(partial)
    try:
        _copy(database, partial, read_only=False)
        facts = check(partial)
        _fsync(partial)
        partial.replace(out)
    except sqlite3.DatabaseError as exc:
        raise BackupError("unreadable", database, str(exc)) from None
    finally:
        _remove(partial)
    return Facts(out, facts.size, facts.revision, facts.tickets, facts.audit_events)


@dataclass(frozen=True)
class Staged:
    """A backup copied next to the database and checked, waiting to be put in place."""

    copy: Path
    target: Path
    facts: Facts

    def discard(self) -> None:
        _remove(self.copy)


def stage(source: Path, target: Path, known: frozenset[str]) -> Staged:
    """Copy the backup ``source`` next to ``target`` and check the copy."""
    if not source.is_file():
        raise BackupError("no_file", source)
    if source.resolve() == target.resolve():
        raise BackupError("same_file", source)
    if not is_sqlite_file(source):
        raise BackupError("not_sqlite", source)
    target.parent.mkdir(parents=True, exist_ok=True)
    copy = target.with_name(f".{target.name}.restoring-{os.getpid()}")
    _remove(copy)
    try:
        _copy(source, copy, read_only=True)
        facts = check(copy, known)
    except sqlite3.DatabaseError as exc:
        _remove(copy)
        raise BackupError("unreadable", source, str(exc)) from None
    except BackupError as exc:  # said of the copy: it is the backup's
        _remove(copy)
        raise BackupError(exc.kind, source, exc.problem, exc.revision) from None
    except BaseException:
        _remove(copy)
        raise
    return Staged(copy, target, facts)


def put_in_place(staged: Staged, now: datetime, *, force: bool = False) -> Path | None:
    """Replace the database with the staged copy; where the old one was kept (None:
    there was none).  Refused while another process has it open, unless ``force``."""
    target = staged.target
    if target.exists() and in_use(target) and not force:
        raise BackupError("in_use", target)
    _fsync(staged.copy)
    aside = None
    if target.exists():
        # moved whole, with its -wal (what was committed and not yet checkpointed) and
        # any -journal: opened later, it is the database as it was, damaged or not
        aside = target.with_name(f"{target.name}.before-restore-{now:%Y%m%d-%H%M%S}")
        for suffix in ("-wal", "-journal", ""):
            old = target.with_name(target.name + suffix)
            if old.exists():
                old.replace(aside.with_name(aside.name + suffix))
    for sidecar in _sidecars(target):  # left over: they would corrupt the new database
        sidecar.unlink(missing_ok=True)
    staged.copy.replace(target)
    with contextlib.suppress(OSError):  # the rename itself, durable
        _fsync(target.parent)
    return aside
