"""Periodic work next to the bot: closing resolved tickets nobody confirmed,
registering requests whose FAQ suggestions nobody answered, and forgetting
update claims Telegram can no longer re-deliver.

Due moments live in the database (``resolutions.close_at``, the FAQ log's
time), so a restart loses nothing; each pass is one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.jobs import approvals
from bot.services import csat, intake

if TYPE_CHECKING:
    from bot.compose import App

log = logging.getLogger(__name__)

# Telegram keeps an unconfirmed update for 24 hours; a claim is kept twice as long.
CLAIMS_KEPT = timedelta(hours=48)
PRUNE_EVERY = 600.0  # seconds


async def close_silent_once(app: App) -> int:
    async with app.db.uow() as uow:
        closed = await csat.close_silent(uow, app.tickets, app.sender_now())
    if closed:
        app.sender.wake()
        log.info("closed %d resolved tickets without an answer", closed)
    return closed


async def register_idle_once(app: App) -> int:
    """Register the requests left at the FAQ step for ``intake.FAQ_WAIT``."""
    async with app.db.uow() as uow:
        registered = await intake.register_idle(uow, app.tickets, app.sender_now())
    if registered:
        app.sender.wake()
        log.info("registered %d requests whose FAQ suggestions were not answered", registered)
    return registered


async def prune_claims_once(app: App) -> int:
    async with app.db.uow() as uow:
        pruned = await uow.messaging.prune_claims(app.now() - CLAIMS_KEPT)
    if pruned:
        log.info("forgot %d update claims older than %s", pruned, CLAIMS_KEPT)
    return pruned


async def run_jobs(app: App, stop: asyncio.Event, *, every: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    pruned_at: float | None = None
    while not stop.is_set():
        try:
            await close_silent_once(app)
        except Exception:  # a failing pass is retried on the next one
            log.exception("auto-close pass failed")
        try:
            await register_idle_once(app)
        except Exception:  # likewise
            log.exception("registering idle FAQ steps failed")
        try:
            await approvals.register_idle_offers_once(app)
        except Exception:  # likewise
            log.exception("registering unanswered form offers failed")
        if pruned_at is None or loop.time() - pruned_at >= PRUNE_EVERY:
            try:
                await prune_claims_once(app)
                pruned_at = loop.time()
            except Exception:
                log.exception("pruning update claims failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
