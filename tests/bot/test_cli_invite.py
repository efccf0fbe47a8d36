"""`supportdesk invite`: a link per messenger the client lists, and what to set when a
messenger has no bot here."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.cli_support import DEMO_CONFIG, run_cli


@pytest.fixture
def url(capsys: pytest.CaptureFixture[str], migrated_url: str) -> str:
    run_cli(capsys, "config", "apply", str(DEMO_CONFIG), "--database-url", migrated_url)
    return migrated_url


def test_a_client_on_both_messengers_gets_both_links(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    result = run_cli(
        capsys, "invite", "--client", "demo", "--telegram-bot", "@desk_bot",
        "--max-bot", "desk_max_bot", "--database-url", url,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "https://t.me/desk_bot?start=demo" in result.out
    assert "https://max.ru/desk_max_bot?start=demo" in result.out
    assert "ural" not in result.out  # another client's invite is not this one's


def test_a_telegram_only_client_gets_no_max_link(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    result = run_cli(
        capsys, "invite", "--client", "URAL", "--telegram-bot", "desk_bot",
        "--max-bot", "desk_max_bot", "--database-url", url,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "https://t.me/desk_bot?start=ural" in result.out
    assert "max.ru" not in result.out


def test_a_messenger_without_a_bot_says_what_to_set(
    capsys: pytest.CaptureFixture[str],
    url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.delenv("SUPPORTDESK_MAX_TOKEN", raising=False)
    monkeypatch.delenv("SUPPORTDESK_MAX_BOT_USERNAME", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    result = run_cli(
        capsys, "invite", "--client", "DEMO", "--telegram-bot", "desk_bot", "--database-url", url
    )
    assert result.code == 0, result.err
    assert "https://t.me/desk_bot?start=demo" in result.out
    assert "SUPPORTDESK_MAX_TOKEN" in result.out


def test_an_unknown_client_is_named(capsys: pytest.CaptureFixture[str], url: str) -> None:
    result = run_cli(capsys, "invite", "--client", "NOPE", "--database-url", url)
    assert result.code == 1
    assert "NOPE" in result.err
