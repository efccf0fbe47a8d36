"""Monitoring alerts in: the HTTP API on the client page's server.

    POST /api/v1/alerts                 one alert (our JSON, e.g. from a Zabbix webhook)
    POST /api/v1/alerts/alertmanager    Prometheus Alertmanager's webhook, as it sends it

``Authorization: Bearer <key>``: the key's SHA-256 names the client (``[[clients]]
alert_keys`` in the config); a missing or unknown key is 401 and touches nothing.
Answers: 201 ``{"ticket": "DEMO-12", "created": true}`` for a new incident, 200 with
``"created": false`` for a key already open and for ``resolved``; 413 for a body over
64 KiB; 422 with a message in Russian and English for a bad body. Each request is one
transaction (the ticket, its audit, its outbox rows); the sender is woken after it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot import texts
from bot.services import alerts as service
from bot.services.alerts import Alert, Outcome
from bot.services.tickets import TicketService
from desk.alerts import AlertStatus, Severity
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
KEY_LIMIT, SUMMARY_LIMIT, SOURCE_LIMIT, URL_LIMIT = 200, 500, 200, 2000
DETAILS_LIMIT = 32 * 1024


@dataclass(frozen=True)
class AlertDeps:
    """What the API needs of the product: the ticket service, the outbox sender's
    ``wake`` (a no-op where the sender runs in another process: it polls) and the
    auto-close delay of a resolved incident (``SUPPORTDESK_AUTOCLOSE_MINUTES``)."""

    tickets: TicketService
    wake: Callable[[], None]
    close_after_minutes: int


DEPS = web.AppKey("alert_deps", AlertDeps)
Uow = Callable[[], AbstractAsyncContextManager[UnitOfWork]]
UOW: web.AppKey[Uow] = web.AppKey("alert_uow")
NOW: web.AppKey[Callable[[], datetime]] = web.AppKey("alert_now")


class BadBody(Exception):
    """A body the API refuses (422), with what it says."""

    def __init__(self, name: str, **fields: object) -> None:
        super().__init__(name)
        self.name = name
        self.fields = fields


def add_routes(
    app: web.Application, deps: AlertDeps, uow: Uow, now: Callable[[], datetime]
) -> None:
    app[DEPS], app[UOW], app[NOW] = deps, uow, now
    app.router.add_post("/api/v1/alerts", plain)
    app.router.add_post("/api/v1/alerts/alertmanager", alertmanager)


def _error(status: int, name: str, **fields: object) -> web.Response:
    ru, en = texts.lines("api_error", name=name, **fields)
    return web.json_response({"error": name, "message": ru, "message_en": en}, status=status)


def _bearer(request: web.Request) -> str | None:
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    key = key.strip()
    return key if scheme.lower() == "bearer" and key else None


async def _body(request: web.Request) -> bytes | None:
    """The body, or None when it is over ``MAX_BODY`` (read no further than that)."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        return None
    body = await request.content.read(MAX_BODY + 1)
    return None if len(body) > MAX_BODY else body


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadBody("not_json") from None
    if not isinstance(data, dict):
        raise BadBody("not_json")
    return data


