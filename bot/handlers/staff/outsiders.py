"""The one place that answers someone who is not staff of the group's team.

Reached after the staff routers took what staff may do.  A ticket command or
/report from anyone else is answered at most once an hour per chat
(``bot.services.outsiders``): a ticket command in the ticket's topic if it was
typed in one, /report (a command of the group, not of a ticket) in the group.
A card button pressed by someone who may not act on its ticket raises
``NotAllowed``, which the error handler answers in the press's alert; the
update's transaction is dropped, so nothing of the press is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.callbacks import StaffCb
from bot.handlers.filters import IsStaff, place_of
from bot.handlers.staff.commands import COMMANDS
from bot.services import outsiders, staff
from desk.errors import NotAllowed
from storage.uow import UnitOfWork


async def ticket_command(message: Message, uow: UnitOfWork, now: Callable[[], datetime]) -> None:
    assert message.from_user is not None
    ticket = await staff.ticket_at(uow, place_of(message))
    await outsiders.refuse(uow, message.chat.id, message.from_user.id, now(), ticket)


async def group_command(message: Message, uow: UnitOfWork, now: Callable[[], datetime]) -> None:
    assert message.from_user is not None
    await outsiders.refuse(uow, message.chat.id, message.from_user.id, now())


async def card_press(query: CallbackQuery, callback_data: StaffCb) -> None:
    raise NotAllowed(
        f"{query.from_user.id} is not staff of the team of ticket {callback_data.ticket}"
    )


def build() -> Router:
    router = Router(name="staff.outsiders")
    router.message.register(ticket_command, Command(*COMMANDS, ignore_mention=True), ~IsStaff())
    router.message.register(group_command, Command("report"), ~IsStaff())
    router.callback_query.register(card_press, StaffCb.filter())
    return router
