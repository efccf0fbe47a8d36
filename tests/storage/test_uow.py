"""The unit of work: one transaction, committed on success, rolled back on error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from desk.model import User
from storage.uow import UnitOfWorkFactory


class Boom(Exception):
    pass


async def test_leaving_the_block_commits(demo_uow_factory: UnitOfWorkFactory) -> None:
    """What a unit of work wrote is there for the next one."""
    joined = datetime(2026, 5, 4, 9, 30, 15, 123456, tzinfo=UTC)
    async with demo_uow_factory() as uow:
        await uow.users.bind(User(5001, "DEMO", "Пётр", joined, None))
    async with demo_uow_factory() as uow:
        user = await uow.users.get(5001)
    assert user == User(5001, "DEMO", "Пётр", joined, None)


async def test_an_error_rolls_everything_back(demo_uow_factory: UnitOfWorkFactory) -> None:
    """An exception inside the block undoes every write of the block."""
    now = datetime.now(UTC)

    async def write_then_fail() -> None:
        async with demo_uow_factory() as uow:
            await uow.users.bind(User(5002, "DEMO", "Пётр", now))
            await uow.counters.next_number("DEMO")
            raise Boom

    with pytest.raises(Boom):
        await write_then_fail()
    async with demo_uow_factory() as uow:
        assert await uow.users.get(5002) is None
        assert await uow.counters.next_number("DEMO") == 1


async def test_times_come_back_aware_in_utc(demo_uow_factory: UnitOfWorkFactory) -> None:
    """A time stored with any offset reads back as the same moment in UTC."""
    moscow = timezone(timedelta(hours=3))
    joined = datetime(2026, 12, 31, 23, 59, tzinfo=moscow)
    async with demo_uow_factory() as uow:
        await uow.users.bind(User(5003, "DEMO", "Ольга", joined))
    async with demo_uow_factory() as uow:
        user = await uow.users.get(5003)
    assert user is not None
    assert user.joined_at == joined
    assert user.joined_at.utcoffset() == timedelta(0)


async def test_a_naive_time_is_refused(demo_uow_factory: UnitOfWorkFactory) -> None:
    """Storing a time without a timezone is an error, not a silent guess."""
    with pytest.raises(Exception, match="naive datetime"):
        async with demo_uow_factory() as uow:
            await uow.users.bind(User(5004, "DEMO", "Ольга", datetime(2026, 1, 1)))
