"""Meaning beside words: sentence-embedding similarity fused with the lexical ranker.

Each entry gives the semantic index two kinds of rows: its title and every
question variant ("variant" rows; an entry scores its best one), and its title
with the answer's text ("answer" row), which catches a user who describes a
symptom only the answer mentions ("не приходит код" for an entry titled
«Проблемы с авторизацией»).

``Blend`` fuses them with the lexical score of ``knowledge._retrieval``::

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
import numpy.typing as npt

from knowledge._inverted import FloatArray, IntArray
from knowledge.embedding import Embedder, VectorCache, Vectors, text_key
from knowledge.entry import Entry

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


COARSE_FROM = 2000  # entries; a smaller base scores every row exactly
COARSE_DIMS = 64  # principal components of the vectors the coarse pass scores
COARSE_K = 200  # entries the coarse pass keeps for exact scoring
_PCA_SAMPLE = 4096


class SemanticIndex:
    """Vectors of every entry's rows, built through a ``VectorCache``.

    A large base (``coarse_from`` entries or more) is searched in two steps: a
    coarse pass scores every row on its first ``COARSE_DIMS`` principal
    components (one small matrix product) and keeps the ``coarse_k`` best
    entries; those and the lexical ranker's hits are then scored exactly on the
    full vectors. e5 vectors share most of their direction, so the components
    that tell them apart are few: ``make bench ARGS=bench_faq_semantic`` prints
    how often the two-step top-3 equals the full scan's.
    """

    def __init__(
        self,
        entries: Sequence[Entry],
        embedder: Embedder,
        cache: VectorCache,
        *,
        coarse_from: int = COARSE_FROM,
        coarse_k: int = COARSE_K,
    ) -> None:
        self.embedder = embedder
        counts = [len(e.variants) for e in entries]
        texts = [v for e in entries for v in e.variants]
        n_variants = len(texts)
        texts.extend(answer_text(e) for e in entries)
        matrix, self.embedded = cache.vectors(texts, embedder)
        cache.save(keep={text_key(t) for t in texts})
        # every entry has at least its title, and its rows are consecutive: the
        # best per entry is a segment maximum
        self._variants: Vectors = matrix[:n_variants]
        self._answers: Vectors = matrix[n_variants:]
        stops = np.cumsum(np.asarray(counts, dtype=np.int64))
        self._stops: npt.NDArray[np.int64] = stops
        self._starts: npt.NDArray[np.int64] = stops - np.asarray(counts, dtype=np.int64)
        self._count = len(entries)
        self._coarse_k = coarse_k
        self._coarse: _Coarse | None = None
        if self._count >= coarse_from and self._count > coarse_k:
            self._coarse = _Coarse(matrix, n_variants, self._starts)

    @property
    def coarse(self) -> bool:
        """Whether queries go through the coarse pass first."""
        return self._coarse is not None

    def similarities(
        self,
        query: Vectors,
        candidates: IntArray | None = None,
        weights: tuple[float, float] = (1.0, 1.0),
    ) -> tuple[FloatArray, FloatArray]:
        """Per entry: the best variant's cosine and the answer row's cosine.

        With the coarse pass, only its best entries and ``candidates`` (the
        lexical hits) are scored; the others are ``-inf``. ``weights`` (variant,
        answer) rank the coarse pass as the blend will rank the exact scores.
        """
        if self._count == 0:
            empty: FloatArray = np.empty(0, dtype=np.float32)
            return empty, empty
        if self._coarse is None:
            best = np.maximum.reduceat(self._variants @ query, self._starts).astype(np.float32)
            return best, (self._answers @ query).astype(np.float32)
        chosen = self._coarse.best(query, weights, self._coarse_k)
        if candidates is not None and candidates.size:
            chosen = np.union1d(chosen, candidates)
        starts, stops = self._starts[chosen], self._stops[chosen]
        lengths = stops - starts
        offsets = np.cumsum(lengths) - lengths
        rows = np.repeat(starts - offsets, lengths) + np.arange(int(lengths.sum()))
        variant = np.full(self._count, -np.inf, dtype=np.float32)
        answer = np.full(self._count, -np.inf, dtype=np.float32)
        variant[chosen] = np.maximum.reduceat(self._variants[rows] @ query, offsets)
        answer[chosen] = self._answers[chosen] @ query
        return variant, answer


class _Coarse:
    """Every row on its first principal components (centred), for the coarse pass."""

    def __init__(self, matrix: Vectors, n_variants: int, starts: npt.NDArray[np.int64]) -> None:
        step = max(1, len(matrix) // _PCA_SAMPLE)
        sample = matrix[::step].astype(np.float64)
        self.centre = sample.mean(axis=0)
        centred = sample - self.centre
        _, vectors = np.linalg.eigh(centred.T @ centred)
        dims = min(COARSE_DIMS, matrix.shape[1])
        self.basis: Vectors = np.ascontiguousarray(vectors[:, ::-1][:, :dims], dtype=np.float32)
        reduced = (matrix @ self.basis).astype(np.float32)
        self.variants: Vectors = np.ascontiguousarray(reduced[:n_variants])
        self.answers: Vectors = np.ascontiguousarray(reduced[n_variants:])
        self.starts = starts

    def best(self, query: Vectors, weights: tuple[float, float], k: int) -> IntArray:
        """The ``k`` entries with the best approximate weighted cosines, sorted by index."""
        reduced = self.basis.T @ query
        variant = np.maximum.reduceat(self.variants @ reduced, self.starts)
        score = weights[0] * variant + weights[1] * (self.answers @ reduced)
        top = np.argpartition(score, -k)[-k:]
        return np.sort(top).astype(np.int32)


def sentences(text: str) -> list[str]:
    """The sentences of a long message worth matching alone (none for a short one)."""
    if len(text.split()) < LONG_MESSAGE_WORDS:
        return []
    parts = [p.strip() for p in _SENTENCE.split(text) if len(p.split()) >= 3]
    if len(parts) < 2:
        return []
    return sorted(parts, key=lambda p: -len(p))[:MAX_SENTENCES]


def semantic_part(
    index: SemanticIndex, vector: Vectors, blend: Blend, candidates: IntArray | None = None
) -> FloatArray:
    """The semantic part of every entry's score for one query vector (``-inf`` for
    an entry the coarse pass left out; ``candidates`` are always scored)."""
    variant, answer = index.similarities(vector, candidates, (blend.variant_w, blend.answer_w))
    part = blend.weigh(variant, answer)
    if index.coarse:  # 0 · -inf would be NaN under a zero weight
        part[np.isneginf(variant)] = -np.inf
    return part
