"""/start with or without an invite code, and /help."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message

from bot import texts
from bot.outbox import enqueue
from desk.model import User
from storage.uow import UnitOfWork


async def start(
    message: Message, command: CommandObject, uow: UnitOfWork, now: Callable[[], datetime]
) -> None:
    assert message.from_user is not None
    person = message.from_user
    code = (command.args or "").strip()
    known = await uow.users.get(person.id)
    if code:
        invite = await uow.directory.invite(code)
        if invite is None:
            template, client = "start_bad_invite", None
        else:
            moment = now()
            await uow.users.bind(
                User(person.id, invite.client, person.first_name, moment, person.username)
            )
            template, client = "start_bound", await uow.directory.client(invite.client)
    elif known is not None:
        template, client = "start_known", await uow.directory.client(known.client_code)
    else:
        template, client = "start_stranger", None
    html = texts.render(template, name=person.first_name, client=client.name if client else "")
    enqueue.send(uow.session, message.chat.id, html)


async def help_(message: Message, uow: UnitOfWork) -> None:
    enqueue.send(uow.session, message.chat.id, texts.render("help_user"))


def build() -> Router:
    router = Router(name="private.start")
    router.message.register(start, CommandStart())
    router.message.register(help_, Command("help"))
    return router
