"""Commands that need no Telegram load no Telegram: each runs as its own
process and reports what it imported (issue 11: every command took 8-11 s
because building the parser imported aiogram's types)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
EXAMPLE = str(ROOT / "config.example.toml")

# Run the command, then print which heavy libraries it loaded (after its own output).
PROBE = """
import json, sys
from bot.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code or 0
loaded = {
    name: name in sys.modules
    for name in ("aiogram", "sqlalchemy", "alembic", "prometheus_client")
}
print("PROBE" + json.dumps({"code": code, **loaded}))
"""


def _probe(*args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("PROBE"))
    result: dict[str, object] = json.loads(line.removeprefix("PROBE"))
    result["out"] = done.stdout
    return result


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("sla", "hours", "--config", EXAMPLE, "--schedule", "office", "--month", "2026-05"),
        (
            "sla", "due", "--config", EXAMPLE, "--schedule", "office",
            "--from", "2026-05-01T17:00", "--minutes", "90",
        ),
        ("config", "check", EXAMPLE),
        ("faq", "suggest", "не", "проводится", "реализация"),
        ("alert", "key", "--name", "zabbix"),
        (
            "client", "onboard", "--client", "ROGA", "--config", EXAMPLE,
            "--telegram-bot", "support_bot", "--out", str(Path(tempfile.mkdtemp()) / "onboard"),
        ),
    ],
    ids=[
        "help", "sla-hours", "sla-due", "config-check", "faq-suggest", "alert-key",
        "client-onboard",
    ],
)  # fmt: skip
def test_commands_without_a_database_load_neither_telegram_nor_storage(
    args: tuple[str, ...],
) -> None:
    result = _probe(*args)
    assert result["code"] == 0, result["out"]
    assert result["aiogram"] is False
    assert result["sqlalchemy"] is False
    assert result["prometheus_client"] is False  # metrics are the bot's and the page's


def test_the_help_still_lists_every_command() -> None:
    from bot.cli import COMMANDS

    out = str(_probe("--help")["out"])
    for name, (_, help_line) in COMMANDS.items():
        assert name in out
        assert help_line[:20] in out


@pytest.mark.slow
def test_database_commands_load_storage_but_not_telegram(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    assert _probe("db", "upgrade", "--database-url", url)["code"] == 0
    for args in (
        ("config", "apply", EXAMPLE),
        ("ticket", "list"),
        ("audit", "verify"),
        ("updates", "bad"),
        ("links", "revoke", "--client", "ROGA", "--manager", "5001"),
    ):
        result = _probe(*args, "--database-url", url)
        assert result["code"] == 0, result["out"]
        assert result["sqlalchemy"] is True
        assert result["aiogram"] is False, args
