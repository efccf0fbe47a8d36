"""``supportdesk sla hours|due`` and ``config check`` with corrections of the
production calendar in the config (a decree published after the release)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.cli_support import run_cli

PLAIN = """
[schedules.office]
hours = "09:00-18:00"
breaks = ["13:00-14:00"]
"""
CORRECTED = (
    PLAIN
    + """
[schedules.office.calendar_changes]
days_off = [2027-05-04]         # a decree published after the release
working_days = [2027-05-08]     # a Saturday worked in exchange
short_days = [2027-05-07]
"""
)


def _file(tmp_path: Path, text: str, name: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_sla_hours_and_due_show_the_corrections(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """May 2027: 8 hours off on the 4th, 8 on Saturday the 8th, 1 less on the 7th;
    two hours from Friday 30 April 16:00 fall on 5 May instead of 4 May."""
    plain, corrected = _file(tmp_path, PLAIN, "plain.toml"), _file(tmp_path, CORRECTED, "c.toml")
    hours = [
        run_cli(capsys, "sla", "hours", "--config", f, "--schedule", "office", "--month", "2027-05")
        for f in (plain, corrected)
    ]
    assert [h.code for h in hours] == [0, 0]
    assert float(hours[1].out) == float(hours[0].out) - 1
    due = [
        run_cli(capsys, "sla", "due", "--config", f, "--schedule", "office",
                "--from", "2027-04-30T16:00", "--minutes", "120")
        for f in (plain, corrected)
    ]  # fmt: skip
    assert [d.out.strip() for d in due] == [
        "2027-05-04T10:00:00+03:00",
        "2027-05-05T10:00:00+03:00",
    ]


def test_config_check_refuses_a_date_given_twice(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = CORRECTED.replace("short_days = [2027-05-07]", "short_days = [2027-05-04]")
    path = _file(tmp_path, text, "twice.toml")
    result = run_cli(capsys, "config", "check", path)
    assert result.code == 2
    first = result.err.splitlines()[0]
    days_off = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("days_off"))
    assert first.startswith(f"{path}:{days_off + 2}: ")  # the short_days line
    assert f"дата 2027-05-04 уже указана в строке {days_off}" in first
