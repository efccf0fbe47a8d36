"""What to write next: group the requests that found no good answer.

:func:`group_similar` clusters texts greedily: texts are taken most frequent
first, and each joins the first group whose leader is similar enough
(the mean of rapidfuzz ``token_set_ratio`` and ``token_sort_ratio`` over
lemmas — the set ratio alone calls any subset identical — so word order, word forms and
greetings do not matter) or starts a new group. Groups come back most
frequent first.

The bot records unanswered requests in its database (the intake issue); until
that source is wired, ``supportdesk faq gaps --from FILE`` reads texts from a
file, one per line or the first column of a CSV.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from knowledge.analysis import Analyzer

SIMILARITY = 75.0
EXAMPLES = 3


@dataclass(frozen=True, slots=True)
class Gap:
    leader: str  # the most frequent text of the group, as written
    count: int
    examples: tuple[str, ...]  # other texts of the group, most frequent first


def group_similar(
    texts: Iterable[str], analyzer: Analyzer, similarity: float = SIMILARITY
) -> list[Gap]:
    """Similar texts grouped, the largest group first (ties: first seen first)."""
    counts = Counter(t.strip() for t in texts if t.strip())
    keys = {text: lemma_key(text, analyzer) for text in counts}
    leaders: list[str] = []
    members: dict[str, list[str]] = {}
    for text, _ in sorted(counts.items(), key=lambda item: -item[1]):
        key = keys[text]
        home = next(
            (leader for leader in leaders if similarity_of(key, keys[leader]) >= similarity),
            None,
        )
        if home is None:
            leaders.append(text)
            members[text] = [text]
        else:
            members[home].append(text)
    gaps = [
        Gap(
            leader=leader,
            count=sum(counts[t] for t in members[leader]),
            examples=tuple(members[leader][1 : 1 + EXAMPLES]),
        )
        for leader in leaders
    ]
    gaps.sort(key=lambda gap: -gap.count)
    return gaps


def lemma_key(text: str, analyzer: Analyzer) -> str:
    """What two texts are compared by: their distinct lemmas, sorted (or the surface)."""
    analysis = analyzer.analyze(text)
    return " ".join(sorted(set(analysis.terms))) or analysis.surface


def similarity_of(a: str, b: str) -> float:
    """0–100: how alike two :func:`lemma_key` keys are."""
    return (fuzz.token_set_ratio(a, b) + fuzz.token_sort_ratio(a, b)) / 2.0
