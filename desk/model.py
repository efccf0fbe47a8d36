"""Domain objects: what the config describes and what a ticket is.

Repositories in ``storage`` return these dataclasses, never ORM rows.
Times are timezone-aware UTC datetimes (ARCHITECTURE.md, invariant 5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum
from typing import TYPE_CHECKING

from desk.enums import Category, Priority, Status

if TYPE_CHECKING:  # (an annotation only: desk.calendar loads the holidays package)
    from desk.calendar import DayKind


class Line(IntEnum):
    ONE = 1  # consultants
    TWO = 2  # engineers


@dataclass(frozen=True)
class TimeRange:
    """Minutes from local midnight, ``start < end``; ``end`` may be 1440 (24:00)."""

    start: int
    end: int


@dataclass(frozen=True)
class CloseDays:
    """Extended hours on reporting-close days: the last ``last`` and the first
    ``first`` working days of each month, the working day ends at ``until``."""

    until: int  # minutes from midnight, e.g. 23 * 60
    last: int = 3
    first: int = 5


@dataclass(frozen=True)
class ScheduleSpec:
    """A working-time schedule as the config states it.

    ``round_the_clock`` ignores every other field but ``timezone``.
    ``calendar`` is ``"RU"`` for the Russian production calendar or ``None``
    (then Saturday and Sunday are the only days off). ``calendar_changes``
    corrects it day by day, sorted by date: an extra day off (a decree published
    after a release, a client's regional holiday), a transferred working day, a
    shortened day.
    """

    name: str
    timezone: str = "Europe/Moscow"
    round_the_clock: bool = False
    hours: TimeRange = TimeRange(9 * 60, 18 * 60)
    breaks: tuple[TimeRange, ...] = ()
    calendar: str | None = "RU"
    close_days: CloseDays | None = None
    calendar_changes: tuple[tuple[date, DayKind], ...] = ()


@dataclass(frozen=True)
class SlaTarget:
    """Targets for one priority, in business minutes of the contract's
    schedule (``None``: no target, e.g. P5 resolution "by plan").
    ``round_the_clock`` counts this priority 24/7 whatever the schedule."""

    reaction_minutes: int | None
    resolution_minutes: int | None
    round_the_clock: bool = False


@dataclass(frozen=True)
class Contract:
    name: str
    schedule: str  # ScheduleSpec.name
    targets: dict[Priority, SlaTarget]
    # where out-of-scope requests go: label -> how to reach them
    contacts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Client:
    code: str  # upper-case latin/cyrillic letters and digits, used in ticket numbers
    name: str
    timezone: str
    contract: str  # Contract.name
    team: str  # Team.name
    # the messengers its users write from (desk.channels.Channel values): invites name these
    messengers: tuple[str, ...] = ("telegram",)


@dataclass(frozen=True)
class Team:
    name: str
    chat_id: int  # the staff forum supergroup
    lead: int | None = None  # Telegram id of the team lead
    lead_chat_id: int | None = None
    duty: int | None = None  # Telegram id of the duty person (nobody on shift)


@dataclass(frozen=True)
class Staff:
    telegram_id: int
    name: str
    team: str
    line: Line = Line.ONE
    username: str | None = None
    shift: str | None = None  # ScheduleSpec.name of their shift; None: the contract hours
    active: bool = True


@dataclass(frozen=True)
class Invite:
    code: str
    client: str  # Client.code


@dataclass(frozen=True)
class User:
    """A client employee, bound to a client by an invite.

    ``telegram_id`` is the person's id: the chat key (``desk.channels``) of the
    address they were first bound from (a Telegram id, or a MAX dialog's key).
    """

    telegram_id: int
    client_code: str
    first_name: str
    joined_at: datetime
    username: str | None = None


@dataclass
class SlaState:
    reaction_due: datetime | None
    resolution_due: datetime | None
    reacted_at: datetime | None = None
    resolved_at: datetime | None = None
    paused_at: datetime | None = None  # waiting for the customer since
    reaction_breached: bool = False
    resolution_breached: bool = False
    started_at: datetime | None = None  # when the clock started (ticket created)
    paused_minutes: int = 0  # business minutes that do not count (waiting; see the module doc)
    reaction_minutes: int | None = None  # actual business minutes to the reaction
    resolution_minutes: int | None = None  # actual business minutes to resolution (net of pauses)
    reaction_target: int | None = None  # target minutes in force (for reports)
    resolution_target: int | None = None


@dataclass
class Ticket:
    id: int | None
    number: str  # "<CLIENT CODE>-<n>"
    client_code: str
    requester_id: int  # the person (``User.telegram_id``: the key they were bound from)
    subject: str
    text: str
    priority: Priority
    category: Category
    status: Status
    owner_id: int  # Telegram id of the responsible staff member; never unassigned
    created_at: datetime
    escalated: bool = False  # line 2 involved; a flag, not a status
    sla: SlaState | None = None
    # the priority at registration and the highest it ever had (lowest number);
    # None for a ticket built before they were kept: ``priority`` stands in
    initial_priority: Priority | None = None
    peak_priority: Priority | None = None
    # the chat (key, desk.channels) the request came from: answers go there;
    # None for a ticket registered before it was kept (``requester_id``'s chat)
    reply_chat: int | None = None

    @property
    def user_chat(self) -> int:
        """Where the user hears about this ticket: the chat they wrote it from."""
        return self.requester_id if self.reply_chat is None else self.reply_chat

    @property
    def registered_priority(self) -> Priority:
        return self.initial_priority or self.priority

    @property
    def highest_priority(self) -> Priority:
        return min(self.peak_priority or self.priority, self.priority)

    @property
    def lowered(self) -> bool:
        """Whether the priority now is lower than the highest it had."""
        return self.priority > self.highest_priority


@dataclass(frozen=True)
class AuditEvent:
    """One appended fact about a ticket (or the config); never changed."""

    id: int | None
    ticket_id: int | None
    actor: str  # "staff:2001", "user:1001", "system", "config"
    at: datetime
    what: str  # "created", "status", "priority", "owner", ...
    old: str | None
    new: str | None
    reason: str | None
    prev_hash: str
    hash: str
