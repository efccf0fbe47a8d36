"""``storage.hooks.after_commit``: work that waits for the commit, on both databases."""

from __future__ import annotations

import pytest

from storage.hooks import after_commit
from storage.uow import UnitOfWorkFactory


async def test_runs_after_the_commit_in_order(uow_factory: UnitOfWorkFactory) -> None:
    done: list[str] = []
    async with uow_factory() as uow:
        after_commit(uow.session, lambda: done.append("first"))
        after_commit(uow.session, lambda: done.append("second"))
        assert done == []  # not before the commit
    assert done == ["first", "second"]


async def test_a_rollback_drops_it(uow_factory: UnitOfWorkFactory) -> None:
    done: list[str] = []

    async def failing() -> None:
        async with uow_factory() as uow:
            after_commit(uow.session, lambda: done.append("lost"))
            raise RuntimeError

    with pytest.raises(RuntimeError):
        await failing()
    async with uow_factory() as uow:  # and the next transaction does not run it either
        after_commit(uow.session, lambda: done.append("next"))
    assert done == ["next"]


async def test_a_savepoint_waits_for_the_transaction_or_takes_its_own_back(
    uow_factory: UnitOfWorkFactory,
) -> None:
    done: list[str] = []
    async with uow_factory() as uow:
        after_commit(uow.session, lambda: done.append("outer"))
        async with uow.session.begin_nested():
            after_commit(uow.session, lambda: done.append("released"))
        assert done == []  # a released savepoint is not a commit

        async def failing() -> None:
            async with uow.session.begin_nested():
                after_commit(uow.session, lambda: done.append("rolled back"))
                raise RuntimeError

        with pytest.raises(RuntimeError):
            await failing()
    assert done == ["outer", "released"]


async def test_a_failing_hook_does_not_undo_the_commit_or_stop_the_others(
    uow_factory: UnitOfWorkFactory, caplog: pytest.LogCaptureFixture
) -> None:
    done: list[str] = []

    def broken() -> None:
        raise ValueError("counting failed")

    async with uow_factory() as uow:
        after_commit(uow.session, broken)
        after_commit(uow.session, lambda: done.append("after"))
    assert done == ["after"]
    assert "after-commit hook" in caplog.text
