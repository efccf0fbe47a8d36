"""Reading raw updates one at a time, so one that cannot be read stops nothing.

aiogram parses a whole ``getUpdates`` answer at once: one update it cannot
parse (a poll missing fields, a type newer than the library) fails the whole
batch, the offset never moves past it and the bot is stuck on it for good.
Here polling fetches the raw batch (``GetRawUpdates``) and the webhook takes
the raw body; each update is parsed on its own; one that fails is written to
``bad_updates`` as it came (``supportdesk updates bad`` shows them), logged
at WARNING, and passed over, as if handled.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiogram import Bot
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from pydantic import ValidationError

from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)


class GetRawUpdates(TelegramMethod[list[dict[str, Any]]]):
    """``getUpdates`` whose answer is left as JSON objects, parsed one by one later."""

    __returning__ = list[dict[str, Any]]
    __api_method__ = "getUpdates"

    offset: int | None = None
    limit: int | None = None
    timeout: int | None = None
    allowed_updates: list[str] | None = None


def raw_id(raw: object) -> int | None:
    """The ``update_id`` of a raw update, if it has a usable one."""
    value = raw.get("update_id") if isinstance(raw, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def scrub(raw: object) -> object:
    """``raw`` with every lone surrogate and NUL in its strings replaced by U+FFFD.

    JSON may carry either (``"\\ud800"`` paired with nothing, ``"\\u0000"``): Python
    reads a lone surrogate into a ``str`` that no UTF-8 or UTF-16 encoder takes, so the
    first database write or entity offset fails on it, and PostgreSQL refuses a NUL in
    text. Strings without one are kept as they are."""
    if isinstance(raw, str):
        if not _UNSTORABLE.search(raw):
            return raw
        return _UNSTORABLE.sub("\ufffd", raw)
    if isinstance(raw, dict):
        return {scrub(key): scrub(value) for key, value in raw.items()}
    if isinstance(raw, list):
        return [scrub(value) for value in raw]
    return raw


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class UpdateReader:
    def __init__(self, bot: Bot, uow: UnitOfWorkFactory, now: Callable[[], datetime]) -> None:
        self._bot = bot
        self._uow = uow
        self._now = now
        self.unreadable = 0

    async def read(self, raw: object) -> Update | None:
        """``raw`` as an Update, or None once it is recorded as unreadable."""
        raw = scrub(raw)
        try:
            if not isinstance(raw, dict):
                raise TypeError(f"an update must be a JSON object, not {type(raw).__name__}")
            return Update.model_validate(raw, context={"bot": self._bot})
        except (ValidationError, TypeError, ValueError) as exc:
            await self.record(raw, exc)
            return None

    async def record(self, raw: object, error: Exception) -> None:
        self.unreadable += 1
        update_id = raw_id(raw)
        text = _dump(raw)
        reason = f"{type(error).__name__}: {error}"
        log.warning(
            "update %s could not be read and was set aside (supportdesk updates bad): %s",
            update_id,
            reason.splitlines()[0],
        )
        try:
            async with self._uow() as uow:
                await uow.bad_updates.record(
                    bot_id=self._bot.id,
                    update_id=update_id,
                    raw=text,
                    error=reason,
                    now=self._now(),
                )
        except Exception:  # the trace is lost, not the bot: the log above keeps the id
            log.exception("recording unreadable update %s failed", update_id)


def _dump(raw: object) -> str:
    try:
        return json.dumps(raw, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(raw)
