"""The staff help: the commands of the staff group, one list for the menu and the text.

``commands_staff.j2`` holds them (``name - description``, Russian); ``bot.app``
makes them the command menu of each team's group (``setMyCommands``, scope
chat), and ``render`` lists them in the help a consultant gets for /help, an
unknown command, or /start in a private chat with the bot.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import texts


@dataclass(frozen=True)
class StaffCommand:
    name: str
    description: str


def commands() -> list[StaffCommand]:
    found = []
    for line in texts.lines("commands_staff"):
        name, _, description = line.partition(" - ")
        found.append(StaffCommand(name.strip(), description.strip()))
    return found


def render(*, unknown: str | None = None, private: bool = False, name: str = "") -> str:
    """The help; ``unknown``: the command (or a lone «/») it answers, said first;
    ``private``: for a consultant in a private chat, greeted by ``name``."""
    return texts.render(
        "staff_help", commands=commands(), unknown=unknown, private=private, name=name
    )
