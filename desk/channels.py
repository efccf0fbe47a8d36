"""Which messenger a client's user writes from, and their address on it (ARCHITECTURE.md,
"Channels").

The staff side is Telegram; a user may write from Telegram or from MAX.  Every
place that keeps a chat keeps one integer, the chat's *key*, so that the outbox,
message links, drafts and update claims work the same for both messengers:

- a Telegram chat's key is its Telegram id (ids fit in 52 bits, as Telegram
  promises, so they never go below ``-2**52``);
- a MAX dialog's key is ``MAX_BASE - user_id`` (``MAX_BASE`` = ``-2**53``): below
  any Telegram id, so the two never meet;
- at or below ``-2**62`` are the ids of no chat: a client's monitoring, the
  requester of its alerts (``desk.alerts.SYSTEM_USER_CEILING``).

A person (``users`` row) is known by the key of the first address they were
bound from; a second messenger's address is tied to the same person
(``storage.tables.channels``).  ``Address`` is the readable form,
``telegram:1001`` or ``max:4711``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MAX_BASE = -(2**53)
# MAX user ids below this get a key above the monitoring's ids (int64 columns)
MAX_USER_ID_LIMIT = 2**62 - 2**53
_TELEGRAM_FLOOR = -(2**52)
_NO_CHAT = -(2**62)  # and below: no chat (desk.alerts.SYSTEM_USER_CEILING)


class Channel(StrEnum):
    TELEGRAM = "telegram"
    MAX = "max"

    @property
    def label(self) -> str:
        """How a consultant's card names it."""
        return "MAX" if self is Channel.MAX else "Telegram"


@dataclass(frozen=True, order=True)
class Address:
    channel: Channel
    id: int

    def __post_init__(self) -> None:
        if self.channel is Channel.MAX and not 0 < self.id < MAX_USER_ID_LIMIT:
            raise ValueError(f"a MAX user id out of range: {self.id}")
        if self.channel is Channel.TELEGRAM and self.id < _TELEGRAM_FLOOR:
            raise ValueError(f"a Telegram id out of range: {self.id}")

    @property
    def key(self) -> int:
        """The one integer every table keeps for this chat."""
        return MAX_BASE - self.id if self.channel is Channel.MAX else self.id

    def __str__(self) -> str:
        return f"{self.channel.value}:{self.id}"

    @classmethod
    def of_key(cls, key: int) -> Address:
        """The chat of ``key``; ValueError for a key of no chat (a monitoring's id)."""
        if key <= _NO_CHAT:
            raise ValueError(f"{key} is the key of no chat")
        if key < _TELEGRAM_FLOOR:
            return cls(Channel.MAX, MAX_BASE - key)
        return cls(Channel.TELEGRAM, key)

    @classmethod
    def parse(cls, text: str) -> Address:
        """``telegram:1001`` or ``max:4711``; ValueError with the reason otherwise."""
        name, sep, number = text.partition(":")
        if not sep or not number.lstrip("-").isdigit():
            raise ValueError(f"not an address (telegram:ID or max:ID): {text!r}")
        try:
            channel = Channel(name)
        except ValueError:
            raise ValueError(f"unknown messenger {name!r} (telegram or max)") from None
        return cls(channel, int(number))


def start_link(channel: Channel, bot_username: str, code: str) -> str:
    """The deep link that opens the bot with ``/start <code>``: Telegram's ``t.me``,
    MAX's ``max.ru`` (a MAX user opening it sends the bot ``bot_started`` with it)."""
    host = "max.ru" if channel is Channel.MAX else "t.me"
    return f"https://{host}/{bot_username.lstrip('@')}?start={code}"


def channel_of(key: int) -> Channel:
    """The messenger of chat ``key`` (Telegram's for a key of no chat: nothing is sent there)."""
    return Channel.MAX if _NO_CHAT < key < _TELEGRAM_FLOOR else Channel.TELEGRAM


def max_key(user_id: int) -> int:
    """The key of a MAX user's dialog with the bot."""
    return Address(Channel.MAX, user_id).key
