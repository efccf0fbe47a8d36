"""Monitoring alerts: what a contract says about them and what an alert does.

An alert comes from a client's monitoring (Zabbix, Alertmanager, a script) with a
``key`` naming the problem, a ``status`` (firing or resolved) and a severity.
A firing key opens one incident ticket; while it is open a repeat of the key adds a
line to the topic at most once per ``AlertRules.repeat_every_minutes``; ``resolved``
marks it recovered and, per contract, resolves the ticket or asks its owner;
firing again soon after (``reopen_within_minutes``) reopens the same ticket.

The ticket's requester is the client's monitoring itself: a user row with an id
below ``SYSTEM_USER_CEILING`` (no Telegram chat can have one), so nothing is ever
sent to it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from desk.enums import OPEN_STATUSES, Priority, Status

# Telegram ids of users are positive and below 2**40; chats are at most 13 digits
# negative. Ids at or below this belong to no chat: the monitoring "users".
SYSTEM_USER_CEILING = -(2**62)


def is_system_user(telegram_id: int) -> bool:
    """The id of a client's monitoring, not of a person (no chat to write to)."""
    return telegram_id <= SYSTEM_USER_CEILING


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    WARNING = "warning"
    INFO = "info"


class AlertStatus(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"


class OnResolved(StrEnum):
    """What ``resolved`` does to the ticket: resolve it, or ask its owner to."""

    RESOLVE = "resolve"
    ASK = "ask"


def _default_severities() -> dict[Severity, Priority]:
    return {
        Severity.CRITICAL: Priority.CRITICAL,
        Severity.HIGH: Priority.HIGH,
        Severity.WARNING: Priority.MEDIUM,
        Severity.INFO: Priority.LOW,
    }


@dataclass(frozen=True)
class AlertRules:
    """``[contracts.NAME.alerts]``: the severity map and the pace of an incident."""

    priorities: dict[Severity, Priority] = field(default_factory=_default_severities)
    repeat_every_minutes: int = 30
    on_resolved: OnResolved = OnResolved.RESOLVE
    reopen_within_minutes: int = 30

    def priority(self, severity: Severity) -> Priority:
        return self.priorities.get(severity, _default_severities()[severity])


@dataclass(frozen=True)
class AlertKey:
    """An API key of a client, as the config holds it: a name and the key's SHA-256."""

    name: str
    sha256: str  # 64 lowercase hex digits


@dataclass(frozen=True)
class AlertState:
    """What the desk remembers of one alert key of a client."""

    client_code: str
    key: str
    ticket_id: int
    status: AlertStatus
    last_repeat_at: datetime
    resolved_at: datetime | None = None


class Step(StrEnum):
    """What a firing alert does, given what is remembered of its key."""

    OPEN = "open"  # a new incident ticket
    REPEAT = "repeat"  # the ticket is open and firing: a repeat line, if it is time
    QUIET = "quiet"  # the ticket is open and firing: too soon for another line
    REFIRE = "refire"  # the ticket is open but the alert had recovered: it fires again
    REOPEN = "reopen"  # the ticket was resolved or closed a moment ago: reopen it


def firing_step(
    state: AlertState | None, ticket_status: Status | None, now: datetime, rules: AlertRules
) -> Step:
    """The step a firing alert takes (flapping reopens the same ticket)."""
    if state is None or ticket_status is None:
        return Step.OPEN
    if ticket_status in OPEN_STATUSES:
        if state.status is AlertStatus.RESOLVED:
            return Step.REFIRE
        due = state.last_repeat_at + timedelta(minutes=rules.repeat_every_minutes)
        return Step.REPEAT if now >= due else Step.QUIET
    if ticket_status is Status.RESOLVED:
        return Step.REOPEN  # not closed yet: the same incident
    if ticket_status is Status.CLOSED and state.resolved_at is not None:
        window = timedelta(minutes=rules.reopen_within_minutes)
        if now - state.resolved_at <= window:
            return Step.REOPEN
    return Step.OPEN  # closed long ago, cancelled or routed out: a new incident


def system_user_id(client_code: str) -> int:
    """The id of ``client_code``'s monitoring as the ticket's requester: fixed per
    client (a hash of the code under ``SYSTEM_USER_CEILING``), so concurrent first
    alerts agree on it."""
    digest = int.from_bytes(hashlib.sha256(client_code.encode("utf-8")).digest()[:7], "big")
    return SYSTEM_USER_CEILING - 1 - digest
