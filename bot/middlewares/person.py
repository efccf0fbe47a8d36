"""Who writes from a chat tied to a person first known elsewhere (desk.channels).

A person is known by the key of the chat they were first bound from; every
update is read with that chat's own key as its sender.  A chat tied to another
person (``/connect`` in one messenger, the link opened in the other) is read as
that person here: its private messages and presses carry ``from_user.id`` = the
person, so ``/my``, requests and buttons are theirs.  The same for Telegram and
MAX chats; anyone else passes unchanged (one primary-key lookup).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message, TelegramObject, Update, User

from storage.uow import UnitOfWork


def _private_sender(update: Update) -> tuple[int, User] | None:
    """The chat and the user of a private message or press (a press with no message is
    from the presser's own chat)."""
    if update.message is not None:
        message = update.message
        if message.chat.type == ChatType.PRIVATE and message.from_user is not None:
            return message.chat.id, message.from_user
    if update.callback_query is not None:
        query = update.callback_query
        if query.message is None:
            return query.from_user.id, query.from_user
        if query.message.chat.type == ChatType.PRIVATE:
            return query.message.chat.id, query.from_user
    return None


def as_person(update: Update, person: int) -> Update:
    """``update`` with its sender read as ``person`` (the chat stays where it was)."""
    if update.message is not None and update.message.from_user is not None:
        sender = update.message.from_user.model_copy(update={"id": person})
        message: Message = update.message.model_copy(update={"from_user": sender})
        return update.model_copy(update={"message": message})
    assert update.callback_query is not None
    query: CallbackQuery = update.callback_query
    presser = query.from_user.model_copy(update={"id": person})
    return update.model_copy(
        update={"callback_query": query.model_copy(update={"from_user": presser})}
    )


class PersonMiddleware(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        found = _private_sender(event)
        if found is not None:
            uow: UnitOfWork = data["uow"]
            person = await uow.channels.tied_person(found[0])
            if person is not None and person != found[1].id:
                event = as_person(event, person)
        return await handler(event, data)
