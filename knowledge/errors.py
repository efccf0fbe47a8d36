"""Errors of the knowledge package.

::

    KnowledgeError
    ├── EntryError      one entry file or table row is broken (names the source and the reason)
    └── SourceError     a whole knowledge source cannot be read (missing path, unknown format)
"""

from __future__ import annotations


class KnowledgeError(Exception):
    """Base of every error raised by ``knowledge``."""


class EntryError(KnowledgeError):
    """One entry is broken; ``source`` names the file (and row), ``reason`` says why."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class SourceError(KnowledgeError):
    """A knowledge source as a whole cannot be read."""
