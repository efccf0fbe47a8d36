"""The audit trail's hash chain: each event seals the one before it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

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
    raise NotImplementedError


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
    raise NotImplementedError


def verify_chain(events: Sequence[AuditEvent]) -> list[ChainProblem]:
    """Problems found in ``events`` (the whole chain in id order); [] if intact."""
    raise NotImplementedError
