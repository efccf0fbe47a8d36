"""A webhook pusher (both messengers): pending updates POSTed to the bot's webhook,
several at once, one chat's in order, a failed push retried with backoff.

Telegram opens up to the webhook's ``max_connections`` (setWebhook, 1..100,
40 by default) to the bot's server at once, and never pushes an update of a
chat while an earlier one of that chat is unanswered. ``Pusher`` keeps that
schedule for any queue of updates; a messenger's pusher says what its queue
is, which chat (lane) an update is of, how many connections it may use, how one
update is pushed and how a pushed one is forgotten.

- Up to ``connections()`` pushes are in flight; none two of one lane.
- An update of a lane starts only when every earlier pending update of its lane
  is delivered: a failed one holds its lane (and only its lane) until its retry
  comes and succeeds. Retries back off per update from 0.1 s, doubling to 5 s
  (Telegram's are longer; tests need not wait).
- A delivered update is forgotten at once (``confirm``), whatever its place in
  the queue, so the queue always holds what is still to be delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Hashable, Sequence
from typing import Any, Generic, TypeVar

import aiohttp

from sandbox._state import Notifier

U = TypeVar("U")

FIRST_BACKOFF = 0.1
LAST_BACKOFF = 5.0
IDLE = 5.0  # seconds between looks when nothing wakes the pusher


class PushFailed(Exception):
    """The webhook took no push: ``answered`` (a status out of range) or no connection."""

    def __init__(self, detail: str, *, answered: bool) -> None:
        super().__init__(detail)
        self.detail = detail
        self.answered = answered


class Pusher(Generic[U]):
    """Subclasses say what to push and how (the hooks below); this schedules it."""

    name = "sandbox-webhook"

    def __init__(self, news: Notifier) -> None:
        self._news = news  # notified when an update is added or the webhook changes
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._wake = asyncio.Event()
        self._flying: dict[int, tuple[Hashable, asyncio.Task[None]]] = {}
        self._retry_at: dict[int, float] = {}
        self._backoff: dict[int, float] = {}
        self.delivered = 0
        self.failed = 0
        self.peak = 0  # the most pushes in flight at once so far

    # -- what a messenger's pusher says ---------------------------------------

    def connections(self) -> int:
        """How many pushes may be in flight (0: no webhook, push nothing)."""
        raise NotImplementedError

    def queue(self) -> Sequence[U]:
        """The pending updates, oldest first."""
        raise NotImplementedError

    def ident(self, update: U) -> int:
        raise NotImplementedError

    def lane(self, update: U) -> Hashable:
        """The chat an update is of: one lane's updates are pushed one at a time, in order."""
        raise NotImplementedError

    def wanted(self, update: U) -> bool:
        """False: the webhook does not take this kind; forgotten without a push."""
        return True

    async def push(self, update: U) -> bool:
        """POST one update; False when it was not taken (its failure recorded)."""
        raise NotImplementedError

    def confirm(self, update: U) -> None:
        """Forget a delivered update."""
        raise NotImplementedError

    # -- life -----------------------------------------------------------------

    @property
    def in_flight(self) -> int:
        return len(self._flying)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._session is not None:
            await self._session.close()

    async def _loop(self) -> None:
        follower = asyncio.create_task(self._follow(), name=f"{self.name}-news")
        try:
            while True:
                self._wake.clear()
                delay = self._schedule()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await self._wake.wait()
        finally:
            flying = [task for _, task in self._flying.values()]
            for task in [follower, *flying]:
                task.cancel()
            await asyncio.gather(follower, *flying, return_exceptions=True)

    async def _follow(self) -> None:
        """Turns the state's news into a wake-up of the loop (none lost: the next
        wait starts before anything else runs)."""
        while True:
            await self._news.wait(3600)
            self._wake.set()

    def _schedule(self) -> float:
        """Start every push the limits allow now; seconds until a retry is due."""
        limit = self.connections()
        if limit <= 0:
            return IDLE
        now = time.monotonic()
        delay = IDLE
        taken = {lane for lane, _ in self._flying.values()}  # a push of theirs in flight
        for update in list(self.queue()):
            if len(self._flying) >= limit:
                break
            ident = self.ident(update)
            if ident in self._flying:
                continue
            lane = self.lane(update)
            if lane in taken:  # an earlier one of its chat is in flight or waits to retry
                continue
            if not self.wanted(update):
                self.confirm(update)
                continue
            taken.add(lane)
            due = self._retry_at.get(ident, now)
            if due > now:
                delay = min(delay, due - now)
                continue
            task = asyncio.create_task(self._fly(update, ident), name=f"{self.name}-push")
            self._flying[ident] = (lane, task)
        self.peak = max(self.peak, len(self._flying))
        return delay

    async def _fly(self, update: U, ident: int) -> None:
        ok = False
        try:
            ok = await self.push(update)
        finally:
            del self._flying[ident]
            self._wake.set()
        if ok:
            self._retry_at.pop(ident, None)
            self._backoff.pop(ident, None)
            self.delivered += 1
            self.confirm(update)
        else:
            self.failed += 1
            backoff = self._backoff.get(ident, FIRST_BACKOFF)
            self._retry_at[ident] = time.monotonic() + backoff
            self._backoff[ident] = min(backoff * 2, LAST_BACKOFF)

    async def _post(
        self, url: str, body: Any, headers: dict[str, str], ok: range = range(200, 201)
    ) -> bytes:
        """The answer's body; PushFailed for a status out of ``ok`` or no connection."""
        if self._session is None:
            # as many connections to the bot's server as pushes may fly (aiohttp's 100
            # by default, and 0 would be no limit at all)
            connector = aiohttp.TCPConnector(limit=0)
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=aiohttp.ClientTimeout(total=30)
            )
        try:
            async with self._session.post(url, json=body, headers=headers) as resp:
                answer = await resp.read()
                status, reason = resp.status, resp.reason
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise PushFailed(str(exc), answered=False) from exc
        if status not in ok:
            raise PushFailed(f"{status} {reason}", answered=True)
        return answer
