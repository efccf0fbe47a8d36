"""A setting the environment gets wrong is said plainly, variable by variable, in
Russian, before a command starts anything: no traceback, exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.cli_support import run_cli


@pytest.mark.parametrize("command", [("run",), ("demo", "--port", "0"), ("web",)])
def test_bad_settings_are_named_with_what_they_should_be(
    command: tuple[str, ...],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the repository's own
    monkeypatch.setenv("SUPPORTDESK_LOG_FORMAT", "xml")
    monkeypatch.setenv("SUPPORTDESK_WEB_PORT", "восемь")
    monkeypatch.setenv("SUPPORTDESK_FAQ_EMBEDDINGS_DIM", "0")
    result = run_cli(capsys, *command)
    assert result.code == 2
    assert "Traceback" not in result.err
    assert "SUPPORTDESK_LOG_FORMAT=xml: допустимо: 'text', 'json'" in result.err
    assert "SUPPORTDESK_WEB_PORT=восемь: нужно целое число" in result.err
    assert "SUPPORTDESK_FAQ_EMBEDDINGS_DIM=0: нужно не меньше 1" in result.err
    assert not list(tmp_path.iterdir())  # nothing was started or written
