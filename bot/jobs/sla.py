"""SLA operations next to the bot: the watcher and scheduled reports on every
pass (``settings.watch_every_seconds``), and the read-only client page when
it is configured (``SUPPORTDESK_WEB_BASE_URL`` and ``SUPPORTDESK_WEB_SECRET``)
and not served by a process of its own (``SUPPORTDESK_WEB_IN_BOT``), with the
operator's health and metrics on it, or on ``SUPPORTDESK_OPS_PORT`` (``bot.web.ops``).

Everything reads its schedule from the database, so a restart loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from bot.jobs import approvals
from bot.jobs.reports import send_due_reports
from bot.jobs.watcher import Watcher
from bot.web.alerts import AlertDeps
from bot.web.app import serve, serve_page
from bot.web.ops import Ops, make_ops_app

if TYPE_CHECKING:
    from bot.compose import App

log = logging.getLogger(__name__)


async def run_sla_jobs(app: App, stop: asyncio.Event) -> None:
    settings = app.settings
    runners = []
    operator = Ops.of(settings, app.db.uow, app.now, "bot")
    watcher = Watcher(app.db.uow, app.tickets, autoclose_minutes=settings.autoclose_minutes)
    try:
        if settings.ops_port:
            ops_app = make_ops_app(operator)
            runners.append(await serve(ops_app, settings.web_host, settings.ops_port))
            log.info("health and metrics on %s:%s", settings.web_host, settings.ops_port)
        if settings.web_in_bot:
            deps = AlertDeps(app.tickets, app.sender.wake, settings.autoclose_minutes)
            on_page = None if settings.ops_port else operator
            runner = await serve_page(settings, app.db.uow, app.now, deps, on_page)
            runners += [runner] if runner is not None else []
        while not stop.is_set():
            await _one_pass(app, watcher)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=settings.watch_every_seconds)
    finally:
        for runner in runners:
            await runner.cleanup()


async def _one_pass(app: App, watcher: Watcher) -> None:
    queued = 0
    try:
        result = await watcher.run_pass(app.now())
        queued += result.alerts
    except Exception:  # a failing pass is retried on the next one
        log.exception("SLA watcher pass failed")
    try:
        queued += await send_due_reports(app.db.uow, app.now())
    except Exception:
        log.exception("scheduled reports pass failed")
    try:
        queued += await approvals.remind_once(app)
    except Exception:
        log.exception("approval reminders pass failed")
    if queued:
        app.sender.wake()
