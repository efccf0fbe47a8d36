"""The outbox on SQLite and PostgreSQL: a transaction's calls are written in the
order they were made when it commits, and not at all when it rolls back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage.uow import UnitOfWork, UnitOfWorkFactory

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


async def test_calls_are_written_in_order_when_the_transaction_commits(
    demo_uow_factory: UnitOfWorkFactory,
) -> None:
    async with demo_uow_factory() as uow:
        for n in range(3):
            uow.outbox.enqueue(7, "send", {"text": f"#{n}"}, now=NOW)
        uow.outbox.enqueue(8, "send", {"text": "other chat"}, now=NOW)
    async with demo_uow_factory() as uow:
        first = await uow.outbox.head_of(7)
        heads = await uow.outbox.heads_of([7, 8])
        assert first is not None
        assert first.payload == {"text": "#0"}
        assert heads[8].payload == {"text": "other chat"}
        for n in range(3):
            item = await uow.outbox.head_of(7)
            assert item is not None
            assert item.payload == {"text": f"#{n}"}
            await uow.outbox.mark_sent(item.id, 100 + n, NOW)
        assert await uow.outbox.head_of(7) is None
        assert await uow.outbox.last_id() == heads[8].id


async def test_calls_of_a_rolled_back_transaction_are_never_written(
    demo_uow_factory: UnitOfWorkFactory,
) -> None:
    async def failing_change() -> None:
        async with demo_uow_factory() as uow:
            uow.outbox.enqueue(7, "send", {"text": "lost with the change"}, now=NOW)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        await failing_change()
    async with demo_uow_factory() as uow:
        uow.outbox.enqueue(7, "send", {"text": "kept"}, now=NOW)
    async with demo_uow_factory() as uow:
        item = await uow.outbox.head_of(7)
        assert item is not None
        assert item.payload == {"text": "kept"}
        assert await uow.outbox.count_by_state() == {"pending": 1}


async def test_a_rolled_back_savepoint_takes_back_only_the_calls_made_in_it(
    demo_uow_factory: UnitOfWorkFactory,
) -> None:
    """As a config change whose delete is refused (a savepoint) keeps the rest of its work."""

    async def refused_inside(uow: UnitOfWork) -> None:
        async with uow.session.begin_nested():
            uow.outbox.enqueue(7, "send", {"text": "inside"}, now=NOW)
            raise RuntimeError("the delete was refused")

    async with demo_uow_factory() as uow:
        uow.outbox.enqueue(7, "send", {"text": "before"}, now=NOW)
        with pytest.raises(RuntimeError):
            await refused_inside(uow)
        uow.outbox.enqueue(7, "send", {"text": "after"}, now=NOW)
    texts = []
    async with demo_uow_factory() as uow:
        while (item := await uow.outbox.head_of(7)) is not None:
            texts.append(item.payload["text"])
            await uow.outbox.mark_sent(item.id, None, NOW)
    assert texts == ["before", "after"]
