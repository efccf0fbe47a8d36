"""An update takes effect once: its id is recorded in the transaction that applies it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage.messaging import claim_update
from storage.uow import UnitOfWorkFactory


async def test_a_second_delivery_of_an_update_is_refused(uow_factory: UnitOfWorkFactory) -> None:
    """The first claim of an update id wins; a redelivery finds it taken."""
    now = datetime.now(UTC)
    async with uow_factory() as uow:
        assert await claim_update(uow.session, 42, now)
    async with uow_factory() as uow:
        assert not await claim_update(uow.session, 42, now)


async def test_a_failed_handling_leaves_the_update_to_be_tried_again(
    uow_factory: UnitOfWorkFactory,
) -> None:
    """If the transaction rolls back, the id is not kept: the retry is handled."""
    now = datetime.now(UTC)

    async def failing_handling() -> None:
        async with uow_factory() as uow:
            assert await claim_update(uow.session, 7, now)
            raise RuntimeError("handler failed")

    with pytest.raises(RuntimeError):
        await failing_handling()
    async with uow_factory() as uow:
        assert await claim_update(uow.session, 7, now)
