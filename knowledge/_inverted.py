"""Weighted inverted indexes as plain numpy arrays, built and queried vectorised.

A term-major sparse matrix (row = term, columns = documents) lets a query
touch only the postings of its own terms: scoring gathers those postings with
one fancy index and sums them per document with one ``np.bincount``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int32]
_EMPTY = np.zeros(0, dtype=np.int32)


@dataclass(frozen=True, slots=True)
class InvertedIndex:
    indptr: npt.NDArray[np.int64]  # postings of term t: indptr[t]:indptr[t + 1]
    docs: IntArray
    weights: FloatArray
    idf: FloatArray
    df: npt.NDArray[np.int64]  # documents per term
    n_docs: int

    def score(self, rows: IntArray, factors: FloatArray) -> FloatArray:
        """Sum over query terms ``rows`` of ``factors[i]`` × the term's document weights."""
        if rows.size == 0:
            return np.zeros(self.n_docs, dtype=np.float32)
        starts = self.indptr[rows]
        lengths = self.indptr[rows + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(self.n_docs, dtype=np.float32)
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        postings = offsets + np.arange(total)
        weights = self.weights[postings] * np.repeat(factors, lengths)
        return np.bincount(self.docs[postings], weights=weights, minlength=self.n_docs).astype(
            np.float32
        )


def count_matrix(docs: Sequence[IntArray], n_terms: int) -> sparse.csr_matrix:
    """Term-major matrix of term counts: ``docs[d]`` lists the term ids of document d."""
    lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
    rows = np.concatenate(list(docs)) if docs else _EMPTY
    cols = np.repeat(np.arange(len(docs), dtype=np.int32), lengths)
    matrix = sparse.csr_matrix(
        (np.ones(rows.size, dtype=np.float32), (rows, cols)), shape=(n_terms, len(docs))
    )
    matrix.sum_duplicates()
    matrix.sort_indices()
    return matrix


def tfidf_index(docs: Sequence[IntArray], n_terms: int) -> InvertedIndex:
    """Sublinear TF × smooth IDF, each document L2-normalised: query · doc is a cosine."""
    counts = count_matrix(docs, n_terms)
    n = len(docs)
    df = np.diff(counts.indptr)
    idf = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
    term_of = np.repeat(np.arange(n_terms), df)
    data = (1.0 + np.log(counts.data)) * idf[term_of]
    norms = np.sqrt(np.bincount(counts.indices, weights=data * data, minlength=n))
    data = data / np.where(norms > 0, norms, 1.0)[counts.indices]
    return _finish(counts, data, idf)


def bm25_index(
    docs: Sequence[IntArray], n_terms: int, k1: float = 1.2, b: float = 0.5
) -> InvertedIndex:
    """Okapi BM25 document weights; a query sums them over its terms."""
    counts = count_matrix(docs, n_terms)
    n = len(docs)
    df = np.diff(counts.indptr)
    idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
    lengths = np.fromiter((len(d) for d in docs), dtype=np.float64, count=n)
    average = float(lengths.mean()) if n else 1.0
    term_of = np.repeat(np.arange(n_terms), df)
    tf = counts.data.astype(np.float64)
    norm = k1 * (1.0 - b + b * lengths[counts.indices] / (average or 1.0))
    data = idf[term_of] * tf * (k1 + 1.0) / (tf + norm)
    return _finish(counts, data, idf)


def _finish(
    counts: sparse.csr_matrix, data: npt.NDArray[np.float64], idf: FloatArray
) -> InvertedIndex:
    return InvertedIndex(
        indptr=counts.indptr.astype(np.int64),
        docs=counts.indices.astype(np.int32),
        weights=data.astype(np.float32),
        idf=idf,
        df=np.diff(counts.indptr).astype(np.int64),
        n_docs=counts.shape[1],
    )
