"""Ticket numbers <CLIENT CODE>-<n> and client codes."""

from __future__ import annotations

import pytest

from desk.numbering import (
    BadClientCode,
    BadTicketNumber,
    format_number,
    parse_number,
    validate_client_code,
)


def test_format_and_parse_round_trip() -> None:
    """DEMO and 12 make DEMO-12, and back."""
    assert format_number("DEMO", 12) == "DEMO-12"
    assert parse_number("DEMO-12") == ("DEMO", 12)


def test_cyrillic_codes_work() -> None:
    """A cyrillic client code is as good as a latin one."""
    assert format_number("РОМАШКА", 3) == "РОМАШКА-3"
    assert parse_number("ромашка-3") == ("РОМАШКА", 3)


def test_parse_accepts_spaces_and_lower_case() -> None:
    """What a person types (' demo-7 ') is understood."""
    assert parse_number("  demo-7 ") == ("DEMO", 7)


@pytest.mark.parametrize("text", ["DEMO", "DEMO-", "-12", "DEMO-0", "DEMO-012", "DE MO-1",
                                  "DEMO-1-2", "DEMO-x", "", "1C-5"])  # fmt: skip
def test_parse_refuses_what_is_not_a_number(text: str) -> None:
    """Anything but CODE-n with n >= 1 is refused, naming the input."""
    with pytest.raises(BadTicketNumber, match="not a ticket number"):
        parse_number(text)


def test_format_refuses_zero_and_bad_codes() -> None:
    """Numbers start at 1; a bad code is refused before it reaches a ticket."""
    with pytest.raises(BadTicketNumber, match="start at 1"):
        format_number("DEMO", 0)
    with pytest.raises(BadClientCode):
        format_number("demo", 1)


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("", "empty"),
        ("demo", "upper-case"),
        ("DE-MO", "upper-case"),
        ("1C", "starting with a letter"),
        ("A" * 17, "longer than 16"),
    ],
)
def test_bad_client_codes_say_why(code: str, why: str) -> None:
    """Each kind of bad client code gets its own reason."""
    with pytest.raises(BadClientCode, match=why):
        validate_client_code(code)


def test_good_client_code_is_returned() -> None:
    """A valid code comes back unchanged."""
    assert validate_client_code("ACME2") == "ACME2"
