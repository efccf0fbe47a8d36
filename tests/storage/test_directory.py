"""The directory repository: config objects in and out, removals that are refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from desk.config import DeskConfig
from desk.model import User
from storage.errors import StillReferenced
from storage.uow import UnitOfWorkFactory


async def test_what_was_applied_loads_back_equal(
    demo_uow_factory: UnitOfWorkFactory, demo_config: DeskConfig
) -> None:
    """Schedules, contracts (with targets), teams, clients, staff and invites
    read back as the same desk objects that were written."""
    async with demo_uow_factory() as uow:
        loaded = await uow.directory.load()
        assert await uow.directory.client("DEMO") == demo_config.clients["DEMO"]
        assert await uow.directory.contract("demo") == demo_config.contracts["demo"]
        assert await uow.directory.team_of_chat(-1001000000001) == demo_config.teams["demo"]
        assert [s.telegram_id for s in await uow.directory.team_staff("demo")] == [2001, 2002, 2003]
    for section in ("schedules", "contracts", "teams", "clients", "staff", "invites"):
        assert getattr(loaded, section) == getattr(demo_config, section), section


async def test_a_client_with_users_cannot_be_removed(demo_uow_factory: UnitOfWorkFactory) -> None:
    """Removing a client that users are bound to is refused and removes nothing."""
    async with demo_uow_factory() as uow:
        await uow.directory.remove_invite("demo")
        with pytest.raises(StillReferenced) as caught:
            await uow.directory.remove_client("DEMO")
        assert (caught.value.kind, caught.value.key) == ("client", "DEMO")
        assert (await uow.directory.client("DEMO")).code == "DEMO"


async def test_removed_staff_without_tickets_is_deleted(
    demo_uow_factory: UnitOfWorkFactory,
) -> None:
    """A staff member who never owned a ticket is removed outright."""
    async with demo_uow_factory() as uow:
        await uow.directory.remove_staff(2002)
        assert await uow.directory.staff(2002) is None


async def test_a_user_can_be_rebound(demo_uow_factory: UnitOfWorkFactory) -> None:
    """Binding a known user again updates their name and keeps their join time."""
    async with demo_uow_factory() as uow:
        first = await uow.users.get(1001)
        assert first is not None
        await uow.users.bind(User(1001, "DEMO", "Иван Петрович", datetime.now(UTC), "ivanp"))
        again = await uow.users.get(1001)
    assert again == User(1001, "DEMO", "Иван Петрович", first.joined_at, "ivanp")
