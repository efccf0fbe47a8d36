"""The audit trail's hash chain: each event seals the one before it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from desk.model import AuditEvent

GENESIS = "0" * 64  # prev_hash of the first event


@dataclass(frozen=True)
class ChainProblem:
    """One break in the chain, ``event_id`` is the event where it shows."""

    event_id: int | None
    kind: str  # "changed" | "removed" | "reordered"
    detail: str


def event_hash(
    prev_hash: str,
    ticket_id: int | None,
    actor: str,
    at: datetime,
    what: str,
    old: str | None,
    new: str | None,
    reason: str | None,
) -> str:
    """sha256 hex of the canonical JSON of the fields (``at`` as UTC ISO 8601)."""
    if at.tzinfo is None:
        raise ValueError(f"audit time must be timezone-aware: {at.isoformat()}")
    body = [
        prev_hash,
        ticket_id,
        actor,
        at.astimezone(UTC).isoformat(),
        what,
        old,
        new,
        reason,
    ]
    canonical = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def seal(
    prev_hash: str,
    ticket_id: int | None,
    actor: str,
    at: datetime,
    what: str,
    old: str | None,
    new: str | None,
    reason: str | None,
    id: int | None = None,
) -> AuditEvent:
    """A new AuditEvent with ``prev_hash`` and its own ``hash``."""
    return AuditEvent(
        id=id,
        ticket_id=ticket_id,
        actor=actor,
        at=at,
        what=what,
        old=old,
        new=new,
        reason=reason,
        prev_hash=prev_hash,
        hash=event_hash(prev_hash, ticket_id, actor, at, what, old, new, reason),
    )


def recompute(event: AuditEvent) -> str:
    """The hash ``event`` should carry, from its own fields."""
    return event_hash(
        event.prev_hash,
        event.ticket_id,
        event.actor,
        event.at,
        event.what,
        event.old,
        event.new,
        event.reason,
    )


def verify_chain(events: Sequence[AuditEvent], head: str | None = None) -> list[ChainProblem]:
    """Problems found in ``events``, the whole chain in id order; [] if intact.

    - ``changed``: an event's fields no longer give its hash;
    - ``reordered``: ids do not increase, or an event links to a later one;
    - ``removed``: an event's ``prev_hash`` is not the hash of the event before
      it (nor of any other event): something between them was deleted.
      Id gaps alone are not problems (a rolled-back transaction leaves one).
    Deleting the newest events leaves an intact but shorter chain; pass the
    last hash recorded elsewhere as ``head`` to detect that too.
    """
    problems: list[ChainProblem] = []
    position = {e.hash: i for i, e in enumerate(events)}
    expected = GENESIS
    last_id: int | None = None
    for i, event in enumerate(events):
        if recompute(event) != event.hash:
            problems.append(
                ChainProblem(event.id, "changed", f"event {event.id}: stored hash does not match")
            )
        if event.id is not None and last_id is not None and event.id <= last_id:
            problems.append(
                ChainProblem(event.id, "reordered", f"event {event.id} comes after {last_id}")
            )
        elif event.prev_hash != expected:
            linked = position.get(event.prev_hash)
            if linked is not None and linked > i:
                problems.append(
                    ChainProblem(
                        event.id,
                        "reordered",
                        f"event {event.id} follows event {events[linked].id}, listed later",
                    )
                )
            else:
                before = events[i - 1].id if i else None
                where = f"after event {before}" if before is not None else "at the start"
                problems.append(
                    ChainProblem(
                        event.id,
                        "removed",
                        f"the link breaks {where}, before event {event.id}: an event was "
                        "removed there (or the one before was rewritten with a new hash)",
                    )
                )
        expected = event.hash
        last_id = event.id if event.id is not None else last_id
    if head is not None and expected != head:
        last = events[-1].id if events else None
        problems.append(ChainProblem(last, "removed", f"events after event {last} are missing"))
    return problems
