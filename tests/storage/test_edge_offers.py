"""Outsider replies and rebind offers on SQLite and PostgreSQL: each is claimed once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import outsiders, rebind
from storage.uow import UnitOfWorkFactory

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


async def test_an_outsider_is_answered_once_an_hour_per_chat(
    uow_factory: UnitOfWorkFactory,
) -> None:
    """The first command is answered; more within the hour are not; after it, again.
    Another chat or another outsider has an hour of their own."""
    async with uow_factory() as uow:
        assert await outsiders.claim_reply(uow.session, -100, 7, NOW, HOUR)
        assert not await outsiders.claim_reply(uow.session, -100, 7, NOW + HOUR / 2, HOUR)
        assert await outsiders.claim_reply(uow.session, -200, 7, NOW, HOUR)
        assert await outsiders.claim_reply(uow.session, -100, 8, NOW, HOUR)
    async with uow_factory() as uow:
        assert not await outsiders.claim_reply(uow.session, -100, 7, NOW + HOUR * 0.9, HOUR)
        assert await outsiders.claim_reply(uow.session, -100, 7, NOW + HOUR, HOUR)
        assert not await outsiders.claim_reply(uow.session, -100, 7, NOW + HOUR * 1.5, HOUR)


async def test_a_rebind_offer_is_taken_once_and_only_as_offered(
    uow_factory: UnitOfWorkFactory,
) -> None:
    """An offer is used up by its first press; a code never offered, an old offer
    or one replaced by a newer invite is not taken."""
    async with uow_factory() as uow:
        await rebind.offer(uow.session, 7, "ROGA", NOW)
        assert not await rebind.take(uow.session, 7, "KOPY", NOW - HOUR)
        assert not await rebind.take(uow.session, 8, "ROGA", NOW - HOUR)
        assert not await rebind.take(uow.session, 7, "ROGA", NOW + HOUR)  # too old
    async with uow_factory() as uow:
        assert await rebind.take(uow.session, 7, "ROGA", NOW - HOUR)
        assert not await rebind.take(uow.session, 7, "ROGA", NOW - HOUR)
        await rebind.offer(uow.session, 7, "ROGA", NOW)
        await rebind.offer(uow.session, 7, "KOPY", NOW + HOUR)
        assert not await rebind.take(uow.session, 7, "ROGA", NOW - HOUR)
        assert await rebind.take(uow.session, 7, "KOPY", NOW)
