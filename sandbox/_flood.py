"""Telegram's flood limits on sending messages.

Three limits apply at once, as on Telegram: about one message per second in
one chat (a short burst is tolerated), 20 messages per minute into one group,
about 30 messages per second in all. A call past any of them is refused with
429 and the number of seconds to wait; refused calls are counted.
"""

from __future__ import annotations

import math
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from sandbox._errors import TooManyRequests


@dataclass
class _Bucket:
    """A token bucket: ``capacity`` tokens, refilled at ``rate`` per second."""

    capacity: float
    rate: float
    tokens: float
    stamp: float

    def wait_needed(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


@dataclass
class FloodLimits:
    chat_rate: float = 1.0  # messages per second in one chat
    chat_burst: float = 3.0
    group_per_minute: int = 20
    global_rate: float = 30.0
    global_burst: float = 30.0


@dataclass
class FloodLimiter:
    enabled: bool = True
    limits: FloodLimits = field(default_factory=FloodLimits)
    clock: Callable[[], float] = time.monotonic
    refused: Counter[str] = field(default_factory=Counter)
    refused_by_chat: Counter[int] = field(default_factory=Counter)
    _chats: dict[int, _Bucket] = field(default_factory=dict)
    _groups: dict[int, deque[float]] = field(default_factory=dict)
    _global: _Bucket | None = None

    def check(self, method: str, chat_id: int, is_group: bool) -> None:
        """Count one message into ``chat_id`` or raise TooManyRequests."""
        if not self.enabled:
            return
        now = self.clock()
        limits = self.limits
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Bucket(
                limits.chat_burst, limits.chat_rate, limits.chat_burst, now
            )
        if self._global is None:
            burst = limits.global_burst
            self._global = _Bucket(burst, limits.global_rate, burst, now)
        wait = max(chat.wait_needed(now), self._global.wait_needed(now))
        window: deque[float] | None = None
        if is_group:
            window = self._groups.setdefault(chat_id, deque())
            while window and window[0] <= now - 60:
                window.popleft()
            if len(window) >= limits.group_per_minute:
                wait = max(wait, window[0] + 60 - now)
        if wait > 0:
            self.refused[method] += 1
            self.refused_by_chat[chat_id] += 1
            raise TooManyRequests(max(1, math.ceil(wait)))
        chat.take()
        self._global.take()
        if window is not None:
            window.append(now)

    def set_enabled(self, enabled: bool) -> None:
        self.enabled = enabled
        self._chats.clear()
        self._groups.clear()
        self._global = None

    @property
    def refused_total(self) -> int:
        return sum(self.refused.values())
