"""/start with or without an invite code, the answer to another client's invite, and /help.

A staff member gets the staff help for /start without a code and for /help: the
client onboarding text is not for them (an invite link still binds, so a
consultant can try the bot as a client).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message

from bot import texts
from bot.callbacks import RebindCb
from bot.outbox import enqueue
from bot.services import pairing, rebind, staff_help
from bot.services.incoming import chat_of
from bot.services.pairing import BotNames
from desk.model import User
from storage.uow import UnitOfWork


async def start(
    message: Message, command: CommandObject, uow: UnitOfWork, now: Callable[[], datetime]
) -> None:
    assert message.from_user is not None
    person = message.from_user
    code = (command.args or "").strip()
    if not code and await _is_staff(uow, person.id):  # an invite still binds (to try the bot)
        enqueue.send(uow, message.chat.id, staff_help.render(private=True, name=person.first_name))
        return
    if code and await pairing.take(uow, message.chat.id, code, now()):
        return  # a link from /connect in the person's other messenger
    known = await uow.users.get(person.id)
    invite = await uow.directory.invite(code) if code else None
    if code and invite is None:
        template, client = "start_bad_invite", None
    elif invite is not None and known is not None and known.client_code != invite.client:
        offered = await uow.directory.client(invite.client)  # asked first: never moved silently
        html, markup = await rebind.offer(uow, known, offered, now())
        enqueue.send(uow, message.chat.id, html, markup=markup)
        return
    elif invite is not None and known is None:
        moment = now()
        await uow.users.bind(
            User(person.id, invite.client, person.first_name, moment, person.username)
        )
        template, client = "start_bound", await uow.directory.client(invite.client)
    elif known is not None:  # no code, or the invite of the client the user is with
        template, client = "start_known", await uow.directory.client(known.client_code)
    else:
        template, client = "start_stranger", None
    html = texts.render(template, name=person.first_name, client=client.name if client else "")
    enqueue.send(uow, message.chat.id, html)


async def rebind_answer(
    query: CallbackQuery, callback_data: RebindCb, uow: UnitOfWork, now: Callable[[], datetime]
) -> None:
    """«Перейти» or «Остаться» under an offer; counts only against the offer stored."""
    user_id = query.from_user.id
    user = await uow.users.get(user_id)
    html = None if user is None else await rebind.answer(uow, user, callback_data, now())
    if html is None:  # forged, already answered, replaced or old: nothing changes
        await query.answer(texts.render("rebind_expired"), show_alert=True)
        return
    if query.message is not None:
        enqueue.set_markup(uow, query.message.chat.id, query.message.message_id, None)
    enqueue.send(uow, chat_of(query), html)
    await query.answer()


async def connect(
    message: Message, uow: UnitOfWork, bot_names: BotNames, now: Callable[[], datetime]
) -> None:
    """``/connect``: a link to write from the other messenger too (bot.services.pairing)."""
    assert message.from_user is not None
    await pairing.offer(uow, message.chat.id, message.from_user.id, bot_names, now())


async def help_(message: Message, uow: UnitOfWork) -> None:
    assert message.from_user is not None
    person = message.from_user
    if await _is_staff(uow, person.id):
        html = staff_help.render(private=True, name=person.first_name)
    else:
        html = texts.render("help_user")
    enqueue.send(uow, message.chat.id, html)


async def _is_staff(uow: UnitOfWork, telegram_id: int) -> bool:
    """A consultant or engineer (active) gets the staff help here, not the client's."""
    member = await uow.directory.staff(telegram_id)
    return member is not None and member.active


def build() -> Router:
    router = Router(name="private.start")
    router.message.register(start, CommandStart())
    router.callback_query.register(rebind_answer, RebindCb.filter())
    router.message.register(help_, Command("help"))
    router.message.register(connect, Command("connect"))
    return router
