"""SLA per ticket: reaction and resolution due times, pauses, breaches.

Owned by the clock work (see desk/clock.py); this file fixes SlaState's shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class SlaState:
    reaction_due: datetime | None
    resolution_due: datetime | None
    reacted_at: datetime | None = None
    resolved_at: datetime | None = None
    paused_at: datetime | None = None  # waiting for the customer since
    reaction_breached: bool = False
    resolution_breached: bool = False
