"""``supportdesk audit show|verify``: the trail, and tampering found and named."""

from __future__ import annotations

import pytest

from tests.bot.cli_support import DEMO_CONFIG, run_cli, seed_tickets, sql


@pytest.fixture
def url(capsys: pytest.CaptureFixture[str], migrated_url: str) -> str:
    run_cli(capsys, "config", "apply", str(DEMO_CONFIG), "--database-url", migrated_url)
    seed_tickets(migrated_url, 3, take=True)
    return migrated_url


def _event_ids(url: str) -> list[int]:
    return [row[0] for row in sql(url, "SELECT id FROM audit_events ORDER BY id")]


def test_an_untouched_trail_verifies(capsys: pytest.CaptureFixture[str], url: str) -> None:
    """Config changes and ticket events form one intact chain: exit 0."""
    result = run_cli(capsys, "audit", "verify", "--database-url", url)
    assert result.code == 0
    assert f"проверено событий — {len(_event_ids(url))}" in result.out


def test_a_changed_event_is_named(capsys: pytest.CaptureFixture[str], url: str) -> None:
    """An event rewritten with SQL is reported by id, exit 1."""
    victim = _event_ids(url)[-3]
    sql(url, "UPDATE audit_events SET new = 'closed' WHERE id = :id", id=victim)
    result = run_cli(capsys, "audit", "verify", "--database-url", url)
    assert result.code == 1
    assert f"событие #{victim} изменено" in result.err


def test_a_removed_event_is_found_where_it_was(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """An event deleted with SQL shows as a gap before the event that followed it."""
    ids = _event_ids(url)
    sql(url, "DELETE FROM audit_events WHERE id = :id", id=ids[5])
    result = run_cli(capsys, "audit", "verify", "--database-url", url)
    assert result.code == 1
    assert f"перед событием #{ids[6]} не хватает события" in result.err


def test_removing_the_newest_events_is_found(capsys: pytest.CaptureFixture[str], url: str) -> None:
    """Deleting the last events, which nothing links to, still fails the check."""
    ids = _event_ids(url)
    sql(url, "DELETE FROM audit_events WHERE id >= :id", id=ids[-2])
    result = run_cli(capsys, "audit", "verify", "--database-url", url)
    assert result.code == 1
    assert f"последним должно быть событие #{ids[-1]}" in result.err


def test_show_lists_a_tickets_events(capsys: pytest.CaptureFixture[str], url: str) -> None:
    """``audit show NUMBER`` gives that ticket's events; without a number, the latest."""
    one = run_cli(capsys, "audit", "show", "DEMO-2", "--database-url", url)
    latest = run_cli(capsys, "audit", "show", "--limit", "3", "--database-url", url)
    assert one.code == 0
    assert one.out.count("DEMO-2") >= 3
    assert "DEMO-1" not in one.out
    assert "DEMO-3" in latest.out
    assert "Событий: 3." in latest.out
