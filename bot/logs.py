"""What the product writes to its log, and how (``configure``).

- **Context.** A line logged while an update is handled names it (``update``),
  and once a ticket is known, the ticket (``ticket``: its number; the outbox
  sender knows only the row's ``ticket_id``).  The context lives in
  ``contextvars`` (``bind_update`` by ``bot.middlewares.db``, ``bind_ticket`` by
  ``bot.services.ticket_events``), so side-by-side updates never mix; a call
  may also pass them as ``extra={"ticket": ..., "update": ...}``.
- **Formats.** ``SUPPORTDESK_LOG_FORMAT=text``: ``time LEVEL logger: message
  [update=… ticket=…]``, a traceback under it.  ``json``: one JSON object a
  line (``time`` in UTC ISO 8601, ``level``, ``logger``, ``message``; ``update``,
  ``ticket``, ``ticket_id`` when present; ``exc`` with the traceback), for log
  shippers: a traceback never breaks a line.
- **No secrets.** Every line, traceback included, is scrubbed before it is
  written: the values of the configured secrets (bot tokens, webhook and link
  secrets, the embeddings key, the database password), anything shaped like a
  Telegram bot token, a password in a URL, a client-page link's token (cut as
  the access log cuts it: ``bot.web.logs``) and a deep link's payload (an
  invite or a one-time pairing code).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from collections.abc import Iterable
from contextvars import Token
from datetime import UTC, datetime
from typing import Any, TextIO
from urllib.parse import urlsplit

from bot.settings import Settings
from bot.web.logs import cut_tokens

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_UPDATE: contextvars.ContextVar[int | None] = contextvars.ContextVar("update", default=None)
_TICKET: contextvars.ContextVar[str | None] = contextvars.ContextVar("ticket", default=None)
_TICKET_ID: contextvars.ContextVar[int | None] = contextvars.ContextVar("ticket_id", default=None)

Bound = tuple[Token[int | None], Token[str | None], Token[int | None]]


def bind_update(update_id: int) -> Bound:
    """Name ``update_id`` on the lines that follow (no ticket yet); ``unbind`` ends it."""
    return _UPDATE.set(update_id), _TICKET.set(None), _TICKET_ID.set(None)


def unbind(bound: Bound) -> None:
    update, ticket, ticket_id = bound
    _TICKET_ID.reset(ticket_id)
    _TICKET.reset(ticket)
    _UPDATE.reset(update)


def bind_ticket(number: str) -> None:
    """Name the ticket on the lines that follow while this update is handled (outside
    an update, e.g. in a job's loop, it would stick to unrelated lines: not bound)."""
    if _UPDATE.get() is not None:
        _TICKET.set(number)


def bind_ticket_id(ticket_id: int | None) -> None:
    """Name a ticket by its id where its number is not at hand (the outbox sender)."""
    _TICKET_ID.set(ticket_id)


def context(record: logging.LogRecord) -> dict[str, Any]:
    """The update and ticket a record is about (given with ``extra``, else bound)."""
    found: dict[str, Any] = {}
    for name, var in (("update", _UPDATE), ("ticket", _TICKET), ("ticket_id", _TICKET_ID)):
        value = getattr(record, name, None)
        if value is None:
            value = var.get()
        if value is not None:
            found[name] = value
    return found


# -- scrubbing ------------------------------------------------------------------------

_BOT_TOKEN = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}")
_URL_PASSWORD = re.compile(r"(\w+://[^\s:/@]+:)([^\s@/]+)(@)")
_DEEP_LINK = re.compile(r"([?&]start(?:app)?=)([A-Za-z0-9_-]{4})[A-Za-z0-9_-]*")
HIDDEN = "***"


class Scrubber:
    """Takes secrets out of a line of text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # the longest first: a secret that contains another is hidden whole
        self._secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    @classmethod
    def of(cls, settings: Settings) -> Scrubber:
        values = [
            secret.get_secret_value()
            for secret in (
                settings.bot_token,
                settings.webhook_secret,
                settings.max_token,
                settings.max_webhook_secret,
                settings.web_secret,
                settings.faq_embeddings_key,
            )
            if secret is not None
        ]
        password = urlsplit(settings.database_url).password
        return cls([*values, *([password] if password else [])])

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, HIDDEN)
        if ":" in text:
            text = _BOT_TOKEN.sub("<bot token>", text)
            text = _URL_PASSWORD.sub(rf"\1{HIDDEN}\3", text)
        if "/c/" in text:
            text = cut_tokens(text)
        if "start" in text:
            text = _DEEP_LINK.sub(r"\1\2…", text)
        return text


# -- formats --------------------------------------------------------------------------


class TextFormatter(logging.Formatter):
    """A line for people: the standard one, ``[update=… ticket=…]`` after the message."""

    def __init__(self, scrub: Scrubber) -> None:
        super().__init__(TEXT_FORMAT)
        self._scrub = scrub

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        found = context(record)
        if found:
            tail = " ".join(f"{k}={v}" for k, v in found.items())
            head, newline, rest = line.partition("\n")  # after the message, not the traceback
            line = f"{head} [{tail}]{newline}{rest}"
        return self._scrub(line)


class JsonFormatter(logging.Formatter):
    """One JSON object a line (see the module's note)."""

    def __init__(self, scrub: Scrubber) -> None:
        super().__init__()
        self._scrub = scrub

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self._scrub(record.getMessage()),
            **context(record),
        }
        if record.exc_info:
            entry["exc"] = self._scrub(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exc"] = self._scrub(record.exc_text)
        if record.stack_info:
            entry["stack"] = self._scrub(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def formatter(settings: Settings) -> logging.Formatter:
    scrub = Scrubber.of(settings)
    return JsonFormatter(scrub) if settings.log_format == "json" else TextFormatter(scrub)


def configure(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """The process's log as ``settings`` say: the root logger writes to ``stream``
    (stderr) at ``SUPPORTDESK_LOG_LEVEL`` in ``SUPPORTDESK_LOG_FORMAT``; the handler
    it installed (replacing any before it)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(settings))
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    return handler
