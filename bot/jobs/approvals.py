"""Approvals nobody answers: reminders to the approvers and escalation to the client's
managers (``bot.services.approvals.remind_due``), one transaction a pass; and form offers
nobody answered, registered as the messages they were (``bot.services.catalogue``).
The moments come from the database, so a restart loses nothing."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from bot.services import approvals, catalogue

if TYPE_CHECKING:
    from bot.compose import App

log = logging.getLogger(__name__)


async def remind_once(app: App, now: datetime | None = None) -> int:
    """One pass at ``now`` (the app's clock if not given); how many messages it queued."""
    async with app.db.uow() as uow:
        queued = await approvals.remind_due(uow, app.tickets, now or app.now())
    if queued:
        app.sender.wake()
        log.info("approvals: %d reminders and escalations queued", queued)
    return queued


async def register_idle_offers_once(app: App, now: datetime | None = None) -> int:
    async with app.db.uow() as uow:
        registered = await catalogue.register_idle(uow, app.tickets, now or app.now())
    if registered:
        app.sender.wake()
        log.info("registered %d messages whose form offer was not answered", registered)
    return registered
