"""Mass incidents next to the bot: the «+N сообщений о проблеме» lines in incidents'
topics, the resolution told to every linked user, and the merges the bot proposes
(``bot.services.incidents``).

Everything due is read from the database on each pass (a restart loses nothing);
each step is one transaction, the resolution one chunk of reports per transaction
(``desk.incidents.NOTICE_CHUNK``) so that a thousand reports never hold the
database for long. The outbox paces what they queue to Telegram's limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from bot.services import incidents
from desk.incidents import NOTICE_CHUNK

if TYPE_CHECKING:
    from bot.compose import App

log = logging.getLogger(__name__)

EVERY = 2.0  # seconds between passes (a report's line waits desk.incidents.LINE_GATHER)
PROPOSE_EVERY = 10.0  # seconds between looks for similar requests to propose merging


async def lines_once(app: App) -> int:
    async with app.db.uow() as uow:
        return await incidents.post_lines(uow, app.now())


async def tell_once(app: App) -> int:
    """One chunk of resolution notices; how many users were told."""
    async with app.db.uow() as uow:
        return await incidents.tell_resolution(uow, app.tickets, app.now())


async def propose_once(app: App) -> int:
    async with app.db.uow() as uow:
        return await incidents.propose_merges(uow, app.tickets, app.kb.analyzer, app.now())


async def one_pass(app: App, *, propose: bool = True) -> int:
    """Everything due now; how many messages were queued (lines, notices, proposals)."""
    queued = 0
    steps = [("incident lines", lines_once)]
    if propose:
        steps.append(("merge proposals", propose_once))
    for name, step in steps:
        try:
            queued += await step(app)
        except Exception:  # a failing step is retried on the next pass
            log.exception("%s failed", name)
    while True:  # every chunk of notices due, each in its own transaction
        try:
            told = await tell_once(app)
        except Exception:
            log.exception("telling an incident's resolution failed")
            break
        queued += told
        if told:
            app.sender.wake()
        if told < NOTICE_CHUNK:
            break
    if queued:
        app.sender.wake()
    return queued


async def run_incident_jobs(app: App, stop: asyncio.Event, *, every: float = EVERY) -> None:
    loop = asyncio.get_running_loop()
    proposed_at: float | None = None
    while not stop.is_set():
        propose = proposed_at is None or loop.time() - proposed_at >= PROPOSE_EVERY
        await one_pass(app, propose=propose)
        if propose:
            proposed_at = loop.time()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
