"""Filters that handlers share, written as coroutines.

aiogram runs a filter that is a plain callable (a magic ``F...`` filter
included) in a worker thread: a thread hop for each filter of each update.
These are ``Filter`` objects, which it awaits in place.

The staff filters re-read the sender (and the ticket) from the database on
every update (ARCHITECTURE.md, invariant 4) and hand what they found to the
handler: a filter that returns a dict adds its keys to the handler's keyword
arguments, so a staff handler reads ``async def take(message, member, ticket, ...)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiogram.enums import ChatType
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message

from bot.callbacks import StaffCb
from bot.services import approvals, staff
from bot.services.incoming import incoming
from storage.uow import UnitOfWork


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


class SlashText(Filter):
    """A text or caption starting with «/»: a command, known or not, never for a client.

    The handler gets ``command``: the first word (``/foo``, or ``/`` alone) and
    ``mention``: the bot it names after «@» (``/foo@somebot``), if any.
    """

    async def __call__(self, message: Message) -> bool | dict[str, Any]:
        text = (message.text or message.caption or "").lstrip()
        if not text.startswith("/"):
            return False
        word = text.split(maxsplit=1)[0]
        command, _, mention = word.partition("@")
        return {"command": command, "mention": mention or None}


def place_of(message: Message) -> staff.Place:
    """Where a message in the staff group was written: its topic, or what it replies to."""
    msg = incoming(message)
    return staff.Place(msg.chat_id, msg.thread_id, msg.reply_to)


class IsStaff(Filter):
    """The sender is active staff of the team whose group this is: the handler gets ``member``.

    A bot is never staff.  ``~IsStaff()`` matches everyone else.
    """

    async def __call__(self, message: Message, uow: UnitOfWork) -> bool | dict[str, Any]:
        user = message.from_user
        if user is None or user.is_bot:
            return False
        member = await staff.staff_of_chat(uow, message.chat.id, user.id)
        return False if member is None else {"member": member}


class InTicket(Filter):
    """A message in a ticket's topic (or replying to its card or a relayed message in
    a plain group): the handler gets that ``ticket``."""

    async def __call__(self, message: Message, uow: UnitOfWork) -> bool | dict[str, Any]:
        ticket = await staff.ticket_at(uow, place_of(message))
        return False if ticket is None else {"ticket": ticket}


class StaffPress(Filter):
    """A ticket card's button pressed by active staff of that ticket's team: the handler
    gets ``member`` and ``ticket``.

    Goes after ``StaffCb.filter(...)``, whose ``callback_data`` names the ticket;
    callback data is untrusted, so both are read from the database.  A ticket
    that does not exist raises ``NotFound``; a presser who is not staff of its
    team does not match (``bot.handlers.staff.outsiders`` refuses the press).
    """

    async def __call__(
        self, query: CallbackQuery, callback_data: StaffCb, uow: UnitOfWork
    ) -> bool | dict[str, Any]:
        assert query.message is not None  # InChats on the group router
        member = await staff.staff_of_chat(uow, query.message.chat.id, query.from_user.id)
        ticket = await uow.tickets.get_by_id(callback_data.ticket)
        if member is None or member.team != await staff.team_name(uow, ticket):
            return False
        return {"member": member, "ticket": ticket}


class FillingForm(Filter):
    """A user's message (not a command) while they fill in a request form: the handler
    gets that ``form`` (``bot.services.catalogue``)."""

    async def __call__(self, message: Message, uow: UnitOfWork) -> bool | dict[str, Any]:
        if message.from_user is None or (message.text or "").startswith("/"):
            return False
        form = await uow.catalogue.form_of(message.from_user.id)
        return False if form is None or form.state != "filling" else {"form": form}


class AwaitingRefusal(Filter):
    """An approver's message after «Отклонить»: the reason; the handler gets
    ``approval_id`` (``bot.services.approvals``)."""

    async def __call__(self, message: Message, uow: UnitOfWork) -> bool | dict[str, Any]:
        if message.from_user is None or not message.text or message.text.startswith("/"):
            return False
        waiting = await uow.drafts.awaited(message.from_user.id)
        if waiting is None or not waiting[0].startswith(approvals.REASON_WAIT):
            return False
        number = waiting[0].removeprefix(approvals.REASON_WAIT)
        return {"approval_id": int(number)} if number.isdigit() else False
