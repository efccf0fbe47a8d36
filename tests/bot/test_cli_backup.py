"""``supportdesk backup`` and ``supportdesk restore`` on real databases.

SQLite: a backup taken while another process keeps registering tickets is a
consistent snapshot (intact, its audit chain whole); restored, ``audit verify``
passes on it and the old database is kept aside; a file that is not a backup (not
SQLite, another SQLite database, a damaged or tampered copy) is refused with
nothing changed, and so is a database another process has open.
PostgreSQL: refused with the pg_dump / pg_restore commands, which work as printed.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.services.config import apply_config
from bot.services.tickets import TicketService
from desk.config import load_config
from desk.enums import Category, Priority
from desk.model import User
from storage.database import Database
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.uow import UnitOfWorkFactory
from tests.bot.cli_support import ROOT, Result, run_cli
from tests.conftest import DEMO_CONFIG, DEMO_USER, PgServer

QUESTION = "Не проводится реализация: ошибка при записи"
ASIDE = "supportdesk.sqlite3.before-restore-????????-??????"  # (its -wal beside it, if any)


def _url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


async def _seed_demo(factory: UnitOfWorkFactory) -> None:
    """As the ``demo_uow_factory`` fixture: the demo config and user 1001 of DEMO."""
    now = datetime.now(UTC)
    async with factory() as uow:
        await apply_config(uow, load_config(DEMO_CONFIG), source=str(DEMO_CONFIG), now=now)
        await uow.users.bind(User(DEMO_USER, "DEMO", "Иван", now, "ivan"))


async def _register(factory: UnitOfWorkFactory, count: int) -> None:
    service = TicketService()
    for _ in range(count):
        async with factory() as uow:
            await service.create_ticket(
                uow,
                requester_id=1001,
                subject="Не проводится реализация",
                text=QUESTION,
                priority=Priority.MEDIUM,
                category=Category.INCIDENT,
            )


async def _make_desk(url: str, tickets: int) -> None:
    """A migrated database with the demo config, user 1001 and ``tickets`` tickets."""
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    database = await Database.open(url)
    try:
        await _seed_demo(database.uow)
        await _register(database.uow, tickets)
    finally:
        await database.close()


def desk(path: Path, tickets: int = 3) -> Path:
    asyncio.run(_make_desk(_url(path), tickets))
    return path


def count(path: Path, table: str = "tickets") -> int:
    with sqlite3.connect(path) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def leftovers(directory: Path) -> list[str]:
    """Temporary files of a backup or restore left behind (none, ever)."""
    names = (p.name for p in directory.iterdir())
    return sorted(n for n in names if ".partial-" in n or ".restoring-" in n)


def test_backup_then_restore_into_a_new_place_passes_audit_verify(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = desk(tmp_path / "live" / "supportdesk.sqlite3")
    out = tmp_path / "backups" / "desk.sqlite3"
    made = run_cli(capsys, "backup", "--out", str(out), "--database-url", _url(live))
    assert made.code == 0, made.err
    assert f"Копия базы записана: {out}" in made.out
    assert "заявок — 3" in made.out
    assert not list(out.parent.glob("desk.sqlite3-*"))  # one self-contained file
    assert leftovers(out.parent) == []

    again = run_cli(capsys, "backup", "--out", str(out), "--database-url", _url(live))
    assert again.code == 1
    assert "уже есть" in again.err

    target = tmp_path / "restored" / "supportdesk.sqlite3"
    restored = run_cli(capsys, "restore", "--from", str(out), "--database-url", _url(target))
    assert restored.code == 0, restored.err
    assert "цепочка хешей цела" in restored.out
    assert count(target) == 3
    verified = run_cli(capsys, "audit", "verify", "--database-url", _url(target))
    assert verified.code == 0, verified.err
    assert "Журнал аудита цел" in verified.out
    assert leftovers(target.parent) == []


WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from storage.database import Database
    from tests.bot.test_cli_backup import _register

    async def main(url):
        database = await Database.open(url)
        written = 0
        try:
            while not sys.stdin.closed:
                await _register(database.uow, 1)
                written += 1
                print(written, flush=True)
                if written >= 5000:
                    break
        finally:
            await database.close()

    asyncio.run(main(sys.argv[1]))
    """
)


