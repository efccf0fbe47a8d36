"""The loaded entries and their built lexical index, kept on disk between restarts.

Parsing 10,000 entry files and analysing their texts (lemmas, character
n-grams, answer terms) takes seconds; reading the arrays it produced takes a
fraction of one. ``KnowledgeBase`` keeps one snapshot file (``lexical.npz``)
beside its vector cache, keyed by the entry files' paths and modification
times (what a reload compares), the retrieval parameters, the analyser and
``VERSION``. Any difference and the base is built from the files as before,
and the snapshot written again. The file holds numpy arrays and one JSON
document, read without pickle; one that cannot be read is logged and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

import numpy as np

from knowledge._retrieval import Params, Retriever
from knowledge.analysis import Analyzer
from knowledge.entry import Entry
from knowledge.errors import EntryError
from knowledge.loader import LoadResult

log = logging.getLogger(__name__)

VERSION = 1  # raise when the index's layout or the text analysis changes
FILE_NAME = "lexical.npz"


def snapshot_key(stamps: Any, params: Params, analyzer: Analyzer) -> str:
    """A digest of what the built index depends on."""
    what = repr((VERSION, stamps, params, type(analyzer.lemmatizer).__qualname__))
    return hashlib.sha256(what.encode("utf-8", "surrogatepass")).hexdigest()


def save_snapshot(directory: Path, key: str, result: LoadResult, retriever: Retriever) -> None:
    """Write the snapshot atomically; a failure is logged and changes nothing."""
    arrays, words = retriever.state()
    document = {
        "key": key,
        "entries": [
            [e.id, e.title, e.answer, e.questions, e.tags, e.products, e.category, e.source]
            for e in result.entries
        ],
        "problems": [[p.source, p.reason] for p in result.problems],
        "words": words,
    }
    blob = np.frombuffer(
        json.dumps(document, ensure_ascii=False).encode("utf-8", "surrogatepass"), np.uint8
    )
    path = directory / FILE_NAME
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=directory, suffix=".npz.tmp")
    except OSError as exc:
        log.warning("FAQ index snapshot %s not saved: %s", path, exc)
        return
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(out, document=blob, **arrays)
        os.replace(temp, path)
    except OSError as exc:
        log.warning("FAQ index snapshot %s not saved: %s", path, exc)
        Path(temp).unlink(missing_ok=True)


def load_snapshot(
    directory: Path, key: str, analyzer: Analyzer, params: Params
) -> tuple[LoadResult, Retriever] | None:
    """The snapshot for ``key``, or None (absent, stale, or unreadable: logged)."""
    path = directory / FILE_NAME
    if not path.exists():
        return None
    try:
        with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as data:
            document = json.loads(data["document"].tobytes().decode("utf-8", "surrogatepass"))
            if document.get("key") != key:
                return None  # the files changed since: built anew, then saved again
            arrays = {name: data[name] for name in data.files if name != "document"}
        entries = tuple(
            Entry(
                id=i,
                title=title,
                answer=answer,
                questions=tuple(questions),
                tags=tuple(tags),
                products=tuple(products),
                category=category,
                source=source,
            )
            for i, title, answer, questions, tags, products, category, source in document["entries"]
        )
        problems = tuple(EntryError(source, reason) for source, reason in document["problems"])
        retriever = Retriever.restore(arrays, document["words"], analyzer, params)
    except (OSError, ValueError, KeyError, TypeError, UnicodeError, BadZipFile) as exc:
        log.warning("FAQ index snapshot %s unreadable (%s); building from the files", path, exc)
        return None
    if retriever.n_entries != len(entries):
        log.warning("FAQ index snapshot %s inconsistent; building from the files", path)
        return None
    return LoadResult(entries, problems), retriever
