"""Learning from use: an entry users keep rejecting for a kind of question is demoted for it.

The bot hands the knowledge base what people did with its suggestions, as
``(query, entry id)`` pairs: *rejections* («Не то» under an entry or under the
list that showed it) and *helps* («Помогло», or a consultant who later
answered that query with the entry). Per entry it keeps a small index of
those queries: their lemma key (compared as ``knowledge.gaps`` compares texts)
and, when an embedder is set, their vector.

For a new query, an entry's feedback queries are *close* when their lemma
keys are at least ``LEXICAL_CLOSE`` alike or their vectors at least
``SEMANTIC_CLOSE`` (cosine). The entry is *demoted* for the query when at
least ``MIN_REJECTIONS`` close queries rejected it and the close rejections
outnumber the close helps: ``KnowledgeBase.suggest`` then lowers its score
below the confidence threshold, so it is not shown as an answer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.analysis import Analyzer
from knowledge.embedding import Embedder, EmbeddingUnavailable, Vectors
from knowledge.gaps import lemma_key, similarity_of

log = logging.getLogger(__name__)

LEXICAL_CLOSE = 75.0  # as knowledge.gaps groups similar requests
SEMANTIC_CLOSE = 0.9  # e5 cosine: a paraphrase is about 0.9, unrelated text about 0.75
MIN_REJECTIONS = 2
DEMOTION = 0.1  # below the confidence threshold by this much
_VECTOR_MEMO = 20_000  # query vectors kept between refreshes

Pair = tuple[str, str]  # (query, entry id)


@dataclass(frozen=True, slots=True)
class _Mark:
    key: str
    vector: Vectors | None
    helped: bool


class Feedback:
    """Rejected and helped queries per entry; ``demoted`` says which entries to hold back."""

    def __init__(self, analyzer: Analyzer, embedder: Embedder | None = None) -> None:
        self._analyzer = analyzer
        self._embedder = embedder
        self._marks: dict[str, tuple[_Mark, ...]] = {}
        self._vectors: dict[str, Vectors | None] = {}
        self._active = False
        self._lock = threading.Lock()  # writers only; readers take the dict as it is

    def __len__(self) -> int:
        return sum(len(marks) for marks in self._marks.values())

    @property
    def active(self) -> bool:
        """Whether any entry has enough rejections to be demoted for some query."""
        return self._active

    def replace(self, rejections: Iterable[Pair], helped: Iterable[Pair]) -> None:
        """Everything known, at once (the bot reloads it from its FAQ log)."""
        marks: dict[str, list[_Mark]] = {}
        for pairs, was_helped in ((rejections, False), (helped, True)):
            for query, entry_id in pairs:
                marks.setdefault(entry_id, []).append(self._mark(query, was_helped))
        with self._lock:
            self._marks = {entry_id: tuple(found) for entry_id, found in marks.items()}
            self._active = _any_demotable(self._marks)
            if len(self._vectors) > _VECTOR_MEMO:
                self._vectors = {}

    def add(self, query: str, entry_id: str, *, helped: bool) -> None:
        """One press, as it happens."""
        mark = self._mark(query, helped)
        with self._lock:
            marks = dict(self._marks)
            marks[entry_id] = (*marks.get(entry_id, ()), mark)
            self._marks = marks
            self._active = _any_demotable(marks)

    def demoted(
        self, query: str, entry_ids: Sequence[str], vector: Vectors | None = None
    ) -> set[str]:
        """Which of ``entry_ids`` users rejected for queries like ``query`` (``vector``:
        the query's, when the caller has it; without it only words are compared)."""
        marks = self._marks
        candidates = [e for e in entry_ids if _rejections(marks.get(e, ())) >= MIN_REJECTIONS]
        if not candidates:
            return set()
        key = lemma_key(query, self._analyzer)
        found: set[str] = set()
        for entry_id in candidates:
            close = [m for m in marks[entry_id] if _close(key, vector, m)]
            rejected = sum(1 for m in close if not m.helped)
            if rejected >= MIN_REJECTIONS and rejected > len(close) - rejected:
                found.add(entry_id)
        return found

    def _mark(self, query: str, helped: bool) -> _Mark:
        return _Mark(lemma_key(query, self._analyzer), self._vector(query), helped)

    def _vector(self, query: str) -> Vectors | None:
        if self._embedder is None:
            return None
        if query in self._vectors:
            return self._vectors[query]
        try:
            vector: Vectors | None = self._embedder.query(query)
        except EmbeddingUnavailable:
            return None  # not remembered: words alone this time
        self._vectors[query] = vector
        return vector


def _any_demotable(marks: dict[str, tuple[_Mark, ...]]) -> bool:
    return any(_rejections(found) >= MIN_REJECTIONS for found in marks.values())


def _rejections(marks: Iterable[_Mark]) -> int:
    return sum(1 for m in marks if not m.helped)


def _close(key: str, vector: Vectors | None, mark: _Mark) -> bool:
    if similarity_of(key, mark.key) >= LEXICAL_CLOSE:
        return True
    if vector is None or mark.vector is None:
        return False
    return float(np.dot(vector, mark.vector)) >= SEMANTIC_CLOSE
