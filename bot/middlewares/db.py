"""One unit of work per update; the update takes effect once (ARCHITECTURE.md, invariant 2).

The update is claimed first, in the same transaction as everything the
handlers change and every message they put in the outbox.  The claim names
the bot and the update's content (``bot.updates.identity``): a second
delivery of the same update (Telegram resends after a crash, before the
offset was confirmed) finds it and is skipped, logged at WARNING with its
chat; a new update that happens to reuse an old id is applied.  If a
handler raises, nothing of it is kept, the claim included, so the update can
be tried again.  After the commit the outbox sender is woken to deliver at once.

Each update is counted by type and outcome, with its time (``bot.metrics``),
and every line logged while it is handled names it (``bot.logs``: ``update``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject, Update

from bot import logs, metrics
from bot.updates import identity
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)


class UnitOfWorkMiddleware(BaseMiddleware):
    def __init__(self, uow_factory: UnitOfWorkFactory, after_commit: Callable[[], None]) -> None:
        self._uow = uow_factory
        self._after_commit = after_commit
        self.duplicates = 0

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        bot: Bot = data["bot"]
        started = time.perf_counter()
        kind, outcome = _kind(event), "failed"
        bound = logs.bind_update(event.update_id)
        try:
            who = identity(event)
            async with self._uow() as uow:
                claimed = await uow.messaging.claim_update(
                    bot.id, who.key, event.update_id, who.chat_id, datetime.now(UTC)
                )
                if not claimed:
                    self.duplicates += 1
                    outcome = "duplicate"
                    log.warning(
                        "update %s in chat %s was applied before (%s): skipped as a re-delivery",
                        event.update_id,
                        who.chat_id,
                        who.key,
                    )
                    return UNHANDLED
                data["uow"] = uow
                result = await handler(event, data)
            outcome = "unhandled" if result is UNHANDLED else "handled"
        finally:
            metrics.update_done(kind, outcome, time.perf_counter() - started)
            logs.unbind(bound)
        self._after_commit()
        return result


def _kind(update: Update) -> str:
    try:
        return update.event_type
    except Exception:  # aiogram's UpdateTypeLookupError: a type it does not know
        return "unknown"
