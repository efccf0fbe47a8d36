"""Which SLA alerts are due for a ticket, and when the next one will be.

Pure decisions for the SLA watcher (``bot.jobs.watcher``), driven by an explicit
``now``:

- ``warn``: a share of a target's business time is used (``WatchRules.warn_share``);
- ``breach``: business time has run past the due moment (the owner is told
  in the topic and the team lead is alerted);
- ``remind``: the ticket has waited for the customer for
  ``remind_after_minutes`` business minutes -- the user is reminded;
- ``resolve``: it has waited ``resolve_after_minutes`` -- it is resolved.

An alert has a ``key`` that is unique per ticket: the watcher claims it in
the database, so each alert fires once.  Warnings and breaches have one key
per target; waiting alerts one per waiting episode (the pause's start), so a
ticket that waits twice is reminded twice.  A warning whose breach is also
due is dropped: a late watcher says "breached", not "soon".

Waiting time counts on the contract's schedule clock; SLA targets on the
target's own clock (24/7 for a round-the-clock priority).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from desk.clock import BusinessClock
from desk.enums import Status
from desk.model import SlaState
from desk.sla import spent
from desk.terms import WatchRules

_WATCHED = frozenset({Status.NEW, Status.IN_PROGRESS})


class AlertKind(StrEnum):
    WARN = "warn"
    BREACH = "breach"
    REMIND = "remind"
    RESOLVE = "resolve"


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    target: str  # "reaction" | "resolution" | "waiting"
    key: str  # unique per ticket: what the watcher claims
    at: datetime  # when it became due (UTC)
    due: datetime | None  # the SLA due moment (None for waiting alerts)
    target_minutes: int | None
    spent_minutes: int = 0  # business minutes used (or waited): filled in by ``Plan.due``


def _nothing_spent(now: datetime) -> int:
    return 0


@dataclass(frozen=True)
class Plan:
    """Every alert of a ticket in its current state, due or not yet.

    ``measure(now)`` gives the business minutes used (or waited) at ``now``;
    it is only called for alerts that are due, so planning stays cheap.
    """

    alerts: tuple[Alert, ...]
    measure: Callable[[datetime], int] = _nothing_spent

    def due(self, now: datetime, sent: frozenset[str] = frozenset()) -> list[Alert]:
        """Alerts due at ``now`` and not yet sent; a warning gives way to its breach."""
        ready = [a for a in self.alerts if a.at <= now and a.key not in sent]
        breached = {a.target for a in ready if a.kind is AlertKind.BREACH}
        breached |= {a.target for a in self.alerts if a.kind is AlertKind.BREACH and a.key in sent}
        due = [a for a in ready if not (a.kind is AlertKind.WARN and a.target in breached)]
        if not due:
            return []
        spent_now = self.measure(now)
        return [replace(a, spent_minutes=spent_now) for a in due]

    def next_at(self, sent: frozenset[str] = frozenset()) -> datetime | None:
        """When the earliest alert not yet sent falls due (None: nothing left)."""
        moments = [a.at for a in self.alerts if a.key not in sent]
        return min(moments) if moments else None


def plan(
    state: SlaState | None,
    status: Status,
    now: datetime,
    sla_clock: BusinessClock,
    schedule_clock: BusinessClock,
    rules: WatchRules,
) -> Plan:
    """The alerts of a ticket with ``state`` and ``status``.  The moments do not
    depend on ``now`` except for a breach already recorded (due at once)."""
    if state is None or state.started_at is None:
        return Plan(())
    if status is Status.WAITING and state.paused_at is not None:
        paused_at = state.paused_at
        return Plan(
            tuple(_waiting(paused_at, schedule_clock, rules)),
            lambda t: max(0, schedule_clock.minutes_between(paused_at, t)),
        )
    if status not in _WATCHED:
        return Plan(())
    alerts: list[Alert] = []
    checks = (
        ("reaction", state.reaction_due, state.reaction_target, state.reacted_at,
         state.reaction_breached),
        ("resolution", state.resolution_due, state.resolution_target, state.resolved_at,
         state.resolution_breached),
    )  # fmt: skip
    for target, due, minutes, done_at, breached in checks:
        if due is None or done_at is not None:
            continue
        breach_at = _utc(now) if breached else _breach_moment(due, sla_clock)
        alerts.append(Alert(AlertKind.BREACH, target, f"{target}:breach", breach_at, due, minutes))
        if minutes is not None and minutes > 0:
            warn_minutes = max(1, math.ceil(minutes * rules.warn_share))
            warn_at = _utc(
                sla_clock.due(state.started_at, max(0, warn_minutes + state.paused_minutes))
            )
            if warn_at < breach_at:
                alerts.append(
                    Alert(AlertKind.WARN, target, f"{target}:warn", warn_at, due, minutes)
                )
    return Plan(tuple(alerts), lambda t: spent(state, t, sla_clock))


def _waiting(paused_at: datetime, clock: BusinessClock, rules: WatchRules) -> list[Alert]:
    episode = int(paused_at.timestamp())
    alerts = []
    for kind, minutes in (
        (AlertKind.REMIND, rules.remind_after_minutes),
        (AlertKind.RESOLVE, rules.resolve_after_minutes),
    ):
        if minutes is not None:
            at = _utc(clock.due(paused_at, minutes))
            key = f"waiting:{kind.value}:{episode}"
            alerts.append(Alert(kind, "waiting", key, at, None, minutes))
    return alerts


def _breach_moment(due: datetime, clock: BusinessClock) -> datetime:
    """The first moment business time has run past ``due`` (to the second at
    most 59 s late): a due at 18:00 is missed at 09:00 the next working day."""
    return _utc(clock.due(due, 1)) - timedelta(seconds=59)


def _utc(t: datetime) -> datetime:
    return t.astimezone(UTC)
