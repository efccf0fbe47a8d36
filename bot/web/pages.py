"""What the client page answers: HTML pages from the ``client_*`` templates,
the error pages (403, 404, 429, 503) and the headers every response carries."""

from __future__ import annotations

import math
from typing import Any

from aiohttp import web

from bot import texts

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
    ),
}


async def secure(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: every response, errors included, gets the headers."""
    response.headers.update(SECURITY_HEADERS)


def page(template: str, status: int = 200, **context: Any) -> web.Response:
    return web.Response(
        text=texts.render(template, **context),
        status=status,
        content_type="text/html",
        charset="utf-8",
    )


def _html(**context: Any) -> dict[str, Any]:
    return {"content_type": "text/html", **context}  # text: charset utf-8


def denied() -> web.HTTPForbidden:
    """A forged, changed or expired link, or one whose manager manages no more."""
    return web.HTTPForbidden(**_html(text=texts.render("client_denied")))


def revoked() -> web.HTTPForbidden:
    """A link issued before its manager revoked their links."""
    return web.HTTPForbidden(**_html(text=texts.render("client_revoked")))


def not_found() -> web.HTTPNotFound:
    return web.HTTPNotFound(**_html(text=texts.render("client_not_found")))


def too_many(seconds: float) -> web.HTTPTooManyRequests:
    """An address blocked after many failed links, for ``seconds`` more."""
    wait = max(1, math.ceil(seconds))
    return web.HTTPTooManyRequests(
        headers={"Retry-After": str(wait)},
        **_html(text=texts.render("client_too_many", minutes=math.ceil(wait / 60))),
    )


def busy(retry_after: int) -> web.HTTPServiceUnavailable:
    """Every slot for page work taken for longer than a request may wait."""
    return web.HTTPServiceUnavailable(
        headers={"Retry-After": str(retry_after)}, **_html(text=texts.render("client_busy"))
    )
