"""The client page (aiohttp + Jinja2), read-only.

    GET /c/{token}                 the client's tickets (filters: status, priority, q)
    GET /c/{token}/t/{number}      one ticket: public history and SLA times
    GET /c/{token}/r/{file_id}     a saved report, as a download
    POST /api/v1/alerts[/alertmanager]   monitoring alerts in (``bot.web.alerts``)
    GET /healthz, /readyz, /metrics      for operators, given ``operator`` (``bot.web.ops``)

The token (``bot.web.signing``) names the client; every query is filtered by
that client, and the manager it was given to must still be one of the
client's managers and must not have revoked it (``storage.links``).  A
forged, changed, expired or revoked token gets 403; a ticket or report of
another client, or a number or id that cannot exist, is "not found" (404),
never shown.  ``bot.web.guard`` limits failed links per address and page
work at once; ``bot.web.logs`` keeps tokens out of the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.reports import fmt
from bot.services.manager import signer_of
from bot.settings import Settings
from bot.web import alerts, pages
from bot.web.alerts import AlertDeps
from bot.web.guard import Guard, PageLimits
from bot.web.logs import runner_options
from bot.web.ops import Ops, unguarded
from bot.web.ops import add_routes as add_ops
from bot.web.signing import BadLink, Grant, LinkSigner
from desk import sla
from desk.enums import Priority, Status
from desk.errors import NotFound
from desk.model import Client
from desk.numbering import BadTicketNumber, format_number, parse_number
from storage import client_queries
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

MAX_ID = 2**63 - 1  # the largest id a BIGINT column holds

Uow = Callable[[], AbstractAsyncContextManager[UnitOfWork]]
UOW: web.AppKey[Uow] = web.AppKey("uow")
SIGNER = web.AppKey("signer", LinkSigner)
NOW: web.AppKey[Callable[[], datetime]] = web.AppKey("now")
GUARD = web.AppKey("guard", Guard)

_CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def make_web_app(
    uow: Uow,
    signer: LinkSigner,
    now: Callable[[], datetime],
    guard: Guard | None = None,
    alert_deps: AlertDeps | None = None,
    operator: Ops | None = None,
) -> web.Application:
    """The page; ``guard`` (default limits unless given) watches every request; with
    ``alert_deps`` the monitoring alerts API too; with ``operator`` health and metrics
    (past the guard)."""
    guard = guard or Guard(PageLimits())
    app = web.Application(middlewares=[unguarded(guard.middleware)])
    app[UOW], app[SIGNER], app[NOW], app[GUARD] = uow, signer, now, guard
    app.on_response_prepare.append(pages.secure)
    app.router.add_get("/c/{token}", tickets_page)
    app.router.add_get("/c/{token}/t/{number}", ticket_page)
    app.router.add_get("/c/{token}/r/{file_id}", report_download)
    if alert_deps is not None:
        alerts.add_routes(app, alert_deps, uow, now)
    if operator is not None:
        add_ops(app, operator)
    return app


async def _grant(request: web.Request, uow: UnitOfWork) -> tuple[Grant, Client]:
    """The client this request may see; ``web.HTTPForbidden`` if none."""
    try:
        grant = request.app[SIGNER].verify(request.match_info["token"], request.app[NOW]())
    except BadLink:
        raise pages.denied() from None
    if grant.client_code not in await uow.ops.managed_by(grant.manager_id):
        raise pages.denied()  # no longer a manager of this client
    revoked = await uow.links.revoked_at(grant.client_code, grant.manager_id)
    if revoked is not None and grant.issued <= revoked:
        raise pages.revoked()
    try:
        return grant, await uow.directory.client(grant.client_code)
    except NotFound:
        raise pages.denied() from None


class _Names:
    """Staff names by Telegram id, looked up once per request."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._names: dict[int, str] = {}

    async def of(self, telegram_id: int) -> str:
        if telegram_id not in self._names:
            staff = await self._uow.directory.staff(telegram_id)
            self._names[telegram_id] = staff.name if staff else str(telegram_id)
        return self._names[telegram_id]


def _local(zone: str) -> Callable[[datetime | None], str]:
    tz = ZoneInfo(zone)

    def local(moment: datetime | None) -> str:
        return "" if moment is None else moment.astimezone(tz).strftime("%d.%m.%Y %H:%M")

    return local


