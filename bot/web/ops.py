"""What an operator asks the product over HTTP: liveness, readiness, metrics.

    GET /healthz   the process answers: {"status": "ok", "role": ..., "uptime_seconds": ...}
    GET /readyz    the desk works: 200 {"status": "ready", ...} or 503 {"status":
                   "not ready", "failing": [names], "checks": {...}}
    GET /metrics   Prometheus text (``bot.metrics``; OpenMetrics when asked for)

Readiness checks, each named in ``checks`` with what it saw and its limit:

- ``database``: a read answers within ``timeout`` seconds;
- ``outbox_backlog``: pending outbox rows at most ``SUPPORTDESK_READY_OUTBOX_BACKLOG``;
- ``outbox_oldest``: the oldest pending row younger than ``SUPPORTDESK_READY_OUTBOX_AGE_SECONDS``;
- ``last_update``: the last update processed (by any instance), how long ago;
  checked against ``SUPPORTDESK_READY_UPDATE_AGE_SECONDS`` only when set.

The outbox and update figures come from the database, so every instance
says the same of them (README, "Operators": what a proxy should check).

They sit on the client page's server (``bot.web.app``), past its guard (a
probe never waits behind page load or counts as a failed link), or on a
server of their own (``make_ops_app``: ``SUPPORTDESK_OPS_PORT``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from bot import metrics
from bot.metrics import DatabaseState, Role
from bot.settings import Settings
from storage.health import Backlog
from storage.uow import UnitOfWork

PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

Uow = Callable[[], AbstractAsyncContextManager[UnitOfWork]]


@dataclass(frozen=True)
class Thresholds:
    """What /readyz holds the desk to; 0 turns a check off."""

    outbox_backlog: int = 1000
    outbox_age: float = 300.0
    update_age: float = 0.0

    @classmethod
    def of(cls, settings: Settings) -> Thresholds:
        return cls(
            settings.ready_outbox_backlog,
            settings.ready_outbox_age_seconds,
            settings.ready_update_age_seconds,
        )


@dataclass(frozen=True)
class Ops:
    """What the endpoints read: the database, the clock, which process this is."""

    uow: Uow
    now: Callable[[], datetime]
    role: Role
    thresholds: Thresholds = Thresholds()
    timeout: float = 5.0  # seconds the database has to answer a probe
    started: float = 0.0  # time.monotonic() at start (0: when made)

    @classmethod
    def of(cls, settings: Settings, uow: Uow, now: Callable[[], datetime], role: Role) -> Ops:
        return cls(uow, now, role, Thresholds.of(settings), started=time.monotonic())

    async def backlog(self) -> Backlog:
        """The database's figures; ``TimeoutError`` if it does not answer within
        ``timeout``.  A read that overruns is left to finish (or fail) on its own: a
        stalled SQLite connection would hold a cancelled read for its busy timeout."""

        async def read() -> Backlog:
            async with self.uow() as uow:
                return await uow.health.backlog()

        task = asyncio.create_task(read())
        done, _ = await asyncio.wait({task}, timeout=self.timeout)
        if not done:
            _OVERRUN.add(task)
            task.add_done_callback(_forget)
            task.cancel()
            raise TimeoutError
        return task.result()


_OVERRUN: set[asyncio.Task[Backlog]] = set()  # reads left to finish: kept till they do


def _forget(task: asyncio.Task[Backlog]) -> None:
    _OVERRUN.discard(task)
    if not task.cancelled():
        task.exception()  # seen: never "exception was never retrieved"


OPS = web.AppKey("ops", Ops)


def add_routes(app: web.Application, ops: Ops) -> None:
    app[OPS] = ops
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", prometheus)


def make_ops_app(ops: Ops) -> web.Application:
    """The three endpoints alone (``SUPPORTDESK_OPS_PORT``)."""
    app = web.Application()
    add_routes(app, ops)
    return app


def unguarded(middleware: Middleware) -> Middleware:
    """``middleware`` for every path but the operator's: a probe is not a page view."""

    @web.middleware
    async def skip_ops(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in PATHS and request.method in ("GET", "HEAD"):
            return await handler(request)
        return await middleware(request, handler)

    return skip_ops


async def healthz(request: web.Request) -> web.Response:
    ops = request.app[OPS]
    uptime = round(time.monotonic() - (ops.started or time.monotonic()), 1)
    return web.json_response({"status": "ok", "role": ops.role, "uptime_seconds": uptime})


def _age(now: datetime, at: datetime | None) -> float | None:
    return None if at is None else round(max(0.0, (now - at).total_seconds()), 3)


def _within(value: float | None, limit: float) -> bool:
    """``value`` under ``limit`` (a limit of 0 checks nothing; nothing seen passes none)."""
    return not limit or (value is not None and value <= limit)


def checks(backlog: Backlog, now: datetime, limits: Thresholds) -> dict[str, dict[str, Any]]:
    """Each readiness check on the database's figures: ok, what was seen, the limit."""
    oldest = _age(now, backlog.oldest_pending_at)
    last = _age(now, backlog.last_update_at)
    return {
        "outbox_backlog": {
            "ok": _within(backlog.outbox_pending, limits.outbox_backlog),
            "pending": backlog.outbox_pending,
            "limit": limits.outbox_backlog or None,
        },
        "outbox_oldest": {
            "ok": oldest is None or _within(oldest, limits.outbox_age),
            "age_seconds": oldest,
            "limit": limits.outbox_age or None,
        },
        "last_update": {
            "ok": _within(last, limits.update_age),
            "age_seconds": last,
            "at": None if backlog.last_update_at is None else backlog.last_update_at.isoformat(),
            "limit": limits.update_age or None,
        },
    }


async def readyz(request: web.Request) -> web.Response:
    ops = request.app[OPS]
    found: dict[str, dict[str, Any]] = {}
    started = time.monotonic()
    try:
        backlog = await ops.backlog()
    except TimeoutError:
        found["database"] = {"ok": False, "error": f"no answer within {ops.timeout:g} s"}
    except Exception as exc:
        found["database"] = {"ok": False, "error": _problem(exc)}
    else:
        found["database"] = {"ok": True, "seconds": round(time.monotonic() - started, 4)}
        found.update(checks(backlog, ops.now(), ops.thresholds))
    failing = [name for name, check in found.items() if not check["ok"]]
    body = {
        "status": "not ready" if failing else "ready",
        "role": ops.role,
        "failing": failing,
        "checks": found,
    }
    return web.json_response(body, status=503 if failing else 200)


async def prometheus(request: web.Request) -> web.Response:
    """Counters of this process and the database's gauges, read now (left out when the
    database does not answer: /readyz says why)."""
    ops = request.app[OPS]
    state = None
    try:
        backlog = await ops.backlog()
    except Exception:  # the counters are still worth a scrape
        pass
    else:
        now = ops.now()
        state = DatabaseState(
            backlog.outbox_pending,
            _age(now, backlog.oldest_pending_at) or 0.0,
            _age(now, backlog.last_update_at),
        )
    body, content_type = metrics.exposition(ops.role, state, request.headers.get("Accept", ""))
    response = web.Response(body=body)
    response.headers["Content-Type"] = content_type
    return response


def _problem(exc: BaseException) -> str:
    """A database error in one line (a driver's message, never the URL)."""
    text = str(getattr(exc, "orig", None) or exc).splitlines()
    return f"{type(exc).__name__}: {text[0][:200]}" if text and text[0] else type(exc).__name__
