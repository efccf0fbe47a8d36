"""The client page (aiohttp + Jinja2), read-only.

    GET /c/{token}                 the client's tickets (filters: status, priority, q)
    GET /c/{token}/t/{number}      one ticket: public history and SLA times
    GET /c/{token}/r/{file_id}     a saved report, as a download

The token (``bot.web.signing``) names the client; every query is filtered by
that client, and the manager it was given to must still be one of the
client's managers.  A forged, changed or expired token gets 403; a ticket or
report of another client is "not found" (404), never shown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot import texts
from bot.reports import fmt
from bot.web.signing import BadLink, Grant, LinkSigner
from desk.enums import Priority, Status
from desk.errors import NotFound
from desk.model import Client
from storage import client_queries, messaging, ops, report_files
from storage.uow import UnitOfWork, UnitOfWorkFactory

UOW = web.AppKey("uow", UnitOfWorkFactory)
SIGNER = web.AppKey("signer", LinkSigner)
NOW: web.AppKey[Callable[[], datetime]] = web.AppKey("now")

_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
}
_CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def make_web_app(
    uow: UnitOfWorkFactory, signer: LinkSigner, now: Callable[[], datetime]
) -> web.Application:
    app = web.Application()
    app[UOW], app[SIGNER], app[NOW] = uow, signer, now
    app.router.add_get("/c/{token}", tickets_page)
    app.router.add_get("/c/{token}/t/{number}", ticket_page)
    app.router.add_get("/c/{token}/r/{file_id}", report_download)
    return app


def _page(template: str, status: int = 200, **context: Any) -> web.Response:
    html = texts.render(template, **context)
    return web.Response(
        text=html, status=status, content_type="text/html", charset="utf-8", headers=_HEADERS
    )


async def _grant(request: web.Request, uow: UnitOfWork) -> tuple[Grant, Client]:
    """The client this request may see; ``web.HTTPForbidden`` if none."""
    try:
        grant = request.app[SIGNER].verify(request.match_info["token"], request.app[NOW]())
    except BadLink:
        raise _denied() from None
    if grant.client_code not in await ops.managed_by(uow.session, grant.manager_id):
        raise _denied()  # no longer a manager of this client
    try:
        return grant, await uow.directory.client(grant.client_code)
    except NotFound:
        raise _denied() from None


def _denied() -> web.HTTPForbidden:
    return web.HTTPForbidden(
        text=texts.render("client_denied"), content_type="text/html", headers=_HEADERS
    )


def _not_found() -> web.HTTPNotFound:
    return web.HTTPNotFound(
        text=texts.render("client_not_found"), content_type="text/html", headers=_HEADERS
    )


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


async def tickets_page(request: web.Request) -> web.Response:
    async with request.app[UOW]() as uow:
        grant, client = await _grant(request, uow)
        chosen = _filters(request)
        tickets = await client_queries.client_tickets(
            uow.session,
            client.code,
            status=None if chosen["status"] == "all" else chosen["status"],
            priority=chosen["priority"],
            text=chosen["q"] or None,
        )
        names = _Names(uow)
        owners = {t.owner_id: await names.of(t.owner_id) for t in tickets}
        reports = await report_files.report_files(uow.session, client.code)
    return _page(
        "client_page",
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
        ticket = await client_queries.client_ticket(
            uow.session, client.code, request.match_info["number"]
        )
        if ticket is None or ticket.id is None:
            raise _not_found()
        history = await messaging.public_history(uow.session, ticket.id, limit=200)
        owner = await _Names(uow).of(ticket.owner_id)
    return _page(
        "client_ticket",
        client=client,
        token=request.match_info["token"],
        ticket=ticket,
        owner=owner,
        history=history,
        local=_local(client.timezone),
        f=fmt,
    )


async def report_download(request: web.Request) -> web.Response:
    try:
        file_id = int(request.match_info["file_id"])
    except ValueError:
        raise _not_found() from None
    async with request.app[UOW]() as uow:
        grant, _ = await _grant(request, uow)
        found = await report_files.report_content(uow.session, file_id, grant.client_code)
    if found is None:
        raise _not_found()
    meta, content = found
    headers = {
        **_HEADERS,
        "Content-Disposition": f'attachment; filename="{meta.filename}"',
    }
    return web.Response(
        body=content, headers=headers, content_type=_CONTENT_TYPES[meta.format].split(";")[0]
    )


async def serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Start serving ``app``; the caller cleans the runner up."""
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
