"""What serving the client page writes to the log.

- The access log shows a link's token cut to its first ``TOKEN_SHOWN``
  characters (the whole token opens the client's page for days) and no query
  string (it carries the manager's search text).
- A token in any other line (``cut_tokens``, used by ``bot.logs`` on every line
  the product logs) is cut the same way.
- The operator's probes (``/healthz``, ``/readyz``, ``/metrics``, every few
  seconds) are access-logged at DEBUG, not INFO.
- A request aiohttp cannot parse (a line or header over its limits, a bad
  method) is one WARNING line without the request's text, instead of aiohttp's
  ERROR with a traceback (whose message quotes the start of the line: the token).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from aiohttp.abc import AbstractAccessLogger
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web import BaseRequest, StreamResponse

TOKEN_SHOWN = 8
_TOKEN = re.compile(r"^(/c/)([^/]+)")
_CHAR = r"[^/\s?#\"'<>…]"  # of a token in a line of text
_ANY_TOKEN = re.compile(rf"(/c/)({_CHAR}{{{TOKEN_SHOWN}}})({_CHAR}+)")
_PROBES = frozenset({"/healthz", "/readyz", "/metrics"})


def shown_path(raw_path: str) -> str:
    """``/c/<token>/t/DEMO-1?q=x`` as ``/c/<first 8>…/t/DEMO-1``."""
    path = raw_path.partition("?")[0]
    return _TOKEN.sub(lambda m: m[1] + m[2][:TOKEN_SHOWN] + "…", path, count=1)


def cut_tokens(text: str) -> str:
    """Every ``/c/<token>`` in ``text`` cut to its first ``TOKEN_SHOWN`` characters."""
    return _ANY_TOKEN.sub(r"\1\2…", text)


class AccessLog(AbstractAccessLogger):
    """One line per request: address, method, path (token cut), status, size, time."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        probe = request.path in _PROBES and response.status < 500
        self.logger.log(
            logging.DEBUG if probe else logging.INFO,
            '%s "%s %s" %s %s %.3fs',
            request.remote,
            request.method,
            shown_path(request.raw_path),
            response.status,
            response.body_length,
            time,
        )


class _BadRequests(logging.Filter):
    """aiohttp's "Error handling request" for a client's malformed request (4xx)
    rewritten as one WARNING line; server errors (5xx) keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError) and 400 <= error.code < 500:
            remote = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg = "client page: bad request from %s: %s %s"
            record.args = (remote, error.code, type(error).__name__)
            record.exc_info, record.exc_text = None, None
        return True


def server_logger() -> logging.Logger:
    """The logger aiohttp's server reports to, with the 4xx rewrite on it."""
    logger = logging.getLogger("bot.web.server")
    if not any(isinstance(f, _BadRequests) for f in logger.filters):
        logger.addFilter(_BadRequests())
    return logger


def runner_options() -> dict[str, Any]:
    """What ``web.AppRunner`` (or a test server) takes to log as above."""
    return {"access_log_class": AccessLog, "logger": server_logger()}
