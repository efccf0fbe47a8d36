"""A client manager's ``/revoke`` (private chat): the links to their companies'
pages given to them so far open no more; /tickets gives a new one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from bot import texts
from bot.outbox import enqueue
from bot.services import manager
from storage.uow import UnitOfWork


async def revoke(message: Message, uow: UnitOfWork, now: Callable[[], datetime]) -> None:
    assert message.from_user is not None
    names = await manager.revoke_own_links(uow, message.from_user.id, now())
    if not names:
        enqueue.send(uow, message.chat.id, texts.render("client_not_manager"))
        return
    enqueue.send(uow, message.chat.id, texts.render("client_links_revoked", names=names))


def build() -> Router:
    router = Router(name="client-links")
    router.message.register(revoke, Command("revoke"))
    return router
