"""Mass incidents: many users' reports of one problem, handled as one ticket.

A *mass incident* is a ticket (``desk.model.Ticket``) that staff declared one
(``/mass``, the card's button, a merge the bot proposed), that a monitoring
alert opened, or that the bot made one when a second user of the client wrote
about the same outage. While it is open, a new request of the client that
*matches* it is not registered on its own: it becomes a *report* -- a ticket
of its user linked to the incident, with no topic and no card -- and the user
hears at once that the problem is known.

What matches (``pick``):

- a text alike the incident's subject, text or reports' texts: the similarity
  of their lemmas (``knowledge.gaps.similarity_of``, 0–100) at least ``SIMILAR``,
  the value the FAQ uses to call two requests alike;
- or a clear outage (``is_outage``: «не работает 1С», «упала база», «не
  запускается программа») while the incident is an outage too.

An open outage ticket of the client registered within the rules' window
(``IncidentRules.propose_within_minutes``) counts as well, though nobody
declared it: a second user's outage becomes its report and the ticket a mass
incident (``Origin.OUTAGE``).  Similar requests that are not outages are only
proposed for merging (``propose``): ``propose_after`` of them within the window.

Pure rules; the bot (``bot.services.incidents``) gathers the facts and scores.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from desk.alerts import SYSTEM_USER_CEILING
from desk.intake import normalise

SIMILAR = 75.0
"""Lemma similarity (0–100) from which a text speaks of the same problem: the value
``knowledge.gaps`` groups similar requests by (and the FAQ's feedback calls alike)."""

LINE_GATHER = timedelta(seconds=5)
"""A report's line waits this long for others to join it (a burst is one line)."""
LINE_EVERY = timedelta(seconds=60)
"""At most one «+N сообщений о проблеме» line per incident in this time: the staff
group takes 20 messages a minute in all."""
NAMES_SHOWN = 10  # names on one line; the rest are counted
NOTICE_CHUNK = 100  # reports told of the resolution per transaction
TEXTS_COMPARED = 50  # the newest report texts a new request is compared with


class Origin(StrEnum):
    """How a ticket became a mass incident."""

    STAFF = "staff"  # /mass or the card's button
    ALERT = "alert"  # a monitoring alert opened it
    OUTAGE = "outage"  # a second user reported the same outage
    PROPOSAL = "proposal"  # staff accepted the bot's proposal to merge
    WIDE = "wide"  # one client's part of a contractor-wide incident


class ReportState(StrEnum):
    LINKED = "linked"  # part of the incident: hears its resolution
    TOLD = "told"  # told of the resolution, closed with the incident
    SEPARATE = "separate"  # unlinked: a ticket of its own again


@dataclass(frozen=True)
class IncidentRules:
    """``[contracts.NAME.incidents]``: when the bot proposes merging similar requests."""

    propose_after: int = 3
    propose_within_minutes: int = 15

    @property
    def window(self) -> timedelta:
        return timedelta(minutes=self.propose_within_minutes)


# Text is lower-cased, ё→е (``desk.intake.normalise``) before matching.
_SYSTEM = (
    r"(баз[аыуе]?\b|1\s?с|программ\w*|сервер\w*|сервак\w*|систем\w*|кластер\w*|"
    r"терминал\w*|удаленк\w*|rdp)"
)
_DOWN = (
    r"(не\s+работа\w*|не\s+запуска\w*|не\s+запуст\w*|не\s+открыва\w*|не\s+грузит\w*|"
    r"не\s+загружа\w*|упал\w*|лежит|легл\w*|недоступ\w*|не\s+доступ\w*|не\s+отвеча\w*|"
    r"не\s+стартует|завис\w*|висит|виснет|отвалил\w*|умерл\w*|вылета\w*|"
    r"не\s+(могу|можем|может|могут)\s+(войти|зайти|подключит\w*|открыть|запустить)|"
    r"не\s+заход\w*|не\s+входит|не\s+подключа\w*|нет\s+(доступа|связи|подключения))"
)
_EVERYTHING = r"(ничего\s+не\s+работает|вс[её]\s+(упало|легло|лежит|висит|зависло|не\s+работает))"
_OUTAGE = re.compile(rf"{_SYSTEM}.{{0,40}}{_DOWN}|{_DOWN}.{{0,40}}{_SYSTEM}|{_EVERYTHING}")


def is_outage(text: str) -> bool:
    """Whether ``text`` says a system is down: outage words near a system's name
    («1С не запускается», «упала база», «нет доступа к серверу», «всё зависло»)."""
    return _OUTAGE.search(normalise(text)) is not None


@dataclass(frozen=True)
class Candidate:
    """An open ticket of the client a new request may report on."""

    ticket_id: int
    declared: bool  # a mass incident already (else an outage ticket of the window)
    outage: bool  # its subject or text says a system is down
    similarity: float  # the new text against its subject, text and reports, best (0–100)


def fits(candidate: Candidate, outage: bool) -> bool:
    """Whether a request (``outage``: it says a system is down) reports on ``candidate``."""
    if not candidate.declared:  # nobody said it is mass: only a second outage joins it
        return outage and candidate.outage
    return candidate.similarity >= SIMILAR or (outage and candidate.outage)


def pick(candidates: Sequence[Candidate], outage: bool) -> Candidate | None:
    """The incident a request reports on: declared ones first, then the most alike,
    then the oldest (the lowest id); None when none fits."""
    fitting = [c for c in candidates if fits(c, outage)]
    if not fitting:
        return None
    return max(fitting, key=lambda c: (c.declared, c.similarity, -c.ticket_id))


@dataclass(frozen=True)
class Recent:
    """A request of the client registered within the window, on its own."""

    ticket_id: int
    created_at: datetime


def propose(
    recent: Sequence[Recent],
    alike: Callable[[int, int], bool],
    rules: IncidentRules,
    now: datetime,
    taken: frozenset[int] = frozenset(),
) -> list[int] | None:
    """Tickets to propose merging, the first (where the proposal goes) first: at least
    ``rules.propose_after`` requests alike the oldest of them, all registered within
    ``rules.window`` before ``now``; None if there are not enough.

    ``alike(a, b)`` says whether two tickets' texts are alike; ``taken``: tickets an
    earlier proposal named already (proposed once, never again).
    """
    since = now - rules.window
    fresh = sorted(
        (r for r in recent if r.created_at >= since and r.ticket_id not in taken),
        key=lambda r: (r.created_at, r.ticket_id),
    )
    for i, first in enumerate(fresh):
        group = [first.ticket_id]
        group += [r.ticket_id for r in fresh[i + 1 :] if alike(first.ticket_id, r.ticket_id)]
        if len(group) >= rules.propose_after:
            return group
    return None


def line_due(oldest_pending: datetime, last_line_at: datetime | None, now: datetime) -> bool:
    """Whether the incident's pending reports get their line now: the oldest has waited
    ``LINE_GATHER`` for others and the last line is ``LINE_EVERY`` old."""
    if now - oldest_pending < LINE_GATHER:
        return False
    return last_line_at is None or now - last_line_at >= LINE_EVERY


class BadWide(ValueError):
    """``/mass`` outside a ticket's topic that names no client or no problem."""


ALL_CLIENTS = frozenset({"all", "все", "всем"})


def parse_wide(args: str, codes: Sequence[str]) -> tuple[list[str], str]:
    """``/mass DEMO URAL: Не работает ЕГАИС`` (or ``/mass all …``): the clients named
    (of ``codes``, the team's), then the problem; raises ``BadWide``."""
    known = {c.upper(): c for c in codes}
    words = args.split()
    chosen: list[str] = []
    taken = 0
    for word in words:
        bare = word.strip(",;:").upper()
        if bare.casefold() in ALL_CLIENTS:
            chosen = sorted(known.values())
        elif bare in known:
            if known[bare] not in chosen:
                chosen.append(known[bare])
        else:
            break
        taken += 1
        if word.endswith(":"):
            break
    summary = " ".join(words[taken:]).lstrip(":—–- ").strip()
    if not chosen or not summary:
        raise BadWide(args)
    return chosen, summary


def contractor_user_id(client_code: str) -> int:
    """The requester of a client's part of a contractor-wide incident: a user row no
    chat belongs to (below ``desk.alerts.SYSTEM_USER_CEILING``, apart from the
    monitoring's ids), fixed per client."""
    digest = int.from_bytes(hashlib.sha256(client_code.encode("utf-8")).digest()[:7], "big")
    return SYSTEM_USER_CEILING - 1 - 2**56 - digest
