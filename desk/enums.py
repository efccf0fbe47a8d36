"""Priorities, categories, statuses and the status transition table."""

from __future__ import annotations

from enum import IntEnum, StrEnum

from desk.errors import IllegalTransition


class Priority(IntEnum):
    """From the support contract: 1 is the most urgent."""

    CRITICAL = 1  # the system does not work
    HIGH = 2  # a critical business process is stopped (shipment, period close)
    MEDIUM = 3  # any other incident
    LOW = 4  # master data (НСИ), rights and roles
    BACKGROUND = 5  # enhancements (need an approved functional design)


class Category(StrEnum):
    CONSULTATION = "consultation"
    ACCESS = "access"  # rights and roles
    MASTER_DATA = "master_data"
    INCIDENT = "incident"
    INTEGRATION = "integration"  # EDI, EGAIS, GIS Mercury, routine jobs
    BUG = "bug"
    ENHANCEMENT = "enhancement"
    OUT_OF_SCOPE = "out_of_scope"
    MONITORING = "monitoring"  # an incident opened by the client's monitoring (an alert)


class Status(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"  # waiting for the customer: the SLA clock is paused
    APPROVAL = "approval"  # waiting for the client's approver: the SLA clock is paused
    RESOLVED = "resolved"
    CLOSED = "closed"
    ROUTED_OUT = "routed_out"
    CANCELLED = "cancelled"


OPEN_STATUSES = frozenset({Status.NEW, Status.IN_PROGRESS, Status.WAITING, Status.APPROVAL})
PAUSED_STATUSES = frozenset({Status.WAITING, Status.APPROVAL})  # the SLA clock stands

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset(
        {
            Status.IN_PROGRESS,
            Status.WAITING,
            Status.APPROVAL,
            Status.RESOLVED,
            Status.ROUTED_OUT,
            Status.CANCELLED,
        }
    ),
    Status.IN_PROGRESS: frozenset(
        {Status.WAITING, Status.APPROVAL, Status.RESOLVED, Status.ROUTED_OUT, Status.CANCELLED}
    ),
    # approved: back to new (nobody took it) or in progress; refused: cancelled (a
    # request) or in progress (a design to redo)
    Status.APPROVAL: frozenset(
        {Status.NEW, Status.IN_PROGRESS, Status.ROUTED_OUT, Status.CANCELLED}
    ),
    Status.WAITING: frozenset(
        {Status.IN_PROGRESS, Status.RESOLVED, Status.ROUTED_OUT, Status.CANCELLED}
    ),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),  # confirm / reopen
    Status.CLOSED: frozenset({Status.IN_PROGRESS}),  # reopened by staff
    Status.ROUTED_OUT: frozenset({Status.IN_PROGRESS}),
    Status.CANCELLED: frozenset(),
}


def check_transition(old: Status, new: Status) -> None:
    """Raise ``IllegalTransition`` unless the table allows ``old -> new``."""
    if new not in TRANSITIONS[old]:
        raise IllegalTransition(old.value, new.value)
