"""Periodic work next to the bot: closing resolved tickets nobody confirmed.

Due moments live in the database (``resolutions.close_at``), so a restart
loses nothing; each pass is one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from bot.services import csat

if TYPE_CHECKING:
    from bot.compose import App

log = logging.getLogger(__name__)


async def close_silent_once(app: App) -> int:
    async with app.db.uow() as uow:
        closed = await csat.close_silent(uow, app.tickets, app.sender_now())
    if closed:
        app.sender.wake()
        log.info("closed %d resolved tickets without an answer", closed)
    return closed


async def run_jobs(app: App, stop: asyncio.Event, *, every: float = 30.0) -> None:
    while not stop.is_set():
        try:
            await close_silent_once(app)
        except Exception:  # a failing pass is retried on the next one
            log.exception("auto-close pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
