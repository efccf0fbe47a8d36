"""One place that turns domain errors into a useful answer and logs the rest."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent

from bot import texts
from desk.errors import IllegalTransition, NotAllowed, NotFound
from storage.database import unavailable

log = logging.getLogger(__name__)


async def _tell(event: ErrorEvent, text: str) -> None:
    update = event.update
    if update.callback_query is not None:
        await update.callback_query.answer(text[:200], show_alert=True)
    elif update.message is not None:
        await update.message.reply(text)


async def not_allowed(event: ErrorEvent) -> None:
    log.info("refused update %s: %s", event.update.update_id, event.exception)
    message = event.update.message or (
        event.update.callback_query.message if event.update.callback_query else None
    )
    private = message is not None and message.chat.type == "private"
    await _tell(event, texts.render("not_yours" if private else "staff_not_allowed"))


async def illegal(event: ErrorEvent) -> None:
    exc = event.exception
    assert isinstance(exc, IllegalTransition)
    await _tell(event, texts.render("staff_illegal", old=exc.old, new=exc.new))


async def unexpected(event: ErrorEvent) -> None:
    if unavailable(event.exception):
        # The database was away (a restart, a failover): nothing of the update was
        # kept, its claim included. Raised on, it is not confirmed (the webhook
        # answers 500, polling does not move past it), so it comes again.
        log.warning(
            "update %s not handled, the database is unavailable (%s): it will come again",
            event.update.update_id,
            type(event.exception).__name__,
        )
        raise event.exception
    log.exception("update %s failed", event.update.update_id, exc_info=event.exception)
    message = event.update.message
    if message is not None and message.chat.type == "private":
        await message.answer(texts.render("error_user"))


def build() -> Router:
    router = Router(name="errors")
    router.errors.register(not_allowed, ExceptionTypeFilter(NotAllowed, NotFound))
    router.errors.register(illegal, ExceptionTypeFilter(IllegalTransition))
    router.errors.register(unexpected)
    return router
