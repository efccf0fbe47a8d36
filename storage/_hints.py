"""``WriterHints``: what this process last wrote to the rows every registration
touches, so that a repository can write without reading them first."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class WriterHints:
    """What this process last wrote to the rows every registration touches.

    Kept only where this process's transactions run one after another
    (``storage._serial``): a repository then writes on the remembered value
    with a guarded statement instead of reading the row first, and reads it
    only when the guard misses (another process wrote in between, or a
    transaction that set the hint rolled back).
    """

    audit_head: tuple[int | None, str] | None = None  # (last event id, its hash)
    cursors: dict[str, int | None] = field(default_factory=dict)  # team -> last assigned
