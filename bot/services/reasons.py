"""Reasons the product itself writes into the audit trail, and reading them back.

The writers (the user's answer and the auto-close in ``bot.services.csat``, the
auto-resolve and SLA breaches in ``bot.jobs.watcher``, mass incidents in
``bot.services.incidents``) take their reason from here;
/history and ``supportdesk audit show`` decode it with ``read``.  Trails keep
these strings forever, so a written form never changes: a new wording would be
a new constant, with the old one still read.

A reason of unknown origin is kept only if it is Russian (e.g. a routing
destination from the contract); an English note of unknown origin decodes to
None, so nothing untranslated reaches staff.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CONFIRMED = "confirmed by the user"  # the user confirmed the solution
NOT_SOLVED = "not solved, says the user"  # the user said it is not solved
SILENT = "no answer from the user"  # closed: the user did not answer «Решено?»
NO_ANSWER_WAITING = "no answer from the customer"  # resolved: no answer while waiting
WITH_INCIDENT = "resolved with its mass incident"  # a report, or a client's part of one
STILL_BROKEN = "still not working, says the user"  # a report reopened after its incident

# Written reason -> the key templates word it by.
KEYS = {
    CONFIRMED: "confirmed",
    NOT_SOLVED: "not_solved",
    SILENT: "silent",
    NO_ANSWER_WAITING: "no_answer_waiting",
    WITH_INCIDENT: "with_incident",
    STILL_BROKEN: "still_broken",
}
SLA_SPENT = "sla_spent"  # the key of ``sla_spent(...)`` reasons, with args target and spent

_SLA_SPENT = re.compile(r"target (\d+) min, spent (\d+) min")
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def sla_spent(target_minutes: int | None, spent_minutes: int) -> str:
    """The reason of an SLA breach: the target and the business minutes spent."""
    return f"target {target_minutes} min, spent {spent_minutes} min"


@dataclass(frozen=True)
class Reason:
    """Why: a ``key`` of a reason the product writes (with ``args``), or ``text`` as written."""

    key: str | None = None
    args: dict[str, int] = field(default_factory=dict)
    text: str | None = None


def read(reason: str | None) -> Reason | None:
    """A recorded reason decoded; None for none, or for an English note of unknown origin."""
    if not reason:
        return None
    if reason in KEYS:
        return Reason(key=KEYS[reason])
    spent = _SLA_SPENT.fullmatch(reason)
    if spent is not None:
        target, used = spent.groups()
        return Reason(key=SLA_SPENT, args={"target": int(target), "spent": int(used)})
    if _CYRILLIC.search(reason):
        return Reason(text=reason)
    return None  # an English note of unknown origin: staff are not shown raw internals
