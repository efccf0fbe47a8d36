"""Who approves a request, when an approval is decided, and the resolution clock that
starts at a design's approval.

The rule (ARCHITECTURE.md, invariant 4): only people the config names for the
ticket's client decide -- the type's approvers of that client and the client's
managers (who are asked when nobody answers) -- and never the requester.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from enum import StrEnum

from desk.catalogue._types import Approval, ClientPeople
from desk.clock import BusinessClock
from desk.model import SlaState
from desk.sla import record_reaction, spent


class Verdict(StrEnum):
    APPROVED = "approved"
    REFUSED = "refused"


def asked_first(
    code: str, people: ClientPeople, managers: tuple[int, ...], requester: int
) -> tuple[int, ...]:
    """Whom an approval request goes to: the type's approvers of the client, else its
    managers; the requester never (empty: nobody but the requester could decide)."""
    named = tuple(i for i in people.approvers_of(code) if i != requester)
    return named or tuple(i for i in managers if i != requester)


def may_decide(
    person: int, code: str, people: ClientPeople, managers: tuple[int, ...], requester: int
) -> bool:
    """Whether ``person`` may approve or refuse a request of type ``code`` of this client."""
    if person == requester:
        return False
    return person in people.approvers_of(code) or person in managers


def verdict(
    rule: Approval,
    asked: tuple[int, ...],
    managers: tuple[int, ...],
    approvals: frozenset[int],
    refusals: frozenset[int],
) -> Verdict | None:
    """The outcome of the votes so far (None: still waiting). One refusal refuses; one
    approval is enough under ``any``; ``all`` needs every one asked first -- or a manager,
    who decides alone (a request nobody answered comes to them)."""
    if refusals:
        return Verdict.REFUSED
    if not approvals:
        return None
    if rule is not Approval.ALL or approvals & set(managers):
        return Verdict.APPROVED
    return Verdict.APPROVED if set(asked) <= approvals else None


def start_resolution(
    state: SlaState, now: datetime, minutes: int | None, clock: BusinessClock
) -> SlaState:
    """The resolution clock starts at ``now`` (a design was approved): the time so far
    no longer counts towards resolution, ``minutes`` is its target (None: by plan). A
    reaction not yet recorded is recorded now (the design was the answer)."""
    state = record_reaction(state, now, clock)
    if state.started_at is None:
        return state
    used = spent(state, now, clock)
    due = None if minutes is None else clock.due(now, minutes).astimezone(UTC)
    return replace(
        state,
        paused_minutes=state.paused_minutes + used,
        resolution_target=minutes,
        resolution_due=due,
        resolution_breached=False,
    )
