"""Messengers on the user's side (ARCHITECTURE.md, "Channels").

Telegram is the desk's own: the staff forum lives there and the handlers speak
its Bot API.  MAX is an adapter at the edge: ``max_updates`` turns MAX updates
into Telegram-shaped updates for the same dispatcher, and ``max_session`` turns
the Bot API calls the outbox and the handlers make into MAX Bot API calls (made
by the ``maxapi`` client).  ``Bots`` picks the bot for a chat by its key
(``desk.channels``).
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import TelegramMethod

from desk.channels import Channel, channel_of


class ChannelOff(TelegramAPIError):
    """A row for a messenger this instance has no bot for (no token configured)."""


class Bots:
    """The bot that speaks to a chat: Telegram's, or MAX's when one is configured."""

    def __init__(self, telegram: Bot, max_bot: Bot | None = None) -> None:
        self.telegram = telegram
        self.max = max_bot

    def for_chat(self, chat_id: int) -> Bot:
        if channel_of(chat_id) is Channel.MAX:
            if self.max is None:
                raise ChannelOff(
                    method=_NoMethod(), message="no MAX bot here (SUPPORTDESK_MAX_TOKEN unset)"
                )
            return self.max
        return self.telegram


class _NoMethod(TelegramMethod[bool]):
    __returning__ = bool
    __api_method__ = "none"
