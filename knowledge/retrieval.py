"""Hybrid retrieval: character n-gram TF-IDF + BM25 over lemmas, fused, then re-scored.

Every question variant of an entry is a document. For a query:

1. ``char``: cosine of sublinear TF-IDF vectors of character 3–5-grams of words
   (typos, word forms, glued words). N-grams the knowledge base has never seen
   still count in the query's norm, so an unrelated question scores low.
2. ``bm25``: BM25 over lemmas, divided by the sum of the query terms' IDF
   (unknown terms count with ``oov_idf``): the share of the query's
   information that the variant covers, 0..~1.
3. ``context``: the same normalised BM25 against the whole entry (all variants,
   tags, products and the answer text), a weak signal for wording that only
   the answer uses.
4. Variants are collapsed to their entry by taking the best one; the top
   ``rerank_k`` entries are re-scored with rapidfuzz ``token_set_ratio`` over
   lemma strings.

The final score is ``char_w·char + bm25_w·bm25 + context_w·context +
fuzz_w·fuzz``; the weights were tuned on the development set
(see ``knowledge/README.md``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from knowledge.analysis import Analysis, Analyzer
from knowledge.entry import Entry
from knowledge.features import CharNgrams
from knowledge.inverted import InvertedIndex, bm25_index, tfidf_index

_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True, slots=True)
class Params:
    char_w: float = 0.45
    bm25_w: float = 0.35
    context_w: float = 0.1
    fuzz_w: float = 0.1
    oov_idf: float = 3.0
    rerank_k: int = 20


@dataclass(frozen=True, slots=True)
class Hit:
    entry: int  # index into the entries the retriever was built from
    score: float


class Retriever:
    """An immutable index over ``entries``; build once per knowledge base version."""

    def __init__(self, entries: Sequence[Entry], analyzer: Analyzer, params: Params | None = None):
        self.params = params or Params()
        self.analyzer = analyzer
        self.ngrams = CharNgrams()
        self.n_entries = len(entries)
        doc_entry: list[int] = []
        self._variant_terms: list[str] = []
        char_docs: list[Counter[str]] = []
        term_docs: list[Counter[str]] = []
        context_docs: list[Counter[str]] = []
        for number, entry in enumerate(entries):
            context: Counter[str] = Counter()
            for variant in entry.variants:
                analysis = analyzer.analyze(variant)
                doc_entry.append(number)
                char_docs.append(self.ngrams(analysis.surface))
                term_docs.append(Counter(analysis.terms))
                context.update(set(analysis.terms))
                self._variant_terms.append(" ".join(analysis.terms))
            extra = " ".join((*entry.tags, *entry.products, _TAG.sub(" ", entry.answer)))
            context.update(analyzer.analyze(extra).terms)
            context_docs.append(context)
        self._doc_entry = np.asarray(doc_entry, dtype=np.int32)
        self._starts = (
            np.flatnonzero(np.r_[True, np.diff(self._doc_entry) != 0])
            if doc_entry
            else (np.zeros(0, dtype=np.int64))
        )
        self._first_doc = {int(self._doc_entry[s]): int(s) for s in self._starts}
        self.char = tfidf_index(char_docs)
        self.bm25 = bm25_index(term_docs)
        self.context = bm25_index(context_docs, b=0.3)
        self._char_oov_idf = math.log(1 + len(char_docs)) + 1.0

    def analyze(self, text: str) -> Analysis:
        return self.analyzer.analyze(text)

    def search(self, text: str, limit: int) -> list[Hit]:
        """Entries ranked by fused score, best first; at most ``limit``, none scoring 0."""
        if not self.n_entries or limit <= 0:
            return []
        query = self.analyze(text)
        terms = set(query.terms)
        if not terms and not query.surface.strip():
            return []
        p = self.params
        per_doc = p.char_w * self.char.score(self._char_query(query.surface))
        per_doc += p.bm25_w * self.bm25.score(self._bm25_query(self.bm25, terms))
        per_entry = np.maximum.reduceat(per_doc, self._starts)
        if p.context_w:
            per_entry += p.context_w * self.context.score(self._bm25_query(self.context, terms))
        k = min(p.rerank_k, self.n_entries)
        top = np.argpartition(per_entry, -k)[-k:]
        joined = " ".join(query.terms)
        hits: list[Hit] = []
        for number in top.tolist():
            score = float(per_entry[number])
            if score <= 0.0:
                continue
            if p.fuzz_w and joined:
                score += p.fuzz_w * self._fuzz(joined, number)
            hits.append(Hit(number, score))
        hits.sort(key=lambda hit: (-hit.score, hit.entry))
        return hits[:limit]

    def _fuzz(self, joined: str, number: int) -> float:
        start = self._first_doc[number]
        best = 0.0
        for doc in range(start, len(self._doc_entry)):
            if self._doc_entry[doc] != number:
                break
            best = max(best, fuzz.token_set_ratio(joined, self._variant_terms[doc]))
        return best / 100.0

    def _char_query(self, surface: str) -> dict[str, float]:
        grams = self.ngrams(surface)
        weights: dict[str, float] = {}
        for gram, tf in grams.items():
            row = self.char.vocabulary.get(gram)
            idf = float(self.char.idf[row]) if row is not None else self._char_oov_idf
            weights[gram] = (1.0 + math.log(tf)) * idf
        norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
        return {g: v / norm for g, v in weights.items()}

    def _bm25_query(self, index: InvertedIndex, terms: set[str]) -> dict[str, float]:
        total = 0.0
        for term in terms:
            row = index.vocabulary.get(term)
            total += float(index.idf[row]) if row is not None else self.params.oov_idf
        return dict.fromkeys(terms, 1.0 / total) if total else {}
