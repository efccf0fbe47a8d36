"""Outsider replies and rebind offers on SQLite and PostgreSQL: each is claimed once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.uow import UnitOfWorkFactory

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


async def test_an_outsider_is_answered_once_an_hour_per_chat(
    uow_factory: UnitOfWorkFactory,
) -> None:
    """The first command is answered; more within the hour are not; after it, again.
    Another chat or another outsider has an hour of their own."""
    async with uow_factory() as uow:
        assert await uow.outsiders.claim_reply(-100, 7, NOW, HOUR)
        assert not await uow.outsiders.claim_reply(-100, 7, NOW + HOUR / 2, HOUR)
        assert await uow.outsiders.claim_reply(-200, 7, NOW, HOUR)
        assert await uow.outsiders.claim_reply(-100, 8, NOW, HOUR)
    async with uow_factory() as uow:
        assert not await uow.outsiders.claim_reply(-100, 7, NOW + HOUR * 0.9, HOUR)
        assert await uow.outsiders.claim_reply(-100, 7, NOW + HOUR, HOUR)
        assert not await uow.outsiders.claim_reply(-100, 7, NOW + HOUR * 1.5, HOUR)


async def test_a_rebind_offer_is_taken_once_and_only_as_offered(
    uow_factory: UnitOfWorkFactory,
) -> None:
    """An offer is used up by its first press; a code never offered, an old offer
    or one replaced by a newer invite is not taken."""
    async with uow_factory() as uow:
        await uow.rebind.offer(7, "ROGA", NOW)
        assert not await uow.rebind.take(7, "KOPY", NOW - HOUR)
        assert not await uow.rebind.take(8, "ROGA", NOW - HOUR)
        assert not await uow.rebind.take(7, "ROGA", NOW + HOUR)  # too old
    async with uow_factory() as uow:
        assert await uow.rebind.take(7, "ROGA", NOW - HOUR)
        assert not await uow.rebind.take(7, "ROGA", NOW - HOUR)
        await uow.rebind.offer(7, "ROGA", NOW)
        await uow.rebind.offer(7, "KOPY", NOW + HOUR)
        assert not await uow.rebind.take(7, "ROGA", NOW - HOUR)
        assert await uow.rebind.take(7, "KOPY", NOW)
