"""The audit trail: a hash chain appended in the transaction; tampering shows."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from sqlalchemy import text

from storage.uow import UnitOfWorkFactory

AT = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


async def _append(factory: UnitOfWorkFactory, count: int) -> list[int]:
    ids = []
    async with factory() as uow:
        for i in range(count):
            event = await uow.audit.append(
                ticket_id=None, actor="system", at=AT, what="test", old=str(i), new=str(i + 1)
            )
            assert event.id is not None
            ids.append(event.id)
    return ids


async def _problems(factory: UnitOfWorkFactory) -> list[tuple[int | None, str]]:
    async with factory() as uow:
        return [(p.event_id, p.kind) for p in await uow.audit.verify()]


async def test_events_link_to_the_one_before(uow_factory: UnitOfWorkFactory) -> None:
    """Each event's prev_hash is the previous event's hash, and the chain verifies."""
    await _append(uow_factory, 3)
    await _append(uow_factory, 2)
    async with uow_factory() as uow:
        events = await uow.audit.latest()
        problems = await uow.audit.verify()
    assert len(events) == 5
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    assert problems == []


async def test_a_changed_event_is_named(uow_factory: UnitOfWorkFactory) -> None:
    """Rewriting an event's value in SQL is reported as a change of that event."""
    ids = await _append(uow_factory, 4)
    async with uow_factory() as uow:
        await uow.session.execute(
            text("UPDATE audit_events SET new = 'forged' WHERE id = :id"), {"id": ids[1]}
        )
    assert _kinds_at(await _problems(uow_factory), ids[1]) == ["changed"]


async def test_a_removed_event_is_found_where_it_was(uow_factory: UnitOfWorkFactory) -> None:
    """Deleting an event from the middle breaks the link at the event after it."""
    ids = await _append(uow_factory, 4)
    async with uow_factory() as uow:
        await uow.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": ids[1]})
    assert _kinds_at(await _problems(uow_factory), ids[2]) == ["removed"]


async def test_a_removed_tail_is_found(uow_factory: UnitOfWorkFactory) -> None:
    """Deleting the newest event, which no later event links to, still shows."""
    ids = await _append(uow_factory, 3)
    async with uow_factory() as uow:
        await uow.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": ids[-1]})
    assert await _problems(uow_factory) == [(ids[-1], "truncated")]


def _kinds_at(problems: list[tuple[int | None, str]], event_id: int) -> list[str]:
    return [kind for at, kind in problems if at == event_id]
