"""Hybrid retrieval: character n-gram TF-IDF + BM25 over lemmas, fused.

Every question variant of an entry is a document. For a query:

1. ``char``: cosine of sublinear TF-IDF vectors of character 3–4-grams of words
   (typos, word forms, glued words). N-grams the knowledge base has never seen
   still count in the query's norm, so an unrelated question scores low.
2. ``bm25``: BM25 over lemmas, divided by the sum of the query terms' IDF
   (unknown terms count with ``oov_idf``): the share of the query's
   information that the variant covers, 0..~1.
3. ``context``: the same normalised BM25 against the whole entry (all variants,
   tags, products and the answer text), a weak signal for wording that only
   the answer uses.
4. Variants are collapsed to their entry by taking the best one.

The final score is ``char_w·char + bm25_w·bm25 + context_w·context -
missing_w·missing``; the weights were tuned on the development set
(see ``knowledge/README.md``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from knowledge._features import CharNgrams, Vocabulary
from knowledge._inverted import FloatArray, IntArray, InvertedIndex, bm25_index, tfidf_index
from knowledge.analysis import Analyzer
from knowledge.entry import Entry


@dataclass(frozen=True, slots=True)
class Params:
    # Chosen by ``python -m knowledge.tuning`` (see knowledge/README.md).
    char_w: float = 0.45
    bm25_w: float = 0.35
    context_w: float = 0.15
    # Penalty for the share of the query's information (IDF) that the entry lacks.
    missing_w: float = 0.15
    oov_idf: float = 3.0
    # Large bases: character n-grams in more than ``prune_df`` variants are left out
    # of the first pass (they weigh little and cost the most postings); the best
    # ``exact_k`` variants of that pass are then scored exactly.
    prune_df: int = 400
    exact_k: int = 150


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
        self.terms = Vocabulary()
        self.n_entries = len(entries)
        doc_entry: list[int] = []
        char_docs: list[IntArray] = []
        term_docs: list[IntArray] = []
        context_docs: list[IntArray] = []
        for number, entry in enumerate(entries):
            context: dict[str, None] = {}
            for variant in entry.variants:
                analysis = analyzer.analyze_authored(variant)
                doc_entry.append(number)
                char_docs.append(self.ngrams.document(analysis.surface))
                term_docs.append(self.terms.add(analysis.terms))
                context.update(dict.fromkeys(analysis.terms))
            labels = analyzer.analyze_authored(" ".join((*entry.tags, *entry.products)))
            context.update(dict.fromkeys(labels.terms))
            context.update(dict.fromkeys(analyzer.answer_terms(entry.answer)))
            context_docs.append(self.terms.add(context))

        self.ngrams.freeze()
        self._doc_entry = np.asarray(doc_entry, dtype=np.int32)
        self._starts = np.flatnonzero(np.r_[True, np.diff(self._doc_entry) != 0])
        self._doc_stop = np.r_[self._starts[1:], len(doc_entry)]
        self.char = tfidf_index(char_docs, len(self.ngrams.vocabulary))
        self.bm25 = bm25_index(term_docs, len(self.terms))
        self.context = bm25_index(context_docs, len(self.terms), b=0.3)
        self._char_oov_idf = math.log(1 + len(char_docs)) + 1.0
        self._char_common = self.char.df > self.params.prune_df
        self._pruning = bool(self._char_common.any()) and len(char_docs) > self.params.exact_k
        # Document-major copy of the character weights, for the exact second pass.
        by_doc = sparse.csr_matrix(
            (self.char.weights, self.char.docs, self.char.indptr),
            shape=(len(self.ngrams.vocabulary), len(char_docs)),
        ).T.tocsr()
        entry_terms = sparse.csr_matrix(
            (self.context.weights, self.context.docs, self.context.indptr),
            shape=(len(self.terms), self.n_entries),
        ).T.tocsr()
        self._entry_terms_indptr = entry_terms.indptr.astype(np.int64)
        self._entry_terms = entry_terms.indices.astype(np.int32)
        self._doc_indptr = by_doc.indptr.astype(np.int64)
        self._doc_grams = by_doc.indices.astype(np.int32)
        self._doc_weights = by_doc.data.astype(np.float32)

    _ARRAYS = (
        "_doc_entry",
        "_starts",
        "_doc_stop",
        "_char_common",
        "_entry_terms_indptr",
        "_entry_terms",
        "_doc_indptr",
        "_doc_grams",
        "_doc_weights",
    )
    _INDEXES = ("char", "bm25", "context")
    _INDEX_FIELDS = ("indptr", "docs", "weights", "idf", "df")

    def state(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """What ``restore`` needs: named arrays, and the vocabularies and scalars
        (``knowledge._snapshot`` keeps them on disk)."""
        arrays: dict[str, Any] = {name: getattr(self, name) for name in self._ARRAYS}
        for index in self._INDEXES:
            for name in self._INDEX_FIELDS:
                arrays[f"{index}.{name}"] = getattr(getattr(self, index), name)
        words = {
            "grams": list(self.ngrams.vocabulary.ids),
            "terms": list(self.terms.ids),
            "sizes": list(self.ngrams.sizes),
            "n_entries": self.n_entries,
            "n_docs": {i: getattr(self, i).n_docs for i in self._INDEXES},
            "char_oov_idf": self._char_oov_idf,
            "pruning": self._pruning,
        }
        return arrays, words

    @classmethod
    def restore(
        cls, arrays: dict[str, Any], words: dict[str, Any], analyzer: Analyzer, params: Params
    ) -> Retriever:
        """A retriever from ``state()``'s output, without analysing any entry."""
        self = cls.__new__(cls)
        self.params = params
        self.analyzer = analyzer
        self.ngrams = CharNgrams(tuple(words["sizes"]))
        self.ngrams.vocabulary.ids = {w: i for i, w in enumerate(words["grams"])}
        self.terms = Vocabulary()
        self.terms.ids = {w: i for i, w in enumerate(words["terms"])}
        self.n_entries = int(words["n_entries"])
        for name in self._ARRAYS:
            setattr(self, name, arrays[name])
        for index in self._INDEXES:
            fields = {name: arrays[f"{index}.{name}"] for name in self._INDEX_FIELDS}
            setattr(self, index, InvertedIndex(**fields, n_docs=int(words["n_docs"][index])))
        self._char_oov_idf = float(words["char_oov_idf"])
        self._pruning = bool(words["pruning"])
        return self

    def search(self, text: str, limit: int) -> list[Hit]:
        """Entries ranked by fused score, best first; at most ``limit``, none scoring 0."""
        if not self.n_entries or limit <= 0:
            return []
        query = self.analyzer.analyze(text)
        if not query.terms and not query.surface.strip():
            return []
        p = self.params
        char_rows, char_factors = self._char_query(query.surface)
        if self._pruning:
            keep = ~self._char_common[char_rows]
            per_doc = self.char.score(char_rows[keep], char_factors[keep])
        else:
            per_doc = self.char.score(char_rows, char_factors)
        rows, unknown = self.terms.lookup(dict.fromkeys(query.terms))
        if rows.size:
            factors = self._bm25_factors(self.bm25, rows, unknown)
            per_doc += p.bm25_w * self.bm25.score(rows, factors)
        docs, scores = self._best_docs(per_doc, char_rows, char_factors)
        docs, scores = docs[scores > 0.0], scores[scores > 0.0]  # nothing in common: no hit
        entries, scores = _best_per_entry(self._doc_entry[docs], scores)
        if p.context_w and rows.size:
            context = self.context.score(rows, self._bm25_factors(self.context, rows, unknown))
            scores = scores + p.context_w * context[entries]
        if p.missing_w and rows.size:
            scores = scores - p.missing_w * self._missing_shares(entries, rows, unknown)
        hits = [Hit(n, score) for n, score in zip(entries.tolist(), scores.tolist(), strict=True)]
        hits.sort(key=lambda hit: (-hit.score, hit.entry))
        return hits[:limit]

    def _best_docs(
        self, per_doc: FloatArray, char_rows: IntArray, char_factors: FloatArray
    ) -> tuple[IntArray, FloatArray]:
        """The ``exact_k`` best variants and their scores, char part made exact if pruned."""
        k = self.params.exact_k
        if per_doc.size <= k:
            return np.arange(per_doc.size, dtype=np.int32), per_doc
        docs = np.flatnonzero(per_doc).astype(np.int32)  # argpartition is slow on many zeros
        if docs.size > k:
            docs = docs[np.argpartition(per_doc[docs], -k)[-k:]]
        scores = per_doc[docs]
        if self._pruning:
            common = self._char_common[char_rows]
            scores = scores + self._char_exact_part(docs, char_rows[common], char_factors[common])
        return docs, scores

    def _char_exact_part(self, docs: IntArray, rows: IntArray, factors: FloatArray) -> FloatArray:
        """The char score that the pruned grams ``rows`` add to each of ``docs``."""
        query = np.zeros(self.char.idf.size, dtype=np.float32)
        query[rows] = factors
        starts = self._doc_indptr[docs]
        lengths = self._doc_indptr[docs + 1] - starts
        total = int(lengths.sum())
        positions = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        values = self._doc_weights[positions] * query[self._doc_grams[positions]]
        owner = np.repeat(np.arange(docs.size), lengths)
        return np.bincount(owner, weights=values, minlength=docs.size).astype(np.float32)

    def _char_query(self, surface: str) -> tuple[IntArray, FloatArray]:
        """Gram rows of the query and their weights (× char_w, over the full query norm)."""
        ids, unknown = self.ngrams.query(surface)
        rows, counts = np.unique(ids, return_counts=True)
        weights = (1.0 + np.log(counts)) * self.char.idf[rows]
        norm = math.sqrt(float(np.dot(weights, weights)) + unknown * self._char_oov_idf**2)
        factors = (self.params.char_w / (norm or 1.0)) * weights
        return rows.astype(np.int32), factors.astype(np.float32)

    def _bm25_factors(self, index: InvertedIndex, rows: IntArray, unknown: int) -> FloatArray:
        present = index.df[rows] > 0  # a term of answers only is unknown to the variants
        unknown += int(rows.size - np.count_nonzero(present))
        total = float(index.idf[rows[present]].sum()) + unknown * self.params.oov_idf
        return np.full(rows.size, 1.0 / total if total else 0.0, dtype=np.float32)

    def _missing_shares(self, entries: IntArray, rows: IntArray, unknown: int) -> FloatArray:
        """For each entry, the share of the query's IDF mass in terms the entry never uses."""
        order = np.argsort(rows)
        sorted_rows, idf = rows[order], self.context.idf[rows[order]]
        total = float(idf.sum()) + unknown * self.params.oov_idf
        if not total:
            return np.zeros(entries.size, dtype=np.float32)
        starts = self._entry_terms_indptr[entries]
        lengths = self._entry_terms_indptr[entries + 1] - starts
        positions = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        terms = self._entry_terms[positions + np.arange(int(lengths.sum()))]
        found = np.minimum(np.searchsorted(sorted_rows, terms), sorted_rows.size - 1)
        hit = sorted_rows[found] == terms
        owner = np.repeat(np.arange(entries.size), lengths)
        present = np.bincount(owner[hit], weights=idf[found[hit]], minlength=entries.size)
        return ((total - present) / total).astype(np.float32)


def _best_per_entry(owners: IntArray, scores: FloatArray) -> tuple[IntArray, FloatArray]:
    """Each entry once, with the best score among its variants."""
    if owners.size == 0:
        return owners, scores
    order = np.lexsort((-scores, owners))
    owners, scores = owners[order], scores[order]
    first = np.r_[True, owners[1:] != owners[:-1]]
    return owners[first], scores[first]