def _filters(request: web.Request) -> dict[str, Any]:
    """The page's filters from the query string; anything unknown is ignored."""
    status = request.query.get("status", client_queries.OPEN)
    if status not in {client_queries.OPEN, "all", *(s.value for s in Status)}:
        status = client_queries.OPEN
    raw_priority = request.query.get("priority", "")
    priority = int(raw_priority) if raw_priority in {str(int(p)) for p in Priority} else None
    text = request.query.get("q", "").strip()[:100]
    return {"status": status, "priority": priority, "q": text}


def _number(raw: str) -> str:
    """A ticket number as stored; 404 for one that cannot exist."""
    try:
        code, n = parse_number(raw)
    except BadTicketNumber:
        raise pages.not_found() from None
    if n > MAX_ID:
        raise pages.not_found()
    return format_number(code, n)


def _file_id(raw: str) -> int:
    """A report file id; 404 for one that cannot exist."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19 or not 0 < int(raw) <= MAX_ID:
        raise pages.not_found()
    return int(raw)


async def tickets_page(request: web.Request) -> web.Response:
    async with request.app[UOW]() as uow:
        grant, client = await _grant(request, uow)
        chosen = _filters(request)
        tickets = await uow.client_queries.client_tickets(
            client.code,
            status=None if chosen["status"] == "all" else chosen["status"],
            priority=chosen["priority"],
            text=chosen["q"] or None,
        )
        names = _Names(uow)
        owners = {t.owner_id: await names.of(t.owner_id) for t in tickets}
        reports = await uow.report_files.report_files(client.code)
        incidents = await uow.incidents.client_incidents(client.code)
        parents = await uow.incidents.linked_numbers([t.id or 0 for t in tickets])
    return pages.page(
        "client_page",
        incidents=incidents,  # mass incidents, each with the users affected
        parents=parents,  # a report's incident, by the report's id
        client=client,
        token=request.match_info["token"],
        tickets=tickets,
        owners=owners,
        reports=reports,
        filters=chosen,
        statuses=[s.value for s in Status],
        priorities=[int(p) for p in Priority],
        local=_local(client.timezone),
        expires=_local(client.timezone)(grant.expires),
        now=request.app[NOW](),
    )


async def ticket_page(request: web.Request) -> web.Response:
    async with request.app[UOW]() as uow:
        _, client = await _grant(request, uow)
        number = _number(request.match_info["number"])
        ticket = await uow.client_queries.client_ticket(client.code, number)
        if ticket is None or ticket.id is None:
            raise pages.not_found()
        history = await uow.messaging.public_history(ticket.id, limit=200)
        owner = await _Names(uow).of(ticket.owner_id)
        basis = (await uow.ops.terms_of(client.contract)).sla_basis
    return pages.page(
        "client_ticket",
        measured=sla.measured_priority(ticket, basis),
        client=client,
        token=request.match_info["token"],
        ticket=ticket,
        owner=owner,
        history=history,
        local=_local(client.timezone),
        f=fmt,
    )


async def report_download(request: web.Request) -> web.Response:
    async with request.app[UOW]() as uow:
        grant, _ = await _grant(request, uow)
        file_id = _file_id(request.match_info["file_id"])
        found = await uow.report_files.report_content(file_id, grant.client_code)
    if found is None:
        raise pages.not_found()
    meta, content = found
    headers = {"Content-Disposition": f'attachment; filename="{meta.filename}"'}
    return web.Response(
        body=content, headers=headers, content_type=_CONTENT_TYPES[meta.format].split(";")[0]
    )


async def serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Start serving ``app``; the caller cleans the runner up."""
    runner = web.AppRunner(app, **runner_options())
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


async def serve_page(
    settings: Settings,
    uow: Uow,
    now: Callable[[], datetime],
    alert_deps: AlertDeps | None = None,
    operator: Ops | None = None,
) -> web.AppRunner | None:
    """Serve the page (and the alerts API, given ``alert_deps``; health and metrics,
    given ``operator``) as ``settings`` say (None when the page is not configured)."""
    signer = signer_of(settings)
    if signer is None:
        return None
    guard = Guard(PageLimits.of(settings))
    app = make_web_app(uow, signer, now, guard, alert_deps, operator)
    runner = await serve(app, settings.web_host, settings.web_port)
    log.info("client page on %s:%s", settings.web_host, settings.web_port)
    return runner
