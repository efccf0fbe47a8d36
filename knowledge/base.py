"""The knowledge base the bot uses: load once, suggest, reload when files change.

::

    kb = KnowledgeBase(Path("knowledge/faq"))
    for s in kb.suggest("не проводится документ", limit=3):
        s.entry.id, s.score, s.confident

``suggest`` looks for changes at most once per ``check_interval`` seconds: it
compares directory modification times (files added, removed or renamed —
:func:`knowledge.writer.save_entry` writes that way) and, at most once per
``deep_interval`` seconds, every file's modification time (edits in place).
A reload rebuilds the index and swaps it in whole; if the new version cannot
be read at all, the old one stays and the error is kept in ``last_error``.

With an ``embedder`` the ranking also weighs meaning (``knowledge.semantic``):
the lexical score and the embedding similarities are fused, a long message is
matched sentence by sentence too, and ``Thresholds.fused`` decides what is
confident. The entries' vectors come from a ``VectorCache`` (``vector_dir``);
with ``background=True`` (the bot) they are built in a thread and swapped in
when ready, the lexical engine answering alone until then, so a cold start
or a reload never makes a user wait.

The parsed entries and their lexical index are also kept on disk, in
``index_dir`` (by default the vector directory), for a base of
``snapshot_from`` entries or more (``knowledge._snapshot``): a restart of an
unchanged base reads them instead of parsing and analysing every file.

``set_feedback`` and ``add_feedback`` tell it what users did with its
suggestions (``knowledge._feedback``): an entry users keep rejecting for a kind
of query is held below the confidence threshold for queries like those.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge._confidence import DEFAULT_THRESHOLDS, Thresholds
from knowledge._feedback import DEMOTION, Feedback, Pair
from knowledge._retrieval import Params, Retriever
from knowledge._snapshot import load_snapshot, save_snapshot, snapshot_key
from knowledge.analysis import Analyzer
from knowledge.embedding import Embedder, EmbeddingUnavailable, VectorCache, Vectors
from knowledge.entry import Entry
from knowledge.errors import EntryError, KnowledgeError
from knowledge.loader import LoadResult, entry_paths, load
from knowledge.morph import Lemmatizer, default_lemmatizer
from knowledge.semantic import Blend, SemanticIndex, semantic_part, sentences

log = logging.getLogger(__name__)
LEXICAL_DEPTH = 50  # lexical hits fused with the semantic scores
DEMOTION_DEPTH = 5  # entries past ``limit`` that may move up when one above is demoted
SNAPSHOT_FROM = 1000  # entries; a smaller base builds in well under a second
_Stamps = tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Suggestion:
    entry: Entry
    score: float
    confident: bool


@dataclass(frozen=True, slots=True)
class _State:
    entries: tuple[Entry, ...]
    problems: tuple[EntryError, ...]
    by_id: dict[str, Entry]
    retriever: Retriever
    shallow: tuple[tuple[str, int], ...]
    deep: tuple[tuple[str, int], ...]
    semantic: SemanticIndex | None = None


class KnowledgeBase:
    """FAQ entries from a directory of ``*.md`` files or a CSV/XLSX file."""

    def __init__(
        self,
        path: Path,
        *,
        thresholds: Thresholds = DEFAULT_THRESHOLDS,
        params: Params | None = None,
        lemmatizer: Lemmatizer | None = None,
        check_interval: float = 1.0,
        deep_interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        embedder: Embedder | None = None,
        vector_dir: Path | None = None,
        blend: Blend | None = None,
        background: bool = False,
        index_dir: Path | None = None,
        snapshot_from: int = SNAPSHOT_FROM,
    ) -> None:
        self.path = path
        self.thresholds = thresholds
        self.params = params
        self.embedder = embedder
        self.blend = blend or Blend()
        self._cache = VectorCache(vector_dir, embedder.name) if embedder else None
        self.index_dir = index_dir if index_dir is not None else vector_dir
        self.snapshot_from = snapshot_from
        self._background = background
        self._building = threading.Lock()
        self.analyzer = Analyzer(lemmatizer or default_lemmatizer())
        self.feedback = Feedback(self.analyzer, embedder)
        self.check_interval = check_interval
        self.deep_interval = deep_interval
        self.last_error: KnowledgeError | None = None
        self._clock = clock
        self._adopt(self._build())
        self._checked = self._deep_checked = clock()

    @property
    def entries(self) -> tuple[Entry, ...]:
        return self._state.entries

    @property
    def problems(self) -> tuple[EntryError, ...]:
        """Entries that could not be loaded (file or row, and why)."""
        return self._state.problems

    def get(self, entry_id: str) -> Entry | None:
        return self._state.by_id.get(entry_id)

    @property
    def semantic_ready(self) -> bool:
        """Whether meaning is weighed now (an embedder is set and the vectors are built)."""
        return self._state.semantic is not None

    def suggest(self, text: str, limit: int = 3) -> list[Suggestion]:
        """Up to ``limit`` entries for ``text``, best first, each flagged confident or not."""
        self._maybe_reload()
        state = self._state
        feedback = self.feedback.active
        depth = limit + DEMOTION_DEPTH if feedback else limit
        ranked: list[tuple[int, float]] | None = None
        vector: Vectors | None = None
        threshold = self.thresholds.confident
        margin = 0.0
        if state.semantic is not None:
            fused = self._fused(state, state.semantic, text, max(depth, 2))
            if fused is not None:
                (ranked, vector), threshold = fused, self.thresholds.fused
                margin = self.thresholds.fused_margin
        if ranked is None:
            ranked = [
                (h.entry, h.score)
                for h in state.retriever.search(text, depth)
                if h.score >= self.thresholds.floor
            ]
        if feedback:
            ranked = self._demote(state, text, ranked, vector, threshold)
        # A close second: the question may be one neither entry answers (its own
        # entry missing), so the bar is raised by the margin (``Thresholds``).
        bar = threshold
        if margin and len(ranked) > 1 and ranked[0][1] - ranked[1][1] < margin:
            bar = threshold + margin
        return [Suggestion(state.entries[i], score, score >= bar) for i, score in ranked[:limit]]

    def _fused(
        self, state: _State, index: SemanticIndex, text: str, limit: int
    ) -> tuple[list[tuple[int, float]], Vectors] | None:
        """The best entries by fused score, and the query's vector; None when the
        embedder is out (the lexical ranking answers alone)."""
        best = np.full(len(state.entries), -np.inf, dtype=np.float32)
        whole: Vectors | None = None
        for part in (text, *sentences(text)):
            try:
                vector = index.embedder.query(part)
            except EmbeddingUnavailable:
                return None
            whole = vector if whole is None else whole
            lexical = np.full(len(state.entries), self.blend.absent, dtype=np.float32)
            hits = state.retriever.search(part, LEXICAL_DEPTH)
            found = np.fromiter((h.entry for h in hits), dtype=np.int32, count=len(hits))
            lexical[found] = [h.score for h in hits]
            semantic = semantic_part(index, vector, self.blend, found)
            best = np.maximum(best, lexical + semantic)
        assert whole is not None
        order = np.argsort(-best, kind="stable")[:limit]
        order = order[np.isfinite(best[order])]  # left out by the coarse pass
        return [(i, float(best[i])) for i in order.tolist()], whole

    def _demote(
        self,
        state: _State,
        text: str,
        ranked: list[tuple[int, float]],
        vector: Vectors | None,
        threshold: float,
    ) -> list[tuple[int, float]]:
        """Entries users rejected for queries like this one sink below ``threshold``
        (``knowledge._feedback``)."""
        ids = [state.entries[i].id for i, _ in ranked]
        demoted = self.feedback.demoted(text, ids, vector)
        if not demoted:
            return ranked
        lowered = [
            (i, min(score, threshold) - DEMOTION if state.entries[i].id in demoted else score)
            for i, score in ranked
        ]
        return sorted(lowered, key=lambda pair: -pair[1])

    def set_feedback(self, rejections: Iterable[Pair], helped: Iterable[Pair]) -> None:
        """What users did with the suggestions, ``(query, entry id)`` pairs, replacing
        what was known: an entry often rejected for a kind of query is demoted for it."""
        self.feedback.replace(rejections, helped)

    def add_feedback(self, query: str, entry_id: str, *, helped: bool) -> None:
        """One press («Помогло»: ``helped``; «Не то»: not), as it happens."""
        self.feedback.add(query, entry_id, helped=helped)

    def confident(self, text: str, limit: int = 3) -> list[Suggestion]:
        """Only the suggestions worth showing to a user."""
        return [s for s in self.suggest(text, limit) if s.confident]

    def reload_if_changed(self) -> bool:
        """Reload now if any file was added, removed or modified; True when reloaded."""
        shallow, deep = _fingerprints(self.path)
        if shallow == self._state.shallow and deep == self._state.deep:
            return False
        return self._reload()

    def reload(self) -> bool:
        return self._reload()

    def _maybe_reload(self) -> None:
        now = self._clock()
        if now - self._checked < self.check_interval:
            return
        self._checked = now
        if now - self._deep_checked >= self.deep_interval:
            self._deep_checked = now
            self.reload_if_changed()
        elif _shallow(self.path) != self._state.shallow:
            self._reload()

    def _reload(self) -> bool:
        try:
            state = self._build()
        except (KnowledgeError, OSError) as exc:
            self.last_error = exc if isinstance(exc, KnowledgeError) else KnowledgeError(str(exc))
            return False
        self._adopt(state)
        self.last_error = None
        return True

    def _adopt(self, state: _State) -> None:
        """Answer from ``state`` now; its vectors follow in the background. The thread
        starts only once ``state`` is the current one: started earlier, a warm cache
        let it finish first and find no state (or the old one) to put the vectors in."""
        self._state = state
        if self.embedder is not None and state.semantic is None:
            threading.Thread(target=self._index_later, args=(state,), daemon=True).start()

    def _build(self) -> _State:
        shallow, deep = _fingerprints(self.path)
        result, retriever = self._load(shallow, deep)
        state = _State(
            entries=result.entries,
            problems=result.problems,
            by_id={e.id: e for e in result.entries},
            retriever=retriever,
            shallow=shallow,
            deep=deep,
        )
        if self.embedder is not None and not self._background:
            return dataclasses.replace(state, semantic=self._index(state.entries))
        # In the background (``_adopt``), until the new vectors are in the lexical
        # engine answers alone (the old index's rows would not match the new
        # entries); with the cache warm that is the time to embed what changed.
        return state

    def _load(self, shallow: _Stamps, deep: _Stamps) -> tuple[LoadResult, Retriever]:
        """Entries and their lexical index: from the snapshot when the files are
        those it was made from (``knowledge._snapshot``), else built and saved."""
        params = self.params or Params()
        # a directory's own time changes with its files (in ``deep``) and when
        # ``.vectors`` is first made (which changes no entry)
        key = snapshot_key((str(self.path), deep or shallow), params, self.analyzer)
        if self.index_dir is not None:
            found = load_snapshot(self.index_dir, key, self.analyzer, params)
            if found is not None:
                log.info("FAQ index read from its snapshot: %d entries", len(found[0].entries))
                return found
        result = load(self.path)
        retriever = Retriever(result.entries, self.analyzer, self.params)
        if self.index_dir is not None and len(result.entries) >= self.snapshot_from:
            save_snapshot(self.index_dir, key, result, retriever)
        return result, retriever

    def _index(self, entries: tuple[Entry, ...]) -> SemanticIndex:
        assert self.embedder is not None
        assert self._cache is not None
        with self._building:  # one build at a time shares the cache
            started = time.perf_counter()
            index = SemanticIndex(entries, self.embedder, self._cache)
        log.info(
            "FAQ vectors ready: %d entries, %d texts embedded now, %.1f s",
            len(entries),
            index.embedded,
            time.perf_counter() - started,
        )
        return index

    def _index_later(self, state: _State) -> None:
        try:
            index = self._index(state.entries)
        except Exception:  # the lexical engine keeps answering
            log.exception("building the FAQ vectors failed; matching on words only")
            return
        if self._state.entries is state.entries:  # not replaced by a newer reload meanwhile
            self._state = dataclasses.replace(self._state, semantic=index)

    def wait_semantic(self, timeout: float = 60.0) -> bool:
        """Wait until the vectors are in (tests, ``faq`` commands); True if they are."""
        deadline = time.monotonic() + timeout
        while self._state.semantic is None and self.embedder is not None:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return self._state.semantic is not None


def _shallow(path: Path) -> tuple[tuple[str, int], ...]:
    """Modification times of the directories (or of the single file)."""
    if not path.is_dir():
        return _stat_all([path])
    dirs = [path, *_subdirs(path)] if _has_subdirs(path) else [path]
    return _stat_all(dirs)


def _fingerprints(path: Path) -> tuple[tuple[tuple[str, int], ...], tuple[tuple[str, int], ...]]:
    deep = _stat_all(entry_paths(path)) if path.is_dir() else ()
    return _shallow(path), deep


def _subdirs(path: Path) -> list[Path]:
    """Subdirectories holding entries (not hidden ones such as ``.vectors``)."""
    return [
        p
        for p in path.rglob("*")
        if p.is_dir() and not any(part.startswith(".") for part in p.relative_to(path).parts)
    ]


def _has_subdirs(path: Path) -> bool:
    with os.scandir(path) as it:
        return any(e.is_dir() and not e.name.startswith(".") for e in it)


def _stat_all(paths: Sequence[Path | str]) -> tuple[tuple[str, int], ...]:
    stamps: list[tuple[str, int]] = []
    for p in paths:
        try:
            stamps.append((str(p), os.stat(p).st_mtime_ns))
        except OSError:
            stamps.append((str(p), -1))
    return tuple(stamps)
