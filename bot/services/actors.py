"""Who does something: the audit trail's ``actor`` and what permissions are checked."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ActorKind(StrEnum):
    STAFF = "staff"  # a consultant or engineer, checked against the ticket's team
    USER = "user"  # a client employee, checked against the ticket's requester
    SYSTEM = "system"  # the product itself: SLA watcher, auto-close
    CONFIG = "config"  # `supportdesk config apply`


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    telegram_id: int | None = None

    @classmethod
    def staff(cls, telegram_id: int) -> Actor:
        return cls(ActorKind.STAFF, telegram_id)

    @classmethod
    def user(cls, telegram_id: int) -> Actor:
        return cls(ActorKind.USER, telegram_id)

    @classmethod
    def system(cls) -> Actor:
        return cls(ActorKind.SYSTEM)

    @classmethod
    def config(cls) -> Actor:
        return cls(ActorKind.CONFIG)

    def __str__(self) -> str:
        """``staff:2001``, ``user:1001``, ``system``, ``config`` (as the audit trail keeps it)."""
        if self.telegram_id is None:
            return self.kind.value
        return f"{self.kind.value}:{self.telegram_id}"
