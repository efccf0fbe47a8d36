"""``supportdesk sla due|hours`` from a config file that holds only schedules."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.cli_support import run_cli

SCHEDULES = """
[schedules.office]
timezone = "Europe/Moscow"
hours = "09:00-18:00"
breaks = ["13:00-14:00"]

[schedules.ekb]
timezone = "Asia/Yekaterinburg"
calendar = "none"
hours = "08:00-17:00"

[schedules.always]
round_the_clock = true
"""


@pytest.fixture
def schedules(tmp_path: Path) -> str:
    path = tmp_path / "schedules.toml"
    path.write_text(SCHEDULES, encoding="utf-8")
    return str(path)


def _due(
    capsys: pytest.CaptureFixture[str], config: str, schedule: str, start: str, minutes: int
) -> str:
    result = run_cli(
        capsys,
        "sla",
        "due",
        "--config",
        config,
        "--schedule",
        schedule,
        "--from",
        start,
        "--minutes",
        str(minutes),
    )
    assert result.code == 0, result.err
    return result.out.strip()


def test_due_prints_iso_with_the_schedule_offset(
    capsys: pytest.CaptureFixture[str], schedules: str
) -> None:
    """30 business minutes from 09:00 MSK given in UTC end at 09:30+03:00."""
    assert _due(capsys, schedules, "office", "2026-05-04T06:00:00+00:00", 30) == (
        "2026-05-04T09:30:00+03:00"
    )


def test_a_naive_start_is_read_in_the_schedule_zone(
    capsys: pytest.CaptureFixture[str], schedules: str
) -> None:
    """A start without an offset is local time of the schedule: Friday 1 May 2026
    17:00 is a holiday, so 90 minutes run from Monday 09:00 (RU calendar)."""
    assert _due(capsys, schedules, "office", "2026-05-01T17:00", 90) == "2026-05-04T10:30:00+03:00"


def test_due_skips_the_lunch_break(capsys: pytest.CaptureFixture[str], schedules: str) -> None:
    """An hour from 12:30 is 12:30-13:00 plus 14:00-14:30."""
    assert _due(capsys, schedules, "office", "2026-05-05T12:30", 60) == "2026-05-05T14:30:00+03:00"


def test_due_in_another_timezone(capsys: pytest.CaptureFixture[str], schedules: str) -> None:
    """Yekaterinburg hours with the plain week: Friday 16:30 + 60 min is Monday 08:30+05:00."""
    assert _due(capsys, schedules, "ekb", "2026-05-08T16:30", 60) == "2026-05-11T08:30:00+05:00"


@pytest.mark.parametrize(
    ("schedule", "month", "hours"),
    [
        ("office", "2026-05", "151"),  # 19 working days of 8 h, 8 May one hour shorter
        ("always", "2026-02", "672"),  # 28 days round the clock
        ("ekb", "2026-05", "189"),  # 21 weekdays of 9 h, no holiday calendar
    ],
)
def test_hours_prints_business_hours_of_the_month(
    capsys: pytest.CaptureFixture[str], schedules: str, schedule: str, month: str, hours: str
) -> None:
    """``sla hours`` prints the month's business hours as a plain number."""
    result = run_cli(
        capsys, "sla", "hours", "--config", schedules, "--schedule", schedule, "--month", month
    )
    assert (result.code, result.out.strip()) == (0, hours)


def test_an_unknown_schedule_lists_the_known_ones(
    capsys: pytest.CaptureFixture[str], schedules: str
) -> None:
    """Naming a schedule the file lacks exits 2 and says which ones it has."""
    result = run_cli(
        capsys, "sla", "hours", "--config", schedules, "--schedule", "night", "--month", "2026-05"
    )
    assert result.code == 2
    assert "нет расписания «night»" in result.err
    assert "always, ekb, office" in result.err


def test_a_bad_config_file_is_reported_with_its_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A bad time in the schedules file: exit 2 and FILE:LINE: reason."""
    path = tmp_path / "bad.toml"
    path.write_text('[schedules.office]\nhours = "9:00-18:70"\n', encoding="utf-8")
    result = run_cli(
        capsys, "sla", "hours", "--config", str(path), "--schedule", "office", "--month", "2026-05"
    )
    assert result.code == 2
    assert result.err.startswith(f"{path}:2: неверное время «18:70»")


@pytest.mark.parametrize(
    ("option", "value"), [("--from", "вчера"), ("--minutes", "-5"), ("--month", "2026-13")]
)
def test_bad_arguments_are_refused(
    capsys: pytest.CaptureFixture[str], schedules: str, option: str, value: str
) -> None:
    """A start that is not ISO 8601, negative minutes or a bad month: exit 2 with a reason."""
    args = {"--from": "2026-05-04T09:00", "--minutes": "10", "--month": "2026-05"}
    args[option] = value
    command = "hours" if option == "--month" else "due"
    keys = ["--month"] if command == "hours" else ["--from", "--minutes"]
    pairs = [item for key in keys for item in (key, args[key])]
    result = run_cli(capsys, "sla", command, "--config", schedules, "--schedule", "office", *pairs)
    assert result.code == 2
    assert f"«{value}»" in result.err
