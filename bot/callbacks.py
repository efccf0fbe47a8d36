"""Inline-button payloads: ids and small codes only (≤ 64 bytes, Invariant 6).

Callback data is untrusted: a handler re-reads the draft or ticket named here
and checks in the database that the presser may act on it.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class FaqCb(CallbackData, prefix="f"):
    """The FAQ step of a draft: open suggestion ``index``, ``helped`` or ``not`` it."""

    draft: int
    action: str  # open | helped | not
    index: int = 0


class PickCb(CallbackData, prefix="w"):
    """Which open ticket a message belongs to; ``ticket`` 0: a new request."""

    draft: int
    ticket: int


class UserCb(CallbackData, prefix="u"):
    """A user's action on their ticket."""

    ticket: int
    action: str  # view | prio | cat | setp | setc | ok | reopen | rate | skip
    value: str = ""


class StaffCb(CallbackData, prefix="s"):
    """A staff action from a ticket card."""

    ticket: int
    action: str  # take | prio | setp | esc | wait | route | to | resolve | back
    value: str = ""
