"""Measuring suggestions against labelled cases (``supportdesk faq eval``).

Cases are a CSV with columns ``query`` and ``expected``; ``expected`` is an
entry id, or one of an entry's questions (compared after normalisation), or
empty when the question is not in the FAQ.

Figures:

* ``top1`` / ``top3`` — share of in-FAQ cases whose entry is ranked first / in
  the first three (ranking only, confidence aside);
* ``mrr`` — mean reciprocal rank of the expected entry within the first ten;
* ``coverage`` — share of in-FAQ cases that got at least one confident suggestion;
* ``false_suggestion_rate`` — share of out-of-FAQ cases that got one;
* ``answered`` — share of in-FAQ cases whose entry is among the suggestions
  the bot would show (the confident ones among the first ``SHOWN``);
* ``shown_precision`` — share of the cases shown any suggestion whose shown
  set holds the right entry (an out-of-FAQ case shown one counts as a miss);
* ``p50_ms`` / ``p99_ms`` — latency of one ``suggest`` call.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from knowledge.entry import Entry
from knowledge.errors import SourceError
from knowledge.normalize import normalize

RANK_DEPTH = 10
SHOWN = 3  # suggestions the bot shows at most
Ranker = Callable[[str], Sequence[tuple[str, bool]]]  # query -> [(entry id, confident)]


@dataclass(frozen=True, slots=True)
class Case:
    query: str
    expected: str | None  # entry id, None when the question is not in the FAQ


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    ranked: tuple[str, ...]
    confident: tuple[bool, ...]
    ms: float

    @property
    def shown(self) -> tuple[str, ...]:
        """What the bot would show: the confident ones among the first ``SHOWN``."""
        return tuple(r for r, c in zip(self.ranked[:SHOWN], self.confident, strict=False) if c)

    @property
    def rank(self) -> int | None:
        """1-based rank of the expected entry, None when absent (or out of FAQ)."""
        if self.case.expected is None or self.case.expected not in self.ranked:
            return None
        return self.ranked.index(self.case.expected) + 1


@dataclass(frozen=True, slots=True)
class Report:
    n: int
    top1: float
    top3: float
    mrr: float
    false_suggestion_rate: float
    coverage: float
    p50_ms: float
    p99_ms: float
    n_in_faq: int = 0
    n_out_of_faq: int = 0
    answered: float = 0.0
    shown_precision: float = 0.0
    outcomes: tuple[Outcome, ...] = field(default=(), repr=False)

    def figures(self) -> dict[str, float | int]:
        """The keys `faq eval --json` prints, rounded for reading."""
        return {
            "n": self.n,
            "top1": round(self.top1, 4),
            "top3": round(self.top3, 4),
            "mrr": round(self.mrr, 4),
            "false_suggestion_rate": round(self.false_suggestion_rate, 4),
            "coverage": round(self.coverage, 4),
            "answered": round(self.answered, 4),
            "shown_precision": round(self.shown_precision, 4),
            "p50_ms": round(self.p50_ms, 3),
            "p99_ms": round(self.p99_ms, 3),
        }


def read_cases(path: Path, entries: Sequence[Entry]) -> tuple[list[Case], list[str]]:
    """Cases of a CSV file and the problems met (row number and reason)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise SourceError(f"{path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SourceError(f"{path}: не UTF-8") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "query" not in fields or "expected" not in fields:
        raise SourceError(f"{path}: нужны столбцы query и expected")
    reader.fieldnames = fields
    ids = {e.id for e in entries}
    by_question = {normalize(q): e.id for e in entries for q in e.variants}
    cases: list[Case] = []
    problems: list[str] = []
    for number, row in enumerate(reader, start=2):
        query = (row.get("query") or "").strip()
        expected = (row.get("expected") or "").strip()
        if not query:
            problems.append(f"{path}, строка {number}: пустой query")
            continue
        if not expected:
            cases.append(Case(query, None))
        elif expected in ids:
            cases.append(Case(query, expected))
        elif normalize(expected) in by_question:
            cases.append(Case(query, by_question[normalize(expected)]))
        else:
            problems.append(f"{path}, строка {number}: expected «{expected}» нет в базе")
            cases.append(Case(query, expected))  # kept: it counts as a miss
    return cases, problems


def evaluate(rank: Ranker, cases: Sequence[Case]) -> Report:
    outcomes: list[Outcome] = []
    for case in cases:
        started = time.perf_counter()
        result = rank(case.query)
        ms = (time.perf_counter() - started) * 1000.0
        outcomes.append(Outcome(case, tuple(r[0] for r in result), tuple(r[1] for r in result), ms))
    return summarize(outcomes)


def summarize(outcomes: Sequence[Outcome]) -> Report:
    inside = [o for o in outcomes if o.case.expected is not None]
    outside = [o for o in outcomes if o.case.expected is None]
    ranks = [o.rank for o in inside]
    latencies = np.asarray([o.ms for o in outcomes] or [0.0])
    shown = [o for o in outcomes if o.shown]
    return Report(
        n=len(outcomes),
        top1=_share(sum(r == 1 for r in ranks), len(inside)),
        top3=_share(sum(r is not None and r <= 3 for r in ranks), len(inside)),
        mrr=_share(sum(1.0 / r for r in ranks if r is not None and r <= RANK_DEPTH), len(inside)),
        false_suggestion_rate=_share(sum(any(o.confident) for o in outside), len(outside)),
        coverage=_share(sum(any(o.confident) for o in inside), len(inside)),
        p50_ms=float(np.percentile(latencies, 50)),
        p99_ms=float(np.percentile(latencies, 99)),
        n_in_faq=len(inside),
        n_out_of_faq=len(outside),
        answered=_share(sum(o.case.expected in o.shown for o in inside), len(inside)),
        shown_precision=_share(sum(o.case.expected in o.shown for o in shown), len(shown)),
        outcomes=tuple(outcomes),
    )


def _share(part: float, whole: int) -> float:
    return part / whole if whole else 0.0
