"""``supportdesk client onboard``: the invite link, its QR code and the client's memo,
from the config file or from the database it was applied to."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.services import onboarding
from tests.bot.cli_support import run_cli
from tests.conftest import SQLITE_QUERY

ROOT = Path(__file__).parents[2]
EXAMPLE = str(ROOT / "config.example.toml")
LINK = "https://t.me/support_bot?start=roga-2026"


def test_onboard_writes_the_link_its_qr_code_and_the_memo(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """From the TOML: the QR code encodes the invite link; the memo names the client, the
    link, the priorities with the contract's times, the hours and the request types."""
    out = tmp_path / "roga"
    args = ("--client", "roga", "--out", str(out), "--config", EXAMPLE)
    result = run_cli(capsys, "client", "onboard", *args, "--telegram-bot", "@support_bot")
    assert result.code == 0, result.err
    assert LINK in result.out
    image = out / "qr-ROGA-roga-2026-telegram.png"
    assert image.read_bytes() == onboarding.qr_png(LINK)
    assert image.read_bytes().startswith(b"\x89PNG")
    memo = (out / "memo-ROGA.html").read_text(encoding="utf-8")
    for part in (
        "Поддержка 1С для «ООО «Рога и копыта»»",
        LINK,
        "data:image/svg+xml",  # the QR code inline: the memo is one file
        "P1 · критический</td><td>система не работает</td><td>15 мин</td>"
        "<td>30 мин (круглосуточно)",
        "P4 · низкий</td><td>НСИ, права и роли</td><td>4 ч</td><td>3 раб. дня",
        "P5 · плановый</td><td>доработки по согласованному проекту</td>"
        "<td>1 раб. день</td><td>по плану",
        "По рабочим дням 09:00–18:00, перерыв 13:00–14:00 (Europe/Moscow)",
        "<td>Доступ и права</td><td>Кому, База, Роли, С, По, Зачем. Нужно согласование",
        "Работа начнётся после согласования проекта",
    ):
        assert part in memo, part


def test_onboard_reads_the_applied_config_from_the_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    template: Path = request.getfixturevalue("_sqlite_template")
    shutil.copyfile(template, tmp_path / "cli.sqlite3")
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}{SQLITE_QUERY}"
    assert run_cli(capsys, "config", "apply", EXAMPLE, "--database-url", url).code == 0
    out = tmp_path / "vost"
    args = ("--client", "VOST", "--out", str(out), "--telegram-bot", "support_bot")
    result = run_cli(capsys, "client", "onboard", *args, "--database-url", url)
    assert result.code == 0, result.err
    memo = (out / "memo-VOST.html").read_text(encoding="utf-8")
    assert "АО «Восток-Ритейл»" in memo
    assert "Asia/Yekaterinburg" in memo


def test_an_unknown_client_or_one_without_invites_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    args = ("--out", str(tmp_path / "x"), "--config", EXAMPLE, "--telegram-bot", "b")
    unknown = run_cli(capsys, "client", "onboard", "--client", "NOPE", *args)
    assert unknown.code == 1
    assert "Нет клиента с кодом «NOPE»" in unknown.err
    assert not (tmp_path / "x").exists()
