"""Two writers on one database, as two processes would be (the bot and a CLI).

On SQLite each ``Database`` remembers what it last wrote to the audit head and
the round-robin cursors and writes on that without reading first; these tests
show that a writer whose memory went stale (the other one wrote, or its own
transaction rolled back) still extends the audit chain and moves the cursor
correctly. On PostgreSQL the same steps run on the locking path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.services.config import apply_config
from desk.config import DeskConfig
from storage.database import Database


@pytest.fixture
async def writers(
    migrated_url: str, demo_config: DeskConfig
) -> AsyncIterator[tuple[Database, Database]]:
    first, second = await Database.open(migrated_url), await Database.open(migrated_url)
    async with first.uow() as uow:
        await apply_config(uow, demo_config, source="test", now=datetime.now(UTC))
    yield first, second
    await first.close()
    await second.close()


async def _append(db: Database, what: str, *, then_fail: bool = False) -> int | None:
    async with db.uow() as uow:
        event = await uow.audit.append(
            ticket_id=None, actor="test", at=datetime.now(UTC), what=what
        )
        if then_fail:
            raise RuntimeError("the operation failed after its audit event")
    return event.id


async def _trail(db: Database) -> list[str]:
    async with db.uow() as uow:
        assert await uow.audit.verify() == []
        return [e.what for e in await uow.audit.latest(10) if e.actor == "test"]


async def test_audit_chain_stays_whole_when_two_writers_take_turns(
    writers: tuple[Database, Database],
) -> None:
    first, second = writers
    ids = [
        await _append(first, "one"),
        await _append(second, "two"),
        await _append(first, "three"),  # the first writer's memory of the head is stale
        await _append(first, "four"),
    ]
    assert ids == sorted(ids)
    assert len(set(ids)) == 4
    assert await _trail(first) == ["one", "two", "three", "four"]
    assert await _trail(second) == ["one", "two", "three", "four"]


async def test_a_rolled_back_append_leaves_no_trace_and_the_next_one_fits(
    writers: tuple[Database, Database],
) -> None:
    first, _ = writers
    await _append(first, "kept")
    with pytest.raises(RuntimeError):
        await _append(first, "lost", then_fail=True)
    await _append(first, "after")
    assert await _trail(first) == ["kept", "after"]


async def test_round_robin_cursor_follows_the_other_writers_move(
    writers: tuple[Database, Database],
) -> None:
    first, second = writers
    seen: list[int | None] = []

    def next_of(last: int | None) -> int:
        seen.append(last)
        return 2002 if last == 2001 else 2001

    async def advance(db: Database) -> int:
        async with db.uow() as uow:
            return await uow.counters.advance_cursor("demo", next_of)

    assert await advance(first) == 2001
    assert await advance(second) == 2002
    # The first writer remembers 2001, but the row says 2002: it must give 2001 again.
    assert await advance(first) == 2001
    assert seen[-1] == 2002
    assert await advance(second) == 2002
