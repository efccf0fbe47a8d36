"""``supportdesk ticket list|show``: what an admin sees without SQL."""

from __future__ import annotations

import pytest

from tests.bot.cli_support import DEMO_CONFIG, run_cli, seed_tickets


@pytest.fixture
def url(capsys: pytest.CaptureFixture[str], migrated_url: str) -> str:
    run_cli(capsys, "config", "apply", str(DEMO_CONFIG), "--database-url", migrated_url)
    return migrated_url


def test_list_shows_tickets_newest_first_and_filters(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """The list has number, status, owner and subject; --status narrows it."""
    seed_tickets(url, 2)
    seed_tickets(url, 1, take=True)
    everything = run_cli(capsys, "ticket", "list", "--database-url", url)
    working = run_cli(capsys, "ticket", "list", "--status", "in_progress", "--database-url", url)
    other = run_cli(capsys, "ticket", "list", "--client", "NOPE", "--database-url", url)
    numbers = [line.split()[0] for line in everything.out.splitlines()[1:-1]]
    assert numbers == ["DEMO-3", "DEMO-2", "DEMO-1"]
    assert "Борис Ким" in everything.out
    assert "Не закрывается месяц" in everything.out
    assert [line.split()[0] for line in working.out.splitlines()[1:-1]] == ["DEMO-3"]
    assert other.out.strip() == "Заявок нет."


def test_show_has_sla_times_and_the_audit_trail(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """A ticket's card shows its due times and every audit event, in order."""
    seed_tickets(url, 1, take=True)
    result = run_cli(capsys, "ticket", "show", "demo-1", "--database-url", url)
    assert result.code == 0
    assert "Заявка DEMO-1 — в работе" in result.out
    assert "Реакция до:" in result.out
    assert "(цель 240 раб. мин)" in result.out  # P2 resolution: 4 business hours
    trail = result.out.split("Журнал аудита")[1]
    assert trail.index("создана") < trail.index("статус new → in_progress")


def test_show_of_an_unknown_number_says_so(capsys: pytest.CaptureFixture[str], url: str) -> None:
    result = run_cli(capsys, "ticket", "show", "DEMO-404", "--database-url", url)
    assert result.code == 1
    assert "не найдена" in result.err
