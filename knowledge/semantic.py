"""Meaning beside words: sentence-embedding similarity fused with the lexical ranker.

Each entry gives the semantic index two kinds of rows: its title and every
question variant ("variant" rows; an entry scores its best one), and its title
with the answer's text ("answer" row), which catches a user who describes a
symptom only the answer mentions ("не приходит код" for an entry titled
«Проблемы с авторизацией»).

``Blend`` fuses them with the lexical score of ``knowledge.retrieval``::

    score = lexical + variant_w · (variant_sim − base) + answer_w · (answer_sim − base)

An entry the lexical ranker did not return at all counts ``absent`` for its
lexical part. e5 cosines sit in a narrow band (about 0.75 for unrelated text,
0.9 for a paraphrase), hence the ``base`` they are measured from. The weights
and ``base`` are chosen by cross-validation (``python -m knowledge.tuning
--semantic``); see ``knowledge/README.md``.

A long message (several sentences: a screenshot caption, three paragraphs) is
also matched sentence by sentence, and each entry keeps its best score, so
the key sentence is not diluted by the rest.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.embedding import Embedder, VectorCache, Vectors, text_key
from knowledge.entry import Entry
from knowledge.inverted import FloatArray, IntArray

_TAG = re.compile(r"<[^>]+>")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")
ANSWER_CHARS = 1200  # of the answer that goes into its row (e5 reads 512 tokens)
LONG_MESSAGE_WORDS = 18
MAX_SENTENCES = 3


@dataclass(frozen=True, slots=True)
class Blend:
    # Chosen by ``python -m knowledge.tuning --semantic`` (see knowledge/README.md).
    variant_w: float = 2.0
    answer_w: float = 2.0
    base: float = 0.78
    absent: float = -0.3

    def weigh(self, variant: FloatArray, answer: FloatArray) -> FloatArray:
        """The semantic part of a score from the two cosines."""
        part: FloatArray = self.variant_w * (variant - self.base) + self.answer_w * (
            answer - self.base
        )
        return part


def answer_text(entry: Entry) -> str:
    plain = html.unescape(_TAG.sub(" ", entry.answer))
    return f"{entry.title}. {' '.join(plain.split())}"[:ANSWER_CHARS]


class SemanticIndex:
    """Vectors of every entry's rows, built through a ``VectorCache``."""

    def __init__(self, entries: Sequence[Entry], embedder: Embedder, cache: VectorCache) -> None:
        self.embedder = embedder
        owners: list[int] = []
        variant_texts: list[str] = []
        for number, entry in enumerate(entries):
            for variant in entry.variants:
                owners.append(number)
                variant_texts.append(variant)
        answers = [answer_text(e) for e in entries]
        self._variants, fresh_v = cache.vectors(variant_texts, embedder)
        self._answers, fresh_a = cache.vectors(answers, embedder)
        self.embedded = fresh_v + fresh_a
        cache.save(keep={text_key(t) for t in (*variant_texts, *answers)})
        # every entry has at least its title, and its rows are consecutive: the
        # best per entry is a segment maximum
        owner_array = np.asarray(owners, dtype=np.int32)
        self._starts: IntArray = np.flatnonzero(np.r_[True, np.diff(owner_array) != 0]).astype(
            np.int64
        )
        self._count = len(entries)

    def similarities(self, query: Vectors) -> tuple[FloatArray, FloatArray]:
        """Per entry: the best variant's cosine and the answer row's cosine."""
        if self._count == 0:
            empty: FloatArray = np.empty(0, dtype=np.float32)
            return empty, empty
        variant_sims = self._variants @ query
        best = np.maximum.reduceat(variant_sims, self._starts).astype(np.float32)
        return best, (self._answers @ query).astype(np.float32)


def sentences(text: str) -> list[str]:
    """The sentences of a long message worth matching alone (none for a short one)."""
    if len(text.split()) < LONG_MESSAGE_WORDS:
        return []
    parts = [p.strip() for p in _SENTENCE.split(text) if len(p.split()) >= 3]
    if len(parts) < 2:
        return []
    return sorted(parts, key=lambda p: -len(p))[:MAX_SENTENCES]


def semantic_part(index: SemanticIndex, vector: Vectors, blend: Blend) -> FloatArray:
    """The semantic part of every entry's score for one query vector."""
    return blend.weigh(*index.similarities(vector))