def test_a_backup_taken_while_tickets_are_registered_is_consistent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another process registers tickets (each one ticket, its number, its audit
    events) without pause; backups taken meanwhile are each a whole snapshot."""
    live = desk(tmp_path / "supportdesk.sqlite3", tickets=1)
    copies: list[tuple[Path, int]] = []
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, _url(live)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as writer:
        assert writer.stdout is not None
        try:
            for i in range(4):
                started = int(writer.stdout.readline())  # the writer is writing
                out = tmp_path / f"copy-{i}.sqlite3"
                made = run_cli(capsys, "backup", "--out", str(out), "--database-url", _url(live))
                assert made.code == 0, made.err
                copies.append((out, started))
            later = int(writer.stdout.readline())
        finally:
            writer.terminate()
    assert later > copies[-1][1]  # it went on writing after the last copy
    seen = []
    for out, started in copies:
        tickets = count(out)
        assert tickets >= 1 + started  # at least what was committed before it began
        verified = run_cli(capsys, "audit", "verify", "--database-url", _url(out))
        assert verified.code == 0, (out, verified.err)
        events = count(out, "audit_events")
        with sqlite3.connect(out) as connection:
            head = connection.execute("SELECT count FROM audit_head").fetchone()[0]
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            number = connection.execute(
                "SELECT last_number FROM ticket_counters WHERE client_code = 'DEMO'"
            ).fetchone()[0]
        assert head == events  # the chain's head and its events from one moment
        assert number == tickets  # the counter and the tickets too
        seen.append(tickets)
    assert seen == sorted(seen)


def test_restore_keeps_the_old_database_aside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = desk(tmp_path / "a" / "supportdesk.sqlite3", tickets=2)
    other = desk(tmp_path / "b" / "supportdesk.sqlite3", tickets=5)
    out = tmp_path / "b.backup"
    assert run_cli(capsys, "backup", "--out", str(out), "--database-url", _url(other)).code == 0
    done = run_cli(capsys, "restore", "--from", str(out), "--database-url", _url(old))
    assert done.code == 0, done.err
    assert count(old) == 5
    (aside,) = old.parent.glob(ASIDE)
    assert f"Прежняя база сохранена как {aside}" in done.out
    assert count(aside) == 2
    assert run_cli(capsys, "audit", "verify", "--database-url", _url(aside)).code == 0
    assert run_cli(capsys, "audit", "verify", "--database-url", _url(old)).code == 0
    assert out.read_bytes()[:16] == b"SQLite format 3\x00"  # the backup itself is untouched


def test_a_backup_of_an_older_schema_is_restored_and_told_to_upgrade(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A backup made before the last migrations: restored as it is; ``db upgrade``
    then ``audit verify`` as the command says."""
    old = tmp_path / "old.sqlite3"

    async def at_0010() -> None:
        engine = create_engine(_url(old))
        try:
            await upgrade(engine, "0010_incidents")
        finally:
            await engine.dispose()

    asyncio.run(at_0010())
    target = tmp_path / "live" / "supportdesk.sqlite3"
    done = run_cli(capsys, "restore", "--from", str(old), "--database-url", _url(target))
    assert done.code == 0, done.err
    assert "ревизия схемы 0010_incidents" in done.out
    assert "supportdesk db upgrade, затем supportdesk audit verify" in done.out
    assert run_cli(capsys, "db", "upgrade", "--database-url", _url(target)).code == 0
    assert run_cli(capsys, "audit", "verify", "--database-url", _url(target)).code == 0


def _refused(result: Result, live: Path, tickets: int, *words: str) -> None:
    assert result.code == 1
    assert "база не тронута" in result.err, result.err
    for word in words:
        assert word in result.err, result.err
    assert count(live) == tickets
    assert not list(live.parent.glob("*.before-restore-*"))
    assert leftovers(live.parent) == []


@pytest.fixture
def live(tmp_path: Path) -> Path:
    return desk(tmp_path / "live" / "supportdesk.sqlite3", tickets=4)


