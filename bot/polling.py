"""Long polling that confirms an update only after its transaction committed.

aiogram's own polling moves the offset on as soon as updates are fetched and
handles them in background tasks, so a ``kill -9`` between the two loses them.
Here a batch is handled first and the offset (which confirms it to Telegram)
moves only afterwards; updates handled twice are skipped by the update-id
claim (``bot.middlewares.db``).  Within a batch the updates of one chat run
in order, different chats side by side.

The batch is fetched raw and each update parsed on its own
(``bot.reader``): one the bot cannot read is set aside and the offset moves
past it, so it can never stop the others or the bot.  An update that failed
because the database was away (``storage.database.unavailable``) keeps the
offset where it is: the batch is fetched again a second later, and what of
it was handled is skipped by its claim.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

from aiogram import Bot, Dispatcher
from aiogram.exceptions import ClientDecodeError, TelegramNetworkError, TelegramServerError
from aiogram.types import Update

from bot.reader import GetRawUpdates, UpdateReader, raw_id
from storage.database import unavailable

log = logging.getLogger(__name__)

T = TypeVar("T")


def chat_key(update: Update) -> int:
    """Updates with the same key are handled in order (the chat, else the user)."""
    if update.message is not None:
        return update.message.chat.id
    if update.edited_message is not None:
        return update.edited_message.chat.id
    if update.callback_query is not None:
        message = update.callback_query.message
        return message.chat.id if message is not None else update.callback_query.from_user.id
    return -(10**15) - update.update_id  # anything else: on its own


async def handle_batch(dp: Dispatcher, bot: Bot, updates: Sequence[Update]) -> bool:
    """Handle a batch; False when the database was away for one of its updates
    (that chat's later updates wait with it): the batch is to be fetched again."""
    lanes: dict[int, list[Update]] = defaultdict(list)
    for update in updates:
        lanes[chat_key(update)].append(update)
    complete = True

    async def lane(items: list[Update]) -> None:
        nonlocal complete
        for update in items:
            try:
                await dp.feed_update(bot, update)
            except Exception as exc:  # one bad update must not stop the others
                if unavailable(exc):
                    complete = False
                    return
                log.exception("update %s failed", update.update_id)

    await asyncio.gather(*(lane(items) for items in lanes.values()))
    return complete


async def read_batch(reader: UpdateReader, batch: Sequence[object]) -> tuple[list[Update], int]:
    """The readable updates of a raw batch, and the highest update id in it (-1: none)."""
    updates: list[Update] = []
    last = -1
    for raw in batch:
        update = await reader.read(raw)
        if update is not None:
            updates.append(update)
        update_id = raw_id(raw)
        if update_id is not None:
            last = max(last, update_id)
    return updates, last


class Stopper:
    """What a polling loop waits with: a fetch that ``stop`` may cut short, the backoff
    after a failed fetch, and a pause (both also cut short by ``stop``)."""

    def __init__(self, stop: asyncio.Event) -> None:
        self.stop = stop
        self._task = asyncio.create_task(stop.wait())
        self._failures = 0

    async def fetch(self, call: Coroutine[Any, Any, T]) -> T | None:
        """``call``'s result (its exception raised), or None once ``stop`` came first."""
        fetch = asyncio.create_task(call)
        await asyncio.wait({fetch, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if not fetch.done():
            fetch.cancel()
            await asyncio.gather(fetch, return_exceptions=True)
            return None
        result = fetch.result()
        self._failures = 0
        return result

    async def back_off(self, what: str, exc: BaseException) -> None:
        """After a failed fetch: wait 1 s, 2 s, 4 s ... up to 30 s, saying so."""
        self._failures += 1
        delay = min(30.0, 0.5 * 2**self._failures)
        log.warning("%s failed (%s); retrying in %.1fs", what, exc, delay)
        await self.pause(delay)

    async def pause(self, seconds: float) -> None:
        await asyncio.wait({self._task}, timeout=seconds)

    def close(self) -> None:
        self._task.cancel()


async def poll(
    dp: Dispatcher,
    bot: Bot,
    stop: asyncio.Event,
    reader: UpdateReader,
    *,
    poll_seconds: int = 25,
    limit: int = 100,
) -> None:
    """Fetch and handle updates until ``stop`` is set."""
    offset: int | None = None
    allowed = dp.resolve_used_update_types()
    stopper = Stopper(stop)
    try:
        while not stop.is_set():
            request = GetRawUpdates(
                offset=offset, timeout=poll_seconds, limit=limit, allowed_updates=allowed
            )
            try:
                batch = await stopper.fetch(bot(request, request_timeout=poll_seconds + 10))
            except (TelegramNetworkError, TelegramServerError, ClientDecodeError) as exc:
                await stopper.back_off("getUpdates", exc)
                continue
            if batch is None:
                break
            updates, last = await read_batch(reader, batch)
            if updates and not await handle_batch(dp, bot, updates):
                await stopper.pause(1.0)  # the database is away
                continue
            if last >= 0:
                offset = last + 1
    finally:
        stopper.close()
