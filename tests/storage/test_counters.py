"""Ticket counters: numbers per client, never given twice, also under concurrency."""

from __future__ import annotations

import asyncio

from storage.uow import UnitOfWorkFactory


async def test_numbers_count_per_client_from_one(demo_uow_factory: UnitOfWorkFactory) -> None:
    """Each client's numbers start at 1 and go up by one per committed take."""
    taken = []
    for _ in range(3):
        async with demo_uow_factory() as uow:
            taken.append(await uow.counters.next_number("DEMO"))
    assert taken == [1, 2, 3]


async def test_concurrent_takers_never_share_a_number(demo_uow_factory: UnitOfWorkFactory) -> None:
    """20 transactions taking numbers at once get 20 different numbers, 1..20."""

    async def take() -> int:
        async with demo_uow_factory() as uow:
            number = await uow.counters.next_number("DEMO")
            await asyncio.sleep(0)  # let the others run while the row is held
            return number

    numbers = await asyncio.gather(*(take() for _ in range(20)))
    assert sorted(numbers) == list(range(1, 21))


async def test_round_robin_cursor_is_kept_per_team(demo_uow_factory: UnitOfWorkFactory) -> None:
    """The team's last assignee is remembered between transactions."""
    async with demo_uow_factory() as uow:
        assert await uow.counters.last_assigned("demo") is None
        await uow.counters.set_last_assigned("demo", 2002)
    async with demo_uow_factory() as uow:
        assert await uow.counters.last_assigned("demo") == 2002
