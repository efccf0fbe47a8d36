"""Filters that every update meets, written as coroutines.

aiogram runs a filter that is a plain callable (a magic ``F...`` filter
included) in a worker thread: a thread hop for each filter of each update.
These are ``Filter`` objects, which it awaits in place.
"""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.enums import ChatType
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message


class InChats(Filter):
    """Messages, and button presses under messages, in chats of the given types."""

    def __init__(self, types: Iterable[ChatType]) -> None:
        self.types = frozenset(types)

    async def __call__(self, event: Message | CallbackQuery) -> bool:
        if isinstance(event, Message):
            return event.chat.type in self.types
        return event.message is not None and event.message.chat.type in self.types


class HasAny(Filter):
    """Messages with any of the given fields set (text, caption, a kind of media)."""

    def __init__(self, fields: Iterable[str]) -> None:
        self.fields = tuple(fields)

    async def __call__(self, message: Message) -> bool:
        return any(getattr(message, name, None) for name in self.fields)
