"""Storage errors (tree drawn in ``storage/__init__.py``)."""

from __future__ import annotations


class StorageError(Exception):
    """Base of the errors ``storage`` raises on purpose."""


class SchemaNotCurrent(StorageError):
    """The database is not at the latest migration: run ``supportdesk db upgrade``."""

    def __init__(self, current: str | None, head: str) -> None:
        super().__init__(f"database schema is at {current or 'nothing'}, expected {head}")
        self.current = current
        self.head = head


class StillReferenced(StorageError):
    """A row cannot be removed: tickets, users or other rows still refer to it."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key} is still referenced")
        self.kind = kind
        self.key = key
