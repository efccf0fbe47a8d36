"""Whatever a user writes: a request, a follow-up, a rating comment, or something we cannot take.

A command the bot does not know (``/ticket``; the known ones are routed before this
module) is not a request: it gets the user's help.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from aiogram import F, Router
from aiogram.types import Message

from bot import texts
from bot.handlers.filters import HasAny
from bot.outbox import enqueue
from bot.services import csat, intake, priority
from bot.services.incoming import MEDIA_TYPES, incoming
from bot.services.tickets import TicketService
from knowledge.base import KnowledgeBase
from storage.uow import UnitOfWork

# What Telegram takes for a command: a slash, Latin letters, digits or "_", maybe @bot.
COMMAND = re.compile(r"^/(?P<name>[A-Za-z0-9_]{1,32})(@\w+)?(\s|$)")
UNSUPPORTED = ("sticker", "location", "contact", "venue", "poll", "dice", "game")


async def request(
    message: Message,
    uow: UnitOfWork,
    tickets: TicketService,
    kb: KnowledgeBase,
    now: Callable[[], datetime],
) -> None:
    msg = incoming(message)
    moment = now()
    waiting = await uow.drafts.awaited(msg.user_id)
    if waiting is not None and waiting[0] == csat.COMMENT and waiting[1] is not None and msg.text:
        ticket = await uow.tickets.get_by_id(waiting[1])
        await csat.comment(uow, ticket, msg.user_id, msg.text, moment)
        return
    if waiting is not None and await priority.take_reason(uow, tickets, waiting, msg, moment):
        return
    if waiting is not None:
        await uow.drafts.stop_awaiting(msg.user_id)
    await intake.receive(uow, tickets, kb, msg, moment)


async def unknown_command(message: Message, uow: UnitOfWork) -> None:
    command = COMMAND.match(message.text or "")
    name = command.group("name") if command else ""
    enqueue.send(uow, message.chat.id, texts.render("unknown_command", command=name))


async def unsupported(message: Message, uow: UnitOfWork) -> None:
    kind = next((k for k in UNSUPPORTED if getattr(message, k, None) is not None), "other")
    enqueue.send(uow, message.chat.id, texts.render("unsupported", kind=kind))


def build() -> Router:
    router = Router(name="private.messages")
    router.message.register(unknown_command, F.text.regexp(COMMAND))
    router.message.register(request, HasAny(("text", "caption", *MEDIA_TYPES)))
    router.message.register(unsupported)
    return router