async def _client_of(uow: UnitOfWork, key: str) -> str | None:
    """The client whose API key ``key`` is (compared by SHA-256, in constant time)."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    found = await uow.alerts.key_owner(digest)
    if found is None or not hmac.compare_digest(found[2], digest):
        return None
    return found[0]


async def _handle(
    request: web.Request, parse: Callable[[dict[str, Any]], list[Alert]]
) -> tuple[web.Response | None, list[tuple[Alert, Outcome]]]:
    """Authorise, read, parse and apply in one transaction: an error response, or the
    outcomes (the transaction committed)."""
    key = _bearer(request)
    if key is None:
        return _error(401, "unauthorized"), []
    body = await _body(request)
    if body is None:
        return _error(413, "too_large", limit=MAX_BODY), []
    deps, now = request.app[DEPS], request.app[NOW]()
    done: list[tuple[Alert, Outcome]] = []
    async with request.app[UOW]() as uow:
        client = await _client_of(uow, key)
        if client is None:
            return _error(401, "unauthorized"), []
        try:
            alerts = parse(_json(body))
        except BadBody as bad:
            return _error(422, bad.name, **bad.fields), []
        for alert in alerts:
            outcome = await service.receive(
                uow, deps.tickets, client, alert, now, deps.close_after_minutes
            )
            done.append((alert, outcome))
    deps.wake()
    log.info("alerts of %s: %s", client, ", ".join(f"{a.key}={o.ticket}" for a, o in done))
    return None, done


async def plain(request: web.Request) -> web.Response:
    error, done = await _handle(request, lambda data: [parse_alert(data)])
    if error is not None:
        return error
    _, outcome = done[0]
    status = 201 if outcome.created else 200
    return web.json_response({"ticket": outcome.ticket, "created": outcome.created}, status=status)


async def alertmanager(request: web.Request) -> web.Response:
    error, done = await _handle(request, parse_alertmanager)
    if error is not None:
        return error
    results = [
        {"key": alert.key, "ticket": outcome.ticket, "created": outcome.created}
        for alert, outcome in done
    ]
    status = 201 if any(o.created for _, o in done) else 200
    return web.json_response({"alerts": results}, status=status)


# -- bodies ---------------------------------------------------------------------------


def _text(data: dict[str, Any], field: str, limit: int, *, required: bool) -> str | None:
    value = data.get(field)
    if value is None:
        if required:
            raise BadBody("missing", field=field)
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise BadBody("not_text", field=field, limit=limit)
    return value.strip()


def _choice(data: dict[str, Any], field: str, choices: list[str], default: str | None) -> str:
    value = data.get(field, default)
    if value is None:
        raise BadBody("missing", field=field)
    if value not in choices:
        raise BadBody("bad_choice", field=field, choices=", ".join(choices))
    return str(value)


def _moment(data: dict[str, Any], field: str) -> datetime | None:
    value = data.get(field)
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadBody("bad_time", field=field) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _url(data: dict[str, Any], field: str) -> str | None:
    url = _text(data, field, URL_LIMIT, required=False)
    if url is not None and not url.lower().startswith(("http://", "https://")):
        raise BadBody("bad_url", field=field)
    return url


def parse_alert(data: dict[str, Any]) -> Alert:
    """``POST /api/v1/alerts``'s body; unknown fields are ignored."""
    status = AlertStatus(_choice(data, "status", [s.value for s in AlertStatus], None))
    key = _text(data, "key", KEY_LIMIT, required=True)
    summary = _text(data, "summary", SUMMARY_LIMIT, required=status is AlertStatus.FIRING)
    assert key is not None
    return Alert(
        key=key,
        status=status,
        summary=summary or key,
        details=_text(data, "details", DETAILS_LIMIT, required=False) or "",
        severity=Severity(_choice(data, "severity", [s.value for s in Severity], "warning")),
        source=_text(data, "source", SOURCE_LIMIT, required=False),
        started_at=_moment(data, "started_at"),
        url=_url(data, "url"),
    )


# Alertmanager's ``severity`` label (free text by convention) to ours.
AM_SEVERITIES = {
    "critical": Severity.CRITICAL,
    "page": Severity.CRITICAL,
    "disaster": Severity.CRITICAL,
    "high": Severity.HIGH,
    "error": Severity.HIGH,
    "major": Severity.HIGH,
    "warning": Severity.WARNING,
    "average": Severity.WARNING,
    "minor": Severity.WARNING,
    "info": Severity.INFO,
    "information": Severity.INFO,
    "none": Severity.INFO,
}


def parse_alertmanager(data: dict[str, Any]) -> list[Alert]:
    """Alertmanager's webhook (version 4): each alert of the group by its fingerprint."""
    raw = data.get("alerts")
    if not isinstance(raw, list) or not raw or not all(isinstance(a, dict) for a in raw):
        raise BadBody("no_alerts")
    return [_am_alert(item) for item in raw]


def _table(item: dict[str, Any], field: str) -> dict[str, Any]:
    value = item.get(field)
    return value if isinstance(value, dict) else {}


def _am_alert(item: dict[str, Any]) -> Alert:
    labels = _table(item, "labels")
    notes = _table(item, "annotations")
    fingerprint = item.get("fingerprint")
    if not isinstance(fingerprint, str) or not fingerprint.strip():
        canonical = json.dumps(labels, sort_keys=True, ensure_ascii=False)
        fingerprint = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
    status = _choice(item, "status", [s.value for s in AlertStatus], None)
    summary = str(notes.get("summary") or labels.get("alertname") or fingerprint).strip()
    details = str(notes.get("description") or "").strip()
    shown = "\n".join(f"{k}={v}" for k, v in sorted(labels.items()))
    severity = AM_SEVERITIES.get(str(labels.get("severity", "")).lower(), Severity.WARNING)
    try:  # Alertmanager's nanoseconds may be more than Python reads: then no start
        started = _moment(item, "startsAt")
    except BadBody:
        started = None
    return Alert(
        key=f"am:{fingerprint.strip()[: KEY_LIMIT - 3]}",
        status=AlertStatus(status),
        summary=summary[:SUMMARY_LIMIT],
        details="\n\n".join(part for part in (details, shown) if part)[:DETAILS_LIMIT],
        severity=severity,
        source="Alertmanager",
        started_at=started,
        url=_url(item, "generatorURL") if item.get("generatorURL") else None,
    )
