"""``supportdesk report --period`` outside the years a report can cover: a clean refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.cli_support import run_cli


@pytest.mark.parametrize("period", ["0001-W01", "9999-12", "2026-W54"])
def test_an_impossible_period_is_refused_with_exit_2_and_no_traceback(
    period: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The admin reads what a period must look like; nothing is written."""
    out = tmp_path / "r.html"
    url = f"sqlite+aiosqlite:///{tmp_path / 'none.db'}"
    args = ["report", "--client", "DEMO", "--period", period, "--out", str(out)]
    result = run_cli(capsys, *args, "--database-url", url)
    assert result.code == 2
    assert f"Неверный период «{period}»" in result.err
    assert "с 2000 по 2100" in result.err
    assert "Traceback" not in result.err
    assert not out.exists()