def test_a_file_that_is_not_sqlite_is_refused_and_nothing_is_lost(
    live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("это не база\n" * 100, encoding="utf-8")
    result = run_cli(capsys, "restore", "--from", str(bogus), "--database-url", _url(live))
    _refused(result, live, 4, "не база SQLite")
    missing = run_cli(
        capsys, "restore", "--from", str(tmp_path / "nope"), "--database-url", _url(live)
    )
    _refused(missing, live, 4, "нет")


def test_another_sqlite_database_is_refused(
    live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE notes (text)")
    result = run_cli(capsys, "restore", "--from", str(foreign), "--database-url", _url(live))
    _refused(result, live, 4, "не supportdesk", "tickets")


def test_a_damaged_backup_is_refused(
    live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "copy.sqlite3"
    assert run_cli(capsys, "backup", "--out", str(out), "--database-url", _url(live)).code == 0
    data = bytearray(out.read_bytes())
    page = 4096
    for start in range(page, len(data), page):  # every page after the first, scrambled
        data[start + 10 : start + 200] = os.urandom(190)
    out.write_bytes(bytes(data))
    result = run_cli(capsys, "restore", "--from", str(out), "--database-url", _url(live))
    _refused(result, live, 4)
    assert "повреждена" in result.err or "не читается" in result.err, result.err


def test_a_backup_whose_audit_trail_was_changed_is_refused(
    live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "copy.sqlite3"
    assert run_cli(capsys, "backup", "--out", str(out), "--database-url", _url(live)).code == 0
    with sqlite3.connect(out) as connection:
        connection.execute("UPDATE audit_events SET new = 'подменено' WHERE id = 1")
    result = run_cli(capsys, "restore", "--from", str(out), "--database-url", _url(live))
    _refused(result, live, 4, "цепочка хешей")


HOLDER = textwrap.dedent(
    """
    import sqlite3, sys
    connection = sqlite3.connect(sys.argv[1])
    connection.execute("SELECT count(*) FROM tickets").fetchone()
    print("open", flush=True)
    sys.stdin.read()
    connection.close()
    """
)


def test_a_database_another_process_has_open_is_not_replaced_unless_forced(
    live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = desk(tmp_path / "other" / "supportdesk.sqlite3", tickets=1)
    out = tmp_path / "other.backup"
    assert run_cli(capsys, "backup", "--out", str(out), "--database-url", _url(other)).code == 0
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(live)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdout is not None
        assert holder.stdin is not None
        assert holder.stdout.readline().strip() == "open"
        result = run_cli(capsys, "restore", "--from", str(out), "--database-url", _url(live))
        _refused(result, live, 4, "открыта другим процессом")
        forced = run_cli(
            capsys, "restore", "--from", str(out), "--database-url", _url(live), "--force"
        )
        assert forced.code == 0, forced.err
        holder.stdin.close()
    assert count(live) == 1
    (aside,) = live.parent.glob(ASIDE)
    assert count(aside) == 4


def test_the_new_commands_load_no_telegram(tmp_path: Path) -> None:
    live = desk(tmp_path / "supportdesk.sqlite3", tickets=1)
    probe = textwrap.dedent(
        """
        import sys
        from bot.cli import main
        code = main(sys.argv[1:])
        print("LOADED", code, "aiogram" in sys.modules, "prometheus_client" in sys.modules)
        """
    )
    for args in (
        ["backup", "--out", str(tmp_path / "copy.sqlite3")],
        ["restore", "--from", str(tmp_path / "copy.sqlite3"), "--force"],
    ):
        done = subprocess.run(
            [sys.executable, "-c", probe, *args, "--database-url", _url(live)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.stdout.strip().endswith("LOADED 0 False False"), done.stdout + done.stderr


@pytest.mark.postgres
def test_postgres_is_refused_with_pg_dump_commands_that_work(
    pg_server: PgServer,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if not (shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("psql")):
        pytest.skip("the PostgreSQL client tools are not installed")
    name = f"{pg_server.prefix}_backup"
    url = pg_server.create(name, template=request.getfixturevalue("_pg_template"))
    pg_server.created.append(f"{name}_restored")  # the restore below makes it; dropped at the end

    async def seed() -> None:
        database = await Database.open(url)
        try:
            await _seed_demo(database.uow)
            await _register(database.uow, 3)
        finally:
            await database.close()

    asyncio.run(seed())
    dump = tmp_path / "desk.dump"
    refused = run_cli(capsys, "backup", "--out", str(dump), "--database-url", url)
    assert refused.code == 1
    assert "pg_dump" in refused.err
    commands = [line.strip() for line in refused.err.splitlines() if line.startswith("  ")]
    assert [c.split()[0] for c in commands] == ["pg_dump", "psql", "pg_restore", "supportdesk"]
    assert "password" not in refused.err.lower() or "PGPASSWORD" in refused.err
    for command in commands[:3]:
        subprocess.run(command, shell=True, check=True, timeout=300, capture_output=True)
    verify = commands[3].split()
    verified = run_cli(capsys, *verify[1:])
    assert verified.code == 0, verified.err
    assert "Журнал аудита цел" in verified.out

    restore = run_cli(capsys, "restore", "--from", str(dump), "--database-url", url)
    assert restore.code == 1
    assert "pg_restore" in restore.err
