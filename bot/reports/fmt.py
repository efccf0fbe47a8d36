"""Numbers as a Russian reader expects them: "12 345", "97,5 %", "7 000 ₽" (words,
such as hours and minutes, are in the templates)."""

from __future__ import annotations

NBSP = "\u00a0"


def num(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}".replace(",", NBSP).replace(".", ",")


def pct(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    rounded = round(value, digits)
    text = num(rounded, digits if rounded != int(rounded) else 0)
    return f"{text}{NBSP}%"


def money(value: float | None) -> str:
    return "—" if value is None else num(value, 2 if value != int(value) else 0) + f"{NBSP}₽"


def score(value: float | None) -> str:
    return "—" if value is None else num(value, 2)
