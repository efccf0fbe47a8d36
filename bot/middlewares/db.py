"""One unit of work per update; the update takes effect once (Invariant 2).

The update id is recorded first, in the same transaction as everything the
handlers change and every message they put in the outbox.  A second delivery
of the same update (Telegram resends after a crash, before the offset was
confirmed) finds the id and is skipped.  If a handler raises, nothing of it
is kept, the id included, so the update can be tried again.  After the
commit the outbox sender is woken to deliver at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject, Update

from storage.messaging import claim_update
from storage.uow import UnitOfWorkFactory


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
        async with self._uow() as uow:
            if not await claim_update(uow.session, event.update_id, datetime.now(UTC)):
                self.duplicates += 1
                return UNHANDLED
            data["uow"] = uow
            result = await handler(event, data)
        self._after_commit()
        return result
