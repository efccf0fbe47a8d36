"""Ticket numbers ``<CLIENT CODE>-<n>``."""

from __future__ import annotations

import re

MAX_CODE_LENGTH = 16
_CODE = re.compile(r"[A-ZА-ЯЁ][A-ZА-ЯЁ0-9]*")
_NUMBER = re.compile(r"([A-ZА-ЯЁ][A-ZА-ЯЁ0-9]*)-([1-9][0-9]*)")


class BadTicketNumber(ValueError):
    """A string that is not a ticket number; says why."""


class BadClientCode(ValueError):
    """A client code that cannot appear in ticket numbers; says why."""


def validate_client_code(code: str) -> str:
    """Return ``code`` if valid (upper-case latin/cyrillic letters and digits,
    starting with a letter, 1–16 chars), else raise ``BadClientCode``."""
    if not code:
        raise BadClientCode("a client code must not be empty")
    if len(code) > MAX_CODE_LENGTH:
        raise BadClientCode(f"client code {code!r} is longer than {MAX_CODE_LENGTH} characters")
    if _CODE.fullmatch(code) is None:
        raise BadClientCode(
            f"client code {code!r}: only upper-case latin or cyrillic letters and digits, "
            "starting with a letter"
        )
    return code


def format_number(client_code: str, n: int) -> str:
    """``format_number("DEMO", 12) == "DEMO-12"``; n >= 1."""
    validate_client_code(client_code)
    if n < 1:
        raise BadTicketNumber(f"ticket numbers start at 1, not {n}")
    return f"{client_code}-{n}"


def parse_number(s: str) -> tuple[str, int]:
    """``parse_number("DEMO-12") == ("DEMO", 12)``; ``BadTicketNumber`` otherwise.
    Surrounding spaces and lower case are accepted ("demo-12")."""
    text = s.strip().upper()
    found = _NUMBER.fullmatch(text)
    if found is None:
        raise BadTicketNumber(f"{s!r} is not a ticket number like DEMO-12")
    code, n = found.group(1), int(found.group(2))
    if len(code) > MAX_CODE_LENGTH:
        raise BadTicketNumber(f"{s!r}: the client code is longer than {MAX_CODE_LENGTH} characters")
    return code, n
