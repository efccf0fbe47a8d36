"""Leases between instances: one holder at a time, taken over when it runs out, let go
at once by its holder; an instance's dead processes' leases dropped at its start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.instance import drop_dead_holders, holder
from storage import leases
from storage.uow import UnitOfWorkFactory

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
TTL = timedelta(seconds=60)


async def test_a_lane_is_one_holders_until_its_lease_runs_out(
    uow_factory: UnitOfWorkFactory,
) -> None:
    names = [leases.lane(c) for c in (1001, 1002, -100123)]
    async with uow_factory() as uow:
        assert await uow.leases.take(names, "a:1", T0, TTL) == set(names)
    async with uow_factory() as uow:  # b finds them held: none for b
        assert await uow.leases.take(names, "b:1", T0 + TTL / 2, TTL) == set()
        # a keeps its own, and a new one goes to whoever asks first
        assert await uow.leases.take([names[0], "o:7"], "a:1", T0, TTL) == {
            names[0],
            "o:7",
        }
    async with uow_factory() as uow:  # a renews one; the others run out
        await uow.leases.renew([names[0]], "a:1", T0 + TTL / 2, TTL)
    async with uow_factory() as uow:
        taken = await uow.leases.take(names, "b:1", T0 + TTL, TTL)
        assert taken == set(names[1:])  # the renewed one is still a's
        assert await uow.leases.holder_of(names[0], T0 + TTL) == "a:1"


async def test_a_holder_lets_go_and_another_takes_at_once(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.leases.take(["poll:7"], "a:1", T0, TTL)
    async with uow_factory() as uow:
        await uow.leases.release(["poll:7"], "b:1")  # not b's: nothing happens
        assert await uow.leases.holder_of("poll:7", T0) == "a:1"
        await uow.leases.release(["poll:7"], "a:1")
    async with uow_factory() as uow:
        assert await uow.leases.take(["poll:7"], "b:1", T0, TTL) == {"poll:7"}


async def test_a_restart_drops_its_dead_processes_leases_not_others(
    uow_factory: UnitOfWorkFactory,
) -> None:
    now = datetime.now(UTC)
    dead = "here:999999999"  # no such process
    async with uow_factory() as uow:
        await uow.leases.take(["o:1"], dead, now, TTL)
        await uow.leases.take(["o:2"], "elsewhere:999999999", now, TTL)
        await uow.leases.take(["o:3"], holder("here"), now, TTL)  # this process
    assert await drop_dead_holders(uow_factory, "here") == 1
    async with uow_factory() as uow:
        assert await uow.leases.holder_of("o:1", now) is None
        assert await uow.leases.holder_of("o:2", now) == "elsewhere:999999999"
        assert await uow.leases.holder_of("o:3", now) == holder("here")
