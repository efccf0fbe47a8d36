"""The audit hash chain: a changed, removed or reordered event is found and named."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from desk.audit import GENESIS, event_hash, seal, verify_chain
from desk.model import AuditEvent

T0 = datetime(2026, 5, 18, 6, 0, tzinfo=UTC)


def chain(n: int) -> list[AuditEvent]:
    events: list[AuditEvent] = []
    prev = GENESIS
    for i in range(1, n + 1):
        event = seal(prev, 7, "staff:2001", T0 + timedelta(minutes=i), "status", "new",
                     f"step {i}", None, id=i)  # fmt: skip
        events.append(event)
        prev = event.hash
    return events


def test_an_intact_chain_has_no_problems() -> None:
    """Freshly sealed events verify clean."""
    assert verify_chain(chain(5)) == []
    assert verify_chain([]) == []


def test_hash_does_not_depend_on_the_timezone_of_at() -> None:
    """The same moment written in Moscow time hashes as in UTC."""
    msk = timezone(timedelta(hours=3))
    assert event_hash(GENESIS, 1, "system", T0, "created", None, "X-1", None) == event_hash(
        GENESIS, 1, "system", T0.astimezone(msk), "created", None, "X-1", None
    )


def test_every_field_is_sealed() -> None:
    """Changing any one field changes the hash."""
    base = (GENESIS, 1, "system", T0, "created", None, "X-1", None)
    reference = event_hash(*base)
    variants = [
        ("f" * 64, 1, "system", T0, "created", None, "X-1", None),
        (GENESIS, 2, "system", T0, "created", None, "X-1", None),
        (GENESIS, 1, "config", T0, "created", None, "X-1", None),
        (GENESIS, 1, "system", T0 + timedelta(seconds=1), "created", None, "X-1", None),
        (GENESIS, 1, "system", T0, "status", None, "X-1", None),
        (GENESIS, 1, "system", T0, "created", "", "X-1", None),
        (GENESIS, 1, "system", T0, "created", None, "X-2", None),
        (GENESIS, 1, "system", T0, "created", None, "X-1", "why"),
    ]
    assert all(event_hash(*v) != reference for v in variants)


def test_naive_time_is_refused() -> None:
    """An event time without a zone cannot be sealed."""
    with pytest.raises(ValueError, match="timezone-aware"):
        event_hash(GENESIS, 1, "system", datetime(2026, 5, 18), "created", None, None, None)


def test_a_changed_event_is_named() -> None:
    """Editing the 'new' value of event 3 in place shows as 'changed' at event 3."""
    events = chain(5)
    events[2] = replace(events[2], new="resolved")
    [problem] = verify_chain(events)
    assert (problem.kind, problem.event_id) == ("changed", 3)


def test_a_changed_and_resealed_event_breaks_the_next_link() -> None:
    """Rewriting event 3 with a fresh hash is caught at event 4."""
    events = chain(5)
    forged = events[2]
    events[2] = seal(forged.prev_hash, 7, "staff:2001", forged.at, "status", "new", "closed",
                     None, id=3)  # fmt: skip
    [problem] = verify_chain(events)
    assert problem.event_id == 4
    assert "after event 3" in problem.detail


def test_a_removed_event_is_located() -> None:
    """Deleting event 3 shows as 'removed' between events 2 and 4."""
    events = chain(5)
    del events[2]
    [problem] = verify_chain(events)
    assert (problem.kind, problem.event_id) == ("removed", 4)
    assert "after event 2" in problem.detail


def test_removing_the_first_event_is_located() -> None:
    """Deleting event 1 shows at event 2, 'at the start'."""
    [problem] = verify_chain(chain(3)[1:])
    assert (problem.kind, problem.event_id) == ("removed", 2)
    assert "at the start" in problem.detail


def test_removing_the_newest_events_needs_the_head() -> None:
    """A truncated chain is caught when the last hash recorded elsewhere is given."""
    events = chain(5)
    head = events[-1].hash
    assert verify_chain(events, head=head) == []
    [problem] = verify_chain(events[:3], head=head)
    assert (problem.kind, problem.event_id) == ("removed", 3)


def test_reordered_events_are_reported() -> None:
    """Swapping two events is reported as 'reordered'."""
    events = chain(4)
    events[1], events[2] = events[2], events[1]
    assert "reordered" in {p.kind for p in verify_chain(events)}


def test_id_gaps_alone_are_not_problems() -> None:
    """Ids skipped by a rolled-back transaction do not break an intact chain."""
    events = [replace(e, id=e.id * 10) for e in chain(3) if e.id is not None]
    assert verify_chain(events) == []
