"""The rate limiter keeps Telegram's limits (checked on a fake clock, no waiting)."""

from __future__ import annotations

from bot.outbox.ratelimit import Limits, RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _send(limiter: RateLimiter, chat_id: int) -> float:
    """Take a slot if free now; else the seconds to wait (nothing taken)."""
    wait = limiter._wait_needed(chat_id, limiter.clock())
    if wait <= 0:
        limiter._take(chat_id, limiter.clock())
    return wait


def test_one_chat_gets_a_short_burst_then_about_one_per_second() -> None:
    """Two messages go at once, the third waits about a second."""
    clock = FakeClock()
    limiter = RateLimiter(Limits(), clock=clock)
    assert _send(limiter, 1) == 0
    assert _send(limiter, 1) == 0
    wait = _send(limiter, 1)
    assert 0.9 < wait <= 1.1
    clock.now += wait
    assert _send(limiter, 1) == 0


def test_a_group_gets_at_most_20_messages_a_minute() -> None:
    """The 21st message into a group within a minute waits for the window to move."""
    clock = FakeClock()
    limiter = RateLimiter(Limits(), clock=clock)
    for _ in range(20):
        while (wait := _send(limiter, -100)) > 0:
            clock.now += wait
    start_window = clock.now
    wait = _send(limiter, -100)
    assert wait > 0
    clock.now += wait
    assert _send(limiter, -100) == 0
    assert clock.now - start_window > 30  # the first of the 20 had to leave the window


def test_all_chats_together_stay_under_30_per_second() -> None:
    """Many different chats at once are paced by the global limit."""
    clock = FakeClock()
    limiter = RateLimiter(Limits(), clock=clock)
    sent_in_first_second = 0
    for chat in range(1, 200):
        if _send(limiter, chat) == 0:
            sent_in_first_second += 1
    assert sent_in_first_second <= 30


def test_a_429_pauses_that_chat() -> None:
    """After Telegram says retry_after, the chat waits at least that long."""
    clock = FakeClock()
    limiter = RateLimiter(Limits(), clock=clock)
    limiter._paused_until[5] = clock.now + 7
    assert _send(limiter, 5) >= 6.9
    assert _send(limiter, 6) == 0
