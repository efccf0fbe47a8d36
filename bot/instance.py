"""Which instance this process is, for the leases it holds (``storage.leases``).

A holder is ``<instance>:<pid>``: the instance's name (``SUPPORTDESK_INSTANCE``,
by default the host's name) and this process.  Several instances must have
different names (on different hosts they do by default).  When an instance
starts, the leases of its own earlier processes that are gone (a ``kill -9``, a
crash) are dropped at once, so a restart does not wait for them to run out;
another instance's are left to run out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta

from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)


def instance_name(configured: str) -> str:
    return configured or socket.gethostname() or "supportdesk"


def holder(configured: str) -> str:
    return f"{instance_name(configured)}:{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


async def drop_dead_holders(uow: UnitOfWorkFactory, configured: str) -> int:
    """Drop the leases of this instance's processes that are gone; how many holders."""
    name = instance_name(configured)
    dropped = 0
    async with uow() as unit:
        for found in await unit.leases.holders_of(f"{name}:"):
            pid = found.rpartition(":")[2]
            if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                await unit.leases.drop_holder(found)
                dropped += 1
    if dropped:
        log.info("leases of %d earlier process(es) of instance %s dropped", dropped, name)
    return dropped


class AnotherPoller(RuntimeError):
    """Another live instance already long-polls this bot."""


class PollLease:
    """Long polling is one instance's: Telegram (and MAX) give updates to one poller,
    and two would take turns stealing them.  The lease ``poll:<bot>`` is taken at
    start (``AnotherPoller`` if a live instance holds it), kept while polling and
    let go at the end; several instances use webhook mode instead."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        name: str,
        holder: str,
        now: Callable[[], datetime],
        ttl: timedelta = timedelta(seconds=90),
    ) -> None:
        self._uow = uow
        self.name = name
        self._holder = holder
        self._now = now
        self._ttl = ttl

    async def take(self) -> None:
        async with self._uow() as unit:
            taken = await unit.leases.take([self.name], self._holder, self._now(), self._ttl)
            if not taken:
                other = await unit.leases.holder_of(self.name, self._now())
                raise AnotherPoller(
                    f"another instance ({other}) already polls this bot; run one poller, "
                    "or several instances in webhook mode (SUPPORTDESK_WEBHOOK_URL)"
                )

    async def keep(self, stop: asyncio.Event) -> None:
        """Renew the lease until ``stop``; AnotherPoller if it was lost meanwhile."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._ttl.total_seconds() / 3)
            if not stop.is_set():
                await self.take()

    async def release(self) -> None:
        with contextlib.suppress(Exception):  # it runs out by itself
            async with self._uow() as unit:
                await unit.leases.release([self.name], self._holder)
