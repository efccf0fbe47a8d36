"""Long polling of the MAX Bot API, confirming a batch only after it was handled.

MAX confirms updates by ``marker``: the next ``GET /updates`` with the marker of
the last batch says that batch is done.  As on Telegram's side (``bot.polling``)
the batch is handled first and the marker moves only afterwards, so a ``kill -9``
in between has MAX send the batch again and the update claims skip what was
already handled.  The marker is kept in the database after each batch (MAX
without a marker sends only the newest updates), so a restart goes on from
where the last run stopped.  Each update is read on its own (``max_updates``);
one that cannot be read is set aside in ``bad_updates`` like a Telegram one.
A batch that met the database away is fetched again with the same marker (as
``bot.polling`` does).  MAX allows about two ``GET /updates`` a second, so calls are spaced by
``min_interval``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from maxapi import Bot as MaxBot
from maxapi.enums.update import UpdateType
from maxapi.exceptions.max import MaxApiError, MaxConnection
from pydantic import ValidationError

from bot.channels import max_updates
from bot.polling import Stopper, handle_batch
from bot.reader import UpdateReader, scrub
from storage.database import unavailable
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

TYPES = [UpdateType.MESSAGE_CREATED, UpdateType.MESSAGE_CALLBACK, UpdateType.BOT_STARTED]


class MaxPoller:
    def __init__(
        self,
        dp: Dispatcher,
        bot: Bot,
        max_bot: MaxBot,
        uow: UnitOfWorkFactory,
        reader: UpdateReader,
        now: Callable[[], datetime],
        *,
        poll_seconds: int = 25,
        min_interval: float = 0.5,
    ) -> None:
        self._dp = dp
        self._bot = bot  # the aiogram bot whose session speaks MAX
        self._max = max_bot
        self._uow = uow
        self._reader = reader
        self._now = now
        self._poll_seconds = poll_seconds
        self._min_interval = min_interval
        self.handled = 0

    async def run(self, stop: asyncio.Event) -> None:
        async with self._uow() as uow:  # where the last run stopped
            marker = await uow.channels.marker_of(self._bot.id)
        stopper = Stopper(stop)
        try:
            while not stop.is_set():
                started = time.monotonic()
                call = self._max.get_updates(
                    limit=100, timeout=self._poll_seconds, marker=marker, types=TYPES
                )
                try:
                    answer = await stopper.fetch(call)
                except (MaxApiError, MaxConnection, TimeoutError) as exc:
                    await stopper.back_off("MAX GET /updates", exc)
                    continue
                if answer is None:
                    break
                raw_updates = answer.get("updates") if isinstance(answer, dict) else None
                try:
                    updates = await self.read(raw_updates if isinstance(raw_updates, list) else [])
                    complete = await handle_batch(self._dp, self._bot, updates) if updates else True
                except Exception as exc:
                    if not unavailable(exc):
                        raise
                    complete = False
                if not complete:  # the database is away: the batch comes again, marker kept
                    log.warning("MAX batch not handled (the database is away); again in 1 s")
                    await stopper.pause(1.0)
                    continue
                self.handled += len(updates)
                next_marker = answer.get("marker") if isinstance(answer, dict) else None
                if isinstance(next_marker, int) and next_marker != marker:
                    marker = next_marker  # the batch is handled: kept for the next start
                    await self._keep(marker)
                rest = self._min_interval - (time.monotonic() - started)
                if rest > 0:
                    await stopper.pause(rest)
        finally:
            stopper.close()

    async def _keep(self, marker: int) -> None:
        """The marker for the next start; if the database is away now, the next batch
        keeps it (a start in between gets this batch again: its claims skip it)."""
        try:
            async with self._uow() as uow:
                await uow.channels.keep_marker(self._bot.id, marker, self._now())
        except Exception as exc:
            if not unavailable(exc):
                raise
            log.warning("MAX marker %s not kept (the database is away)", marker)

    async def read(self, batch: list[object]) -> list[Update]:
        """The batch as Bot API updates, each user message's ``mid`` remembered; what
        cannot be read is set aside."""
        updates: list[Update] = []
        bad: list[tuple[object, Exception]] = []
        async with self._uow() as uow:
            for raw in batch:
                raw = scrub(raw)  # lone surrogates (bot.reader.scrub)
                try:
                    if not isinstance(raw, dict):
                        raise max_updates.UnreadableMaxUpdate("an update must be a JSON object")
                    sender = max_updates.sender_of(raw)
                    if sender is None:
                        continue
                    # read as the chat's own; a chat tied to a person is read as that
                    # person by bot.middlewares.person, as on Telegram
                    shaped = max_updates.to_telegram(raw, sender, sender.key)
                    update = Update.model_validate(shaped, context={"bot": self._bot})
                    seq_mid = max_updates.mid_of_message(raw)
                    if seq_mid is not None:
                        seq, mid = seq_mid
                        await uow.channels.remember_mid(sender.key, seq, mid, self._now())
                except (max_updates.UnreadableMaxUpdate, ValidationError, TypeError) as exc:
                    bad.append((raw, exc))
                    continue
                updates.append(update)
        for raw, error in bad:  # each in its own transaction, after the batch's
            await self._reader.record(raw, error)
        return updates
