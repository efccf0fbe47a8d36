"""``supportdesk config check|apply``: validate; sync idempotently with audit; refuse bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.cli_support import DEMO_CONFIG, EXAMPLE_CONFIG, run_cli, seed_tickets, sql

DEMO = DEMO_CONFIG.read_text(encoding="utf-8")


def _snapshot(url: str) -> tuple[object, ...]:
    """Everything ``config apply`` may touch, to show that nothing changed."""
    return tuple(
        sql(url, f"SELECT * FROM {table} ORDER BY 1")
        for table in (
            "schedules",
            "contracts",
            "contract_targets",
            "teams",
            "clients",
            "staff",
            "invites",
            "contract_terms",
            "client_managers",
            "audit_events",
        )
    )


def _write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_apply_adds_everything_and_audits_each_change(
    capsys: pytest.CaptureFixture[str], migrated_url: str
) -> None:
    """The example config goes in whole: clients, staff... each with an audit event."""
    result = run_cli(capsys, "config", "apply", str(EXAMPLE_CONFIG), "--database-url", migrated_url)
    assert result.code == 0, result.err
    assert "+ клиент ROGA" in result.out
    assert "+ сотрудник 2003" in result.out
    assert sql(migrated_url, "SELECT code FROM clients ORDER BY code") == [("ROGA",), ("VOST",)]
    assert "+ условия договора standard" in result.out
    assert "+ типы заявок договора standard" in result.out
    # 14 entries, the terms of its 2 contracts, ROGA's managers, people and request types
    assert sql(migrated_url, "SELECT count(*) FROM audit_events WHERE actor = 'config'") == [(19,)]


def test_a_second_apply_changes_nothing(
    capsys: pytest.CaptureFixture[str], migrated_url: str
) -> None:
    """Applying the same file again reports no changes and writes no audit events."""
    run_cli(capsys, "config", "apply", str(EXAMPLE_CONFIG), "--database-url", migrated_url)
    before = _snapshot(migrated_url)
    result = run_cli(capsys, "config", "apply", str(EXAMPLE_CONFIG), "--database-url", migrated_url)
    assert result.code == 0
    assert "изменений нет" in result.out
    assert _snapshot(migrated_url) == before


def test_a_changed_value_is_updated_with_old_and_new_in_the_audit(
    capsys: pytest.CaptureFixture[str], migrated_url: str, tmp_path: Path
) -> None:
    """Renaming a consultant updates that one row and records the old and new value."""
    run_cli(capsys, "config", "apply", str(DEMO_CONFIG), "--database-url", migrated_url)
    renamed = _write(tmp_path, DEMO.replace("Борис Ким", "Борис Кимов"))
    result = run_cli(capsys, "config", "apply", str(renamed), "--database-url", migrated_url)
    assert result.code == 0
    assert "~ сотрудник 2002" in result.out
    query = "SELECT old, new FROM audit_events WHERE what = 'config.staff' AND old IS NOT NULL"
    old, new = sql(migrated_url, query)[0]
    assert 'Борис Ким"' in old
    assert "Борис Кимов" in new
    assert sql(migrated_url, "SELECT name FROM staff WHERE telegram_id = 2002") == [
        ("Борис Кимов",)
    ]


BAD_FILES = [
    pytest.param(
        DEMO.replace('breaks = ["13:00-14:00"]', 'breaks = ["13:00-14:00"]\nlunch = "13:00"'),
        'lunch = "13:00"', "неизвестный ключ «lunch»", id="unknown key",
    ),
    pytest.param(
        DEMO.replace('hours = "09:00-18:00"', 'hours = "09:00-25:00"'),
        'hours = "09:00-25:00"', "неверное время «25:00»", id="bad time",
    ),
    pytest.param(
        DEMO.replace('schedule = "office"', 'schedule = "night"', 1),
        'schedule = "night"', "неизвестное расписание «night»", id="unknown schedule",
    ),
    pytest.param(
        DEMO + '\n[[clients]]\ncode = "DEMO"\nname = "Другое"\ncontract = "demo"\nteam = "demo"\n',
        'code = "DEMO"', "код клиента «DEMO» уже встречался в строке", id="duplicate client code",
    ),
    pytest.param(
        DEMO.replace("[teams.demo]", "[teams.demo"),
        "[teams.demo", "ошибка синтаксиса TOML", id="bad TOML",
    ),
    pytest.param(
        DEMO.replace("line = 1", "line = 3", 1),
        "line = 3", "линия поддержки должна быть 1 или 2", id="bad line",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("text", "culprit", "reason"), BAD_FILES)
def test_a_bad_file_is_refused_with_file_line_and_reason(
    capsys: pytest.CaptureFixture[str],
    migrated_url: str,
    tmp_path: Path,
    text: str,
    culprit: str,
    reason: str,
) -> None:
    """A bad file exits with code 2, says FILE:LINE: reason (the line of the
    culprit), and the database keeps exactly what it had -- the bad file also
    adds a schedule, which is not there afterwards."""
    run_cli(capsys, "config", "apply", str(DEMO_CONFIG), "--database-url", migrated_url)
    before = _snapshot(migrated_url)
    extra = '[schedules.extra]\nhours = "10:00-19:00"\n\n'
    text = text.replace("[contracts.demo]", extra + "[contracts.demo]", 1)
    path = _write(tmp_path, text)
    line = max(n for n, row in enumerate(text.splitlines(), 1) if row.strip() == culprit)
    result = run_cli(capsys, "config", "apply", str(path), "--database-url", migrated_url)
    assert result.code == 2
    first = result.err.splitlines()[0]
    assert first.startswith(f"{path}:{line}: ")
    assert reason in first
    assert "ничего не изменилось" in result.err
    assert _snapshot(migrated_url) == before


def test_a_refusal_half_way_through_the_sync_applies_nothing(
    capsys: pytest.CaptureFixture[str], migrated_url: str, tmp_path: Path
) -> None:
    """A valid file that drops a client with tickets is refused at that step,
    and the changes before it (a new schedule) are rolled back too."""
    run_cli(capsys, "config", "apply", str(DEMO_CONFIG), "--database-url", migrated_url)
    seed_tickets(migrated_url, 1)
    before = _snapshot(migrated_url)
    schedules_only = (
        DEMO.split("[contracts.demo]")[0] + '\n[schedules.extra]\nhours = "10:00-19:00"\n'
    )
    path = _write(tmp_path, schedules_only)
    result = run_cli(capsys, "config", "apply", str(path), "--database-url", migrated_url)
    assert result.code == 2
    assert "нельзя удалить" in result.err
    assert _snapshot(migrated_url) == before


def test_staff_who_own_tickets_are_deactivated_not_deleted(
    capsys: pytest.CaptureFixture[str], migrated_url: str, tmp_path: Path
) -> None:
    """Dropping consultants from the file keeps those who own tickets, inactive;
    applying the same file again is then a no-op."""
    run_cli(capsys, "config", "apply", str(DEMO_CONFIG), "--database-url", migrated_url)
    owner = seed_tickets(migrated_url, 1)[0].owner_id
    other = 2002 if owner == 2001 else 2001
    kept = DEMO.split("[[staff]]")
    kept_staff = [block for block in kept[1:] if f"telegram_id = {other}" in block]
    text = kept[0] + "[[staff]]" + kept_staff[0]
    text = text.replace("duty = 2001", f"duty = {other}")
    path = _write(tmp_path, text)
    assert run_cli(capsys, "config", "apply", str(path), "--database-url", migrated_url).code == 0
    rows = sql(migrated_url, "SELECT telegram_id, active FROM staff ORDER BY telegram_id")
    assert [(tid, bool(active)) for tid, active in rows] == sorted([(owner, False), (other, True)])
    again = run_cli(capsys, "config", "apply", str(path), "--database-url", migrated_url)
    assert "изменений нет" in again.out


def test_check_validates_without_a_database(capsys: pytest.CaptureFixture[str]) -> None:
    """``config check`` reports the counts of a good file and needs no database."""
    result = run_cli(capsys, "config", "check", str(EXAMPLE_CONFIG))
    assert result.code == 0
    assert "клиентов: 2" in result.out
