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
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge.analysis import Analyzer
from knowledge.confidence import DEFAULT_THRESHOLDS, Thresholds
from knowledge.entry import Entry
from knowledge.errors import EntryError, KnowledgeError
from knowledge.loader import entry_paths, load
from knowledge.morph import Lemmatizer, default_lemmatizer
from knowledge.retrieval import Params, Retriever


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
    ) -> None:
        self.path = path
        self.thresholds = thresholds
        self.params = params
        self.analyzer = Analyzer(lemmatizer or default_lemmatizer())
        self.check_interval = check_interval
        self.deep_interval = deep_interval
        self.last_error: KnowledgeError | None = None
        self._clock = clock
        self._state = self._build()
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

    def suggest(self, text: str, limit: int = 3) -> list[Suggestion]:
        """Up to ``limit`` entries for ``text``, best first, each flagged confident or not."""
        self._maybe_reload()
        state = self._state
        hits = state.retriever.search(text, limit)
        return [
            Suggestion(state.entries[h.entry], h.score, h.score >= self.thresholds.confident)
            for h in hits
            if h.score >= self.thresholds.floor
        ]

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
            self._state = self._build()
        except (KnowledgeError, OSError) as exc:
            self.last_error = exc if isinstance(exc, KnowledgeError) else KnowledgeError(str(exc))
            return False
        self.last_error = None
        return True

    def _build(self) -> _State:
        shallow, deep = _fingerprints(self.path)
        result = load(self.path)
        retriever = Retriever(result.entries, self.analyzer, self.params)
        return _State(
            entries=result.entries,
            problems=result.problems,
            by_id={e.id: e for e in result.entries},
            retriever=retriever,
            shallow=shallow,
            deep=deep,
        )


def _shallow(path: Path) -> tuple[tuple[str, int], ...]:
    """Modification times of the directories (or of the single file)."""
    if not path.is_dir():
        return _stat_all([path])
    dirs = [path, *(p for p in path.rglob("*") if p.is_dir())] if _has_subdirs(path) else [path]
    return _stat_all(dirs)


def _fingerprints(path: Path) -> tuple[tuple[tuple[str, int], ...], tuple[tuple[str, int], ...]]:
    deep = _stat_all(entry_paths(path)) if path.is_dir() else ()
    return _shallow(path), deep


def _has_subdirs(path: Path) -> bool:
    with os.scandir(path) as it:
        return any(e.is_dir() for e in it)


def _stat_all(paths: Sequence[Path | str]) -> tuple[tuple[str, int], ...]:
    stamps: list[tuple[str, int]] = []
    for p in paths:
        try:
            stamps.append((str(p), os.stat(p).st_mtime_ns))
        except OSError:
            stamps.append((str(p), -1))
    return tuple(stamps)
