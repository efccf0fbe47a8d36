"""Inline-button payloads: ids and small codes only (≤ 64 bytes; ARCHITECTURE.md, invariant 6).

Callback data is untrusted: a handler re-reads the draft or ticket named here
and checks in the database that the presser may act on it.  Parsing refuses an
unknown action or an out-of-range value (pydantic's ValidationError is a
ValueError, so the filter does not match and the catch-all answers the press).
Every id is bounded to what a database key holds (``Id``: 1..2^63-1), so a
forged huge number is refused here rather than overflowing in the database.
"""

from __future__ import annotations

import re
from typing import Annotated, Self

from aiogram.filters.callback_data import CallbackData
from pydantic import Field, model_validator

from desk.enums import Category, Priority
from desk.numbering import BadClientCode, validate_client_code

_PRIORITIES = frozenset(str(p.value) for p in Priority)
_CATEGORIES = frozenset(c.value for c in Category)
_RATINGS = frozenset("12345")

MAX_ID = 2**63 - 1  # the largest BIGINT key
Id = Annotated[int, Field(gt=0, le=MAX_ID)]
"""A database id named in a button: positive and no larger than a BIGINT."""
IdOrZero = Annotated[int, Field(ge=0, le=MAX_ID)]
"""An id where 0 means "none" (a new request)."""
Small = Annotated[int, Field(ge=0, le=99)]
"""A position in a short list the bot showed (a suggestion, a question)."""


def _digits(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= 3


class FaqCb(CallbackData, prefix="f"):
    """The FAQ step of a draft: open suggestion ``index``, ``helped`` or ``not`` it."""

    draft: Id
    action: str  # open | helped | not
    index: Small = 0

    @model_validator(mode="after")
    def _known(self) -> Self:
        if self.action not in ("open", "helped", "not"):
            raise ValueError(f"bad FAQ button {self.action!r}/{self.index}")
        return self


class PickCb(CallbackData, prefix="w"):
    """Which open ticket a message belongs to; ``ticket`` 0: a new request."""

    draft: Id
    ticket: IdOrZero


class UserCb(CallbackData, prefix="u"):
    """A user's action on their ticket."""

    ticket: Id
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

    ticket: Id
    # take | prio | setp | esc | wait | route | to | resolve | back | reopen
    # | mass (declare a mass incident) | merge (accept the merge proposed in its topic)
    action: str
    value: str = ""

    @model_validator(mode="after")
    def _known(self) -> Self:
        known = (
            "take", "prio", "setp", "esc", "wait", "route", "to", "resolve", "back", "reopen",
            "mass", "merge",
        )  # fmt: skip
        if self.action not in known:
            raise ValueError(f"bad staff button {self.action!r}")
        if self.action == "setp" and self.value not in _PRIORITIES:
            raise ValueError(f"bad priority {self.value!r}")
        if self.action == "to" and not _digits(self.value):
            raise ValueError(f"bad route target {self.value!r}")
        return self


class IncidentCb(CallbackData, prefix="i"):
    """A user's answer about their report of a mass incident: ``other`` (it is another
    problem: register it on its own), ``more`` (add details), ``again`` (still broken
    after the incident's resolution: reopen the report on its own)."""

    report: Id
    action: str

    @model_validator(mode="after")
    def _known(self) -> Self:
        if self.action not in ("other", "more", "again"):
            raise ValueError(f"bad incident button {self.action!r}")
        return self


class ManagerCb(CallbackData, prefix="m"):
    """A client manager asks for a saved report file."""

    file: Id


class SurveyCb(CallbackData, prefix="q"):
    """An answer to one question of a satisfaction survey."""

    survey: Id
    question: Annotated[int, Field(ge=1, le=99)]  # 1-based
    score: Annotated[int, Field(ge=1, le=5)]


class RebindCb(CallbackData, prefix="r"):
    """A bound user's answer to another client's invite: ``go`` there or ``stay``.

    Only the code travels; the press counts only against the offer stored for
    the presser (``storage.rebind``).
    """

    action: str  # go | stay
    client: str

    @model_validator(mode="after")
    def _known(self) -> Self:
        if self.action not in ("go", "stay"):
            raise ValueError(f"bad rebind button {self.action!r}")
        try:
            validate_client_code(self.client)
        except BadClientCode as exc:
            raise ValueError(str(exc)) from exc
        return self


_TYPE_CODE = re.compile(r"^[a-z][a-z0-9_]{0,23}$")


class NewCb(CallbackData, prefix="n"):
    """A request type chosen under ``/new`` (its code from the contract's catalogue)."""

    type: str

    @model_validator(mode="after")
    def _known(self) -> Self:
        if not _TYPE_CODE.match(self.type):
            raise ValueError(f"bad request type {self.type!r}")
        return self


class FormCb(CallbackData, prefix="c"):
    """A press on a form's message: ``fill`` or ``asis`` under an offer; ``pick`` option
    ``value``, ``skip``, ``back``, ``cancel``, ``send`` on the question of ``step`` (a
    press on an older question is stale: the form moved on)."""

    form: Id
    step: Small
    action: str
    value: Small = 0

    @model_validator(mode="after")
    def _known(self) -> Self:
        if self.action not in ("fill", "asis", "pick", "skip", "back", "cancel", "send"):
            raise ValueError(f"bad form button {self.action!r}")
        return self


class ApprovalCb(CallbackData, prefix="a"):
    """An approver's decision on an approval round: ``ok``, ``no`` (a reason is asked),
    or ``keep`` (take the refusal back while the reason is asked)."""

    approval: Id
    action: str

    @model_validator(mode="after")
    def _known(self) -> Self:
        if self.action not in ("ok", "no", "keep"):
            raise ValueError(f"bad approval button {self.action!r}")
        return self
