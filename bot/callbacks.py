"""Inline-button payloads: ids and small codes only (≤ 64 bytes, Invariant 6).

Callback data is untrusted: a handler re-reads the draft or ticket named here
and checks in the database that the presser may act on it.  Parsing refuses an
unknown action or an out-of-range value (pydantic's ValidationError is a
ValueError, so the filter does not match and the catch-all answers the press).
"""

from __future__ import annotations

from typing import Self

from aiogram.filters.callback_data import CallbackData
from pydantic import model_validator

from desk.enums import Category, Priority

_PRIORITIES = frozenset(str(p.value) for p in Priority)
_CATEGORIES = frozenset(c.value for c in Category)
_RATINGS = frozenset("12345")


def _digits(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= 3


class FaqCb(CallbackData, prefix="f"):
    """The FAQ step of a draft: open suggestion ``index``, ``helped`` or ``not`` it."""

    draft: int
    action: str  # open | helped | not
    index: int = 0

    @model_validator(mode="after")
    def _known(self) -> Self:
        if self.action not in ("open", "helped", "not") or self.index < 0:
            raise ValueError(f"bad FAQ button {self.action!r}/{self.index}")
        return self


class PickCb(CallbackData, prefix="w"):
    """Which open ticket a message belongs to; ``ticket`` 0: a new request."""

    draft: int
    ticket: int


class UserCb(CallbackData, prefix="u"):
    """A user's action on their ticket."""

    ticket: int
    action: str  # view | prio | cat | setp | setc | ok | reopen | rate | skip
    value: str = ""

    @model_validator(mode="after")
    def _known(self) -> Self:
        allowed = {"setp": _PRIORITIES, "setc": _CATEGORIES, "rate": _RATINGS}
        known = ("view", "prio", "cat", "ok", "reopen", "skip", *allowed)
        if self.action not in known or self.value not in allowed.get(self.action, {""}):
            raise ValueError(f"bad user button {self.action!r}/{self.value!r}")
        return self


class StaffCb(CallbackData, prefix="s"):
    """A staff action from a ticket card."""

    ticket: int
    action: str  # take | prio | setp | esc | wait | route | to | resolve | back | reopen
    value: str = ""

    @model_validator(mode="after")
    def _known(self) -> Self:
        known = ("take", "prio", "setp", "esc", "wait", "route", "to", "resolve", "back", "reopen")
        if self.action not in known:
            raise ValueError(f"bad staff button {self.action!r}")
        if self.action == "setp" and self.value not in _PRIORITIES:
            raise ValueError(f"bad priority {self.value!r}")
        if self.action == "to" and not _digits(self.value):
            raise ValueError(f"bad route target {self.value!r}")
        return self
