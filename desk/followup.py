"""Does a user's message continue their open ticket, or should we ask?

A message is added to the open ticket without asking only when it clearly
continues it: a reply to the bot's message about it, a message a short time
after the last exchange on it, or a text close to it.  A message that reads as
a new urgent problem, or arrives long after and differs in subject, is asked
about («Это новая заявка или дополнение к …?»).

Pure rules; the bot (``bot.services.intake``) gathers the facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from desk.enums import Priority
from desk.intake import guess, normalise

RECENT = timedelta(minutes=30)
"""A message this soon after the last exchange on a ticket continues it (unless urgent).

The user's confirmation («Добавил к заявке …») promises exactly this window."""

# Words that say "this is burning" whatever the rest of the text says.
_ALARM = re.compile(r"срочн|горит|немедленн|авари|критичн|у\s+всех|asap")
# Words too common in requests to tell one subject from another.
_COMMON = frozenset(
    {
        "здрав", "добры", "добро", "спаси", "пожал", "подск", "помог", "почем", "котор",
        "можно", "нужно", "сейча", "опять", "снова", "также", "очень", "проблем", "ошибк",
        "вопро", "заявк", "работ", "будет", "может", "какой", "какая", "какие", "этого",
        "этому", "когда", "сдела", "делат", "получ", "пишет", "выдае",
    }
)  # fmt: skip
_WORD = re.compile(r"[a-zа-я0-9]+")
_STEM = 5  # letters kept of a word: a rough stem that meets other forms of it


class Verdict(StrEnum):
    """What to do with the message, and why (the reason is for logs and tests)."""

    REPLY = "reply"  # a reply to a message about the ticket: attach
    RECENT = "recent"  # soon after the last exchange: attach
    CLOSE = "close"  # a text close to the ticket's: attach
    URGENT = "urgent"  # reads as a new urgent problem: ask
    LATE = "late"  # long after, and about something else: ask

    @property
    def attach(self) -> bool:
        return self in (Verdict.REPLY, Verdict.RECENT, Verdict.CLOSE)


@dataclass(frozen=True)
class Exchange:
    """What we know of the open ticket a message may continue."""

    text: str  # the ticket's subject and first message (and what else the user wrote)
    priority: Priority
    since_last: timedelta | None  # since the last message on it either way; None: unknown


def stems(text: str) -> frozenset[str]:
    """The rough stems of the words of ``text`` that can tell a subject (4+ letters)."""
    words = _WORD.findall(normalise(text))
    return frozenset(
        w[:_STEM] for w in words if len(w) >= 4 and not w.isdigit() and w[:_STEM] not in _COMMON
    )


def close_to(text: str, other: str) -> bool:
    """Whether ``text`` speaks of the same things as ``other``: it shares two stems with it,
    or at least half of its own (when it has any)."""
    mine, theirs = stems(text), stems(other)
    shared = len(mine & theirs)
    return shared >= 2 or (bool(mine) and shared * 2 >= len(mine))


def is_urgent(text: str, ticket: Exchange) -> bool:
    """Whether ``text`` reads as a new problem more urgent than ``ticket``: the priority
    guess gives P1 or P2 above the ticket's, or, about something else than the ticket,
    it says so in words («срочно», «у всех»)."""
    guessed = guess(text).priority
    if guessed <= Priority.HIGH and guessed < ticket.priority:
        return True
    alarm = ticket.priority >= Priority.MEDIUM and bool(_ALARM.search(normalise(text)))
    return alarm and not close_to(text, ticket.text)


def continues(text: str, ticket: Exchange, *, replied: bool) -> Verdict:
    """Whether a message continues ``ticket`` (``Verdict.attach``) or is asked about.

    A reply to a message about the ticket always continues it. Otherwise an urgent
    new problem is asked about even right after an exchange; then a recent message
    continues the ticket, and an older one does only if its text is close.
    """
    if replied:
        return Verdict.REPLY
    if text.strip() and is_urgent(text, ticket):
        return Verdict.URGENT
    if ticket.since_last is not None and ticket.since_last <= RECENT:
        return Verdict.RECENT
    if text.strip() and close_to(text, ticket.text):
        return Verdict.CLOSE
    return Verdict.LATE


_THANKS_WORD = (
    r"(спасибо|спс|благодарю|помогло|получилось|разобрал(ся|ась|ись)|большое|огромное|все)"
)
_THANKS = re.compile(rf"{_THANKS_WORD}(\s+{_THANKS_WORD})*")
_GRATEFUL = re.compile(r"спасибо|спс|благодарю|помогло|получилось|разобрал")


def is_thanks(text: str) -> bool:
    """Whether ``text`` only thanks or says it helped («Спасибо, помогло!», «получилось»):
    the answer to a FAQ suggestion a user gives in words instead of a button."""
    words = " ".join(_WORD.findall(normalise(text)))
    return _THANKS.fullmatch(words) is not None and _GRATEFUL.search(words) is not None
