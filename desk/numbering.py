"""Ticket numbers ``<CLIENT CODE>-<n>``."""

from __future__ import annotations


class BadTicketNumber(ValueError):
    """A string that is not a ticket number; says why."""


class BadClientCode(ValueError):
    """A client code that cannot appear in ticket numbers; says why."""


def validate_client_code(code: str) -> str:
    """Return ``code`` if valid (upper-case latin/cyrillic letters and digits,
    starting with a letter, 1–16 chars), else raise ``BadClientCode``."""
    raise NotImplementedError


def format_number(client_code: str, n: int) -> str:
    """``format_number("DEMO", 12) == "DEMO-12"``; n >= 1."""
    raise NotImplementedError


def parse_number(s: str) -> tuple[str, int]:
    """``parse_number("DEMO-12") == ("DEMO", 12)``; ``BadTicketNumber`` otherwise.
    Surrounding spaces and lower case are accepted ("demo-12")."""
    raise NotImplementedError
