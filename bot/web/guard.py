"""What keeps the client page from being guessed at or from starving the bot.

- ``FailureLimit``: an address whose links fail (403: forged, changed,
  expired, revoked) ``fail_limit`` times within ``fail_window`` seconds is
  answered 429 with ``Retry-After`` for ``block`` seconds, valid links too
  (a guess that hits would otherwise still show).
- A bound on page work: at most ``max_concurrent`` requests run the page's
  queries and templates at once; another waits up to ``queue_wait`` seconds
  for a turn, then gets 503.

The address is the TCP peer; with ``trust_forwarded`` (behind a reverse proxy
that appends to ``X-Forwarded-For``) the header's last entry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from bot.web import pages

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

MAX_ADDRESSES = 10_000  # failing addresses remembered at most (a flood cannot grow memory)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class PageLimits:
    fail_limit: int = 20
    fail_window: float = 600.0  # seconds
    block: float = 900.0  # seconds
    max_concurrent: int = 2
    queue_wait: float = 3.0  # seconds
    trust_forwarded: bool = False

    @classmethod
    def of(cls, settings: Settings) -> PageLimits:
        return cls(
            fail_limit=settings.web_fail_limit,
            fail_window=settings.web_fail_window_seconds,
            block=settings.web_block_seconds,
            max_concurrent=settings.web_max_concurrent,
            queue_wait=settings.web_queue_seconds,
            trust_forwarded=settings.web_trust_forwarded,
        )


class FailureLimit:
    """Failed links per address, and the addresses blocked for them."""

    def __init__(self, limits: PageLimits, clock: Callable[[], float]) -> None:
        self._limits = limits
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._blocked: dict[str, float] = {}  # address -> until

    def blocked_for(self, address: str) -> float:
        """Seconds the address stays blocked; 0 if it is not."""
        until = self._blocked.get(address)
        if until is None:
            return 0.0
        left = until - self._clock()
        if left <= 0:
            del self._blocked[address]
            return 0.0
        return left

    def failed(self, address: str) -> None:
        now = self._clock()
        recent = self._failures.setdefault(address, deque())
        recent.append(now)
        while recent and recent[0] <= now - self._limits.fail_window:
            recent.popleft()
        if len(recent) >= self._limits.fail_limit:
            del self._failures[address]
            self._blocked[address] = now + self._limits.block
            log.warning(
                "client page: %s blocked for %d s after %d failed links",
                address,
                self._limits.block,
                self._limits.fail_limit,
            )
        self._forget(now)

    def _forget(self, now: float) -> None:
        """Keep at most ``MAX_ADDRESSES`` of each: drop the stale, then the oldest."""
        if len(self._failures) > MAX_ADDRESSES:
            stale = now - self._limits.fail_window
            for address in [a for a, times in self._failures.items() if times[-1] <= stale]:
                del self._failures[address]
            while len(self._failures) > MAX_ADDRESSES:
                del self._failures[next(iter(self._failures))]
        if len(self._blocked) > MAX_ADDRESSES:
            for address in [a for a, until in self._blocked.items() if until <= now]:
                del self._blocked[address]
            while len(self._blocked) > MAX_ADDRESSES:
                del self._blocked[next(iter(self._blocked))]


class Guard:
    """The page's middleware: the failure limit and the bound on page work."""

    def __init__(self, limits: PageLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.failures = FailureLimit(limits, clock)
        self._slots = asyncio.Semaphore(limits.max_concurrent)

    def address(self, request: web.Request) -> str:
        if self.limits.trust_forwarded:
            forwarded = request.headers.get("X-Forwarded-For", "").rsplit(",", 1)[-1].strip()
            if forwarded:
                return forwarded
        return request.remote or "?"

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        address = self.address(request)
        left = self.failures.blocked_for(address)
        if left:
            raise pages.too_many(left)
        async with self._slot():
            try:
                return await handler(request)
            except web.HTTPForbidden:
                self.failures.failed(address)
                raise

    @contextlib.asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        if self._slots.locked():
            try:
                await asyncio.wait_for(self._slots.acquire(), self.limits.queue_wait)
            except TimeoutError:
                raise pages.busy(max(1, math.ceil(self.limits.queue_wait))) from None
        else:
            await self._slots.acquire()
        try:
            yield
        finally:
            self._slots.release()
