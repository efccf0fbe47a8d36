"""Telegram's flood limits, kept on our side: an aiogram session request middleware.

aiogram sends as fast as it is asked to; Telegram answers 429 past about one
message a second in a chat (a short burst is tolerated), 20 a minute into one
group and about 30 a second in all.  ``RateLimiter`` makes each sending call
wait until all three allow it, so the bot meets the limits instead of being
told off; a 429 that still comes back (another instance, a server hiccup)
stops the chat for ``retry_after`` and is re-raised for the caller to retry.
MAX counts every request in its 30 a second (``Limits.every_call``): there any
other call (an edit, a callback answer) waits for the global limit too.

Limits are a little stricter than Telegram's so that network jitter between
our clock and the server's does not push a call over.

What the limiter keeps per chat is dropped once it no longer matters (a full
bucket, an empty group window, a pause that is over): every ``sweep_every``
messages it looks through all of it, so a bot that has written to a million
chats remembers only those written to in the last few seconds (a minute, for
groups).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods.base import TelegramType

from bot import metrics
from desk.channels import Channel, channel_of

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import Response, TelegramMethod

# Calls that put a new message into a chat: these are what the limits count
# (edits and topic management are not messages; a 429 on them is retried).
SENDING_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendVideo",
        "sendAudio",
        "sendVoice",
        "sendAnimation",
        "sendVideoNote",
        "sendSticker",
        "sendMediaGroup",
        "sendLocation",
        "sendContact",
        "copyMessage",
        "copyMessages",
        "forwardMessage",
        "forwardMessages",
    }
)


@dataclass(frozen=True)
class Limits:
    chat_rate: float = 0.95  # messages per second in one chat
    chat_burst: float = 2.0
    group_per_minute: int = 20
    group_window: float = 61.0  # seconds
    global_rate: float = 28.0
    global_burst: float = 20.0
    every_call: bool = False  # the global limit counts every call, not only messages


# MAX: about 30 requests a second in all, whatever they do (no per-group limit: a MAX
# chat here is a user's dialog); a dialog's messages are paced like a Telegram chat's.
MAX_LIMITS = Limits(group_per_minute=10**9, global_rate=26.0, global_burst=10.0, every_call=True)

UNLIMITED = Limits(
    chat_rate=1e9, chat_burst=1e9, group_per_minute=10**9, global_rate=1e9, global_burst=1e9
)


def _group(chat_id: int) -> bool:
    """A Telegram group or supergroup (a MAX dialog's key is negative too, desk.channels)."""
    return chat_id < 0 and channel_of(chat_id) is Channel.TELEGRAM


@dataclass
class _Bucket:
    capacity: float
    rate: float
    tokens: float
    stamp: float

    def wait(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        # a hair's breadth short of a token counts as a token (no float spin)
        return 0.0 if self.tokens >= 1 - 1e-9 else (1 - self.tokens) / self.rate


@dataclass
class RateLimiter(BaseRequestMiddleware):
    """Waits before each sending call until the chat, group and global limits allow it."""

    limits: Limits = field(default_factory=Limits)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep  # waits as ``clock`` counts
    sweep_every: int = 1000  # messages between two looks for chats to forget
    waited: float = 0.0  # seconds spent waiting, in all
    retry_after_seen: int = 0  # 429s that came back despite the waiting
    _chats: dict[int, _Bucket] = field(default_factory=dict)
    _groups: dict[int, deque[float]] = field(default_factory=dict)
    _global: _Bucket | None = None
    _paused_until: dict[int, float] = field(default_factory=dict)
    _until_sweep: int = 0

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        chat_id = getattr(method, "chat_id", None)
        if method.__api_method__ in SENDING_METHODS and isinstance(chat_id, int):
            await self.acquire(chat_id)
        elif self.limits.every_call:  # an edit, a callback answer... counts on MAX too
            await self.acquire_call()
        try:
            return await make_request(bot, method)
        except TelegramRetryAfter as exc:
            self.retry_after_seen += 1
            metrics.TOO_MANY.labels(method.__api_method__).inc()
            if isinstance(chat_id, int):
                self._paused_until[chat_id] = self.clock() + exc.retry_after
            raise

    async def acquire(self, chat_id: int) -> None:
        """Return when one more message may go into ``chat_id`` (and count it)."""
        while True:
            now = self.clock()
            wait = self._wait_needed(chat_id, now)
            if wait <= 0:
                self._take(chat_id, now)
                return
            self.waited += wait
            await self.sleep(wait)

    async def acquire_call(self) -> None:
        """Return when one more call of any kind may go under the global limit (and
        count it): where every call counts (``Limits.every_call``)."""
        while True:
            now = self.clock()
            if self._global is None:
                lim = self.limits
                self._global = _Bucket(lim.global_burst, lim.global_rate, lim.global_burst, now)
            wait = self._global.wait(now)
            if wait <= 0:
                self._global.tokens -= 1
                return
            self.waited += wait
            await self.sleep(wait)

    @property
    def tracked_chats(self) -> int:
        """How many chats the limiter holds anything for (a pace, a window, a pause)."""
        return len(self._chats.keys() | self._groups.keys() | self._paused_until.keys())

    def _wait_needed(self, chat_id: int, now: float) -> float:
        lim = self.limits
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Bucket(
                lim.chat_burst, lim.chat_rate, lim.chat_burst, now
            )
        if self._global is None:
            self._global = _Bucket(lim.global_burst, lim.global_rate, lim.global_burst, now)
        wait = max(chat.wait(now), self._global.wait(now), self._paused_until.get(chat_id, 0) - now)
        if _group(chat_id):
            window = self._groups.setdefault(chat_id, deque())
            while window and window[0] <= now - lim.group_window:
                window.popleft()
            if len(window) >= lim.group_per_minute:
                wait = max(wait, window[0] + lim.group_window - now)
        return wait

    def _take(self, chat_id: int, now: float) -> None:
        self._chats[chat_id].tokens -= 1
        assert self._global is not None
        self._global.tokens -= 1
        if _group(chat_id):
            self._groups[chat_id].append(now)
        self._until_sweep -= 1
        if self._until_sweep <= 0:
            self._sweep(now)
            self._until_sweep = self.sweep_every

    def _sweep(self, now: float) -> None:
        """Forget what would look the same to a chat never seen: a bucket filled up
        again, a group window with nothing left in it, a pause that is over."""
        for chat_id, bucket in list(self._chats.items()):
            bucket.wait(now)  # brings its tokens up to date
            if bucket.tokens >= bucket.capacity:
                del self._chats[chat_id]
        horizon = now - self.limits.group_window
        for chat_id, window in list(self._groups.items()):
            if not window or window[-1] <= horizon:
                del self._groups[chat_id]
        for chat_id, until in list(self._paused_until.items()):
            if until <= now:
                del self._paused_until[chat_id]
