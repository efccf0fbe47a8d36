"""What makes a large FAQ fast (issue 16): the index snapshot a restart reads
instead of the files, the vector cache as one array (a broken one rebuilt), and
the coarse pass before exact scoring. Each must change nothing a user sees."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from knowledge._snapshot import FILE_NAME
from knowledge.base import KnowledgeBase
from knowledge.embedding import LocalE5, VectorCache, Vectors, text_key
from knowledge.evaluate import read_cases
from knowledge.morph import Lemmatizer
from knowledge.semantic import SemanticIndex
from tests.knowledge.conftest import MINI_KB

DATA = Path(__file__).parent / "data"
STARTER = Path(__file__).parents[2] / "knowledge" / "faq"
QUERIES = [
    "у меня реализация не проводится, ошибка",
    "провел документ а проводок нету",
    "ytn ghjdjlrb",
    "забыла пароль",
    "где осв по счету 60",
    "как уволить сотрудника",
]


@pytest.fixture(scope="module")
def e5() -> LocalE5:
    return LocalE5()


def answers(kb: KnowledgeBase) -> list[list[tuple[str, float, bool]]]:
    return [[(s.entry.id, round(s.score, 5), s.confident) for s in kb.suggest(q)] for q in QUERIES]


def test_a_restart_reads_the_index_snapshot_and_answers_the_same(
    kb_dir: Path, tmp_path: Path, lemmatizer: Lemmatizer, caplog: pytest.LogCaptureFixture
) -> None:
    (kb_dir / "broken.md").write_text("---\nid: [\n---\nтекст\n", encoding="utf-8")
    index = tmp_path / "index"
    built = KnowledgeBase(kb_dir, lemmatizer=lemmatizer, index_dir=index, snapshot_from=1)
    assert (index / FILE_NAME).exists()
    with caplog.at_level(logging.INFO, logger="knowledge.base"):
        restarted = KnowledgeBase(kb_dir, lemmatizer=lemmatizer, index_dir=index, snapshot_from=1)
    assert "from its snapshot" in caplog.text
    assert restarted.entries == built.entries
    assert [p.source for p in restarted.problems] == [p.source for p in built.problems]
    assert answers(restarted) == answers(built)
    assert answers(built) == answers(KnowledgeBase(kb_dir, lemmatizer=lemmatizer))


def test_an_edit_after_the_snapshot_is_seen_at_the_next_start(
    kb_dir: Path, tmp_path: Path, lemmatizer: Lemmatizer
) -> None:
    index = tmp_path / "index"
    KnowledgeBase(kb_dir, lemmatizer=lemmatizer, index_dir=index, snapshot_from=1)
    entry = kb_dir / "forgot-password.md"
    text = entry.read_text(encoding="utf-8")
    entry.write_text(text.replace("- ", "- как сбросить пинкод терминала\n- ", 1), encoding="utf-8")
    restarted = KnowledgeBase(kb_dir, lemmatizer=lemmatizer, index_dir=index, snapshot_from=1)
    assert restarted.suggest("сбросить пинкод терминала")[0].entry.id == "forgot-password"
    (kb_dir / "upd-print.md").unlink()
    again = KnowledgeBase(kb_dir, lemmatizer=lemmatizer, index_dir=index, snapshot_from=1)
    assert again.get("upd-print") is None


def test_a_corrupt_snapshot_is_logged_and_the_base_built_from_its_files(
    kb_dir: Path, tmp_path: Path, lemmatizer: Lemmatizer, caplog: pytest.LogCaptureFixture
) -> None:
    index = tmp_path / "index"
    built = KnowledgeBase(kb_dir, lemmatizer=lemmatizer, index_dir=index, snapshot_from=1)
    data = (index / FILE_NAME).read_bytes()
    (index / FILE_NAME).write_bytes(data[: len(data) // 2])
    with caplog.at_level(logging.WARNING):
        restarted = KnowledgeBase(kb_dir, lemmatizer=lemmatizer, index_dir=index, snapshot_from=1)
    assert "snapshot" in caplog.text
    assert "unreadable" in caplog.text
    assert answers(restarted) == answers(built)
    with caplog.at_level(logging.INFO, logger="knowledge.base"):
        caplog.clear()
        KnowledgeBase(kb_dir, lemmatizer=lemmatizer, index_dir=index, snapshot_from=1)
    assert "from its snapshot" in caplog.text  # written again


class Counting:
    def __init__(self, inner: LocalE5) -> None:
        self.inner, self.name, self.dim, self.embedded = inner, inner.name, inner.dim, 0

    def passages(self, texts: list[str]) -> np.ndarray:  # type: ignore[type-arg]
        self.embedded += len(texts)
        return self.inner.passages(texts)

    def query(self, text: str) -> np.ndarray:  # type: ignore[type-arg]
        return self.inner.query(text)


def _kb(path: Path, vectors: Path, embedder: Counting, lemmatizer: Lemmatizer) -> KnowledgeBase:
    return KnowledgeBase(path, lemmatizer=lemmatizer, embedder=embedder, vector_dir=vectors)


def test_a_truncated_vector_cache_is_logged_rebuilt_and_loses_nothing(
    e5: LocalE5, tmp_path: Path, lemmatizer: Lemmatizer, caplog: pytest.LogCaptureFixture
) -> None:
    vectors = tmp_path / "vectors"
    first = Counting(e5)
    before = answers(_kb(MINI_KB, vectors, first, lemmatizer))
    (cache,) = vectors.glob("*.npy")
    cache.write_bytes(cache.read_bytes()[:5000])
    again = Counting(e5)
    with caplog.at_level(logging.WARNING, logger="knowledge.embedding"):
        kb = _kb(MINI_KB, vectors, again, lemmatizer)
    assert str(cache) in caplog.text
    assert "unreadable" in caplog.text
    assert again.embedded == first.embedded  # every text embedded anew
    assert answers(kb) == before
    third = Counting(e5)
    _kb(MINI_KB, vectors, third, lemmatizer)
    assert third.embedded == 0  # and the rebuilt cache was written whole


def test_damaged_rows_of_the_vector_cache_are_embedded_again(
    e5: LocalE5, tmp_path: Path, lemmatizer: Lemmatizer, caplog: pytest.LogCaptureFixture
) -> None:
    vectors = tmp_path / "vectors"
    before = answers(_kb(MINI_KB, vectors, Counting(e5), lemmatizer))
    (cache,) = vectors.glob("*.npy")
    records = np.load(cache)
    records["vector"][[0, 3]] = 7.0  # two rows overwritten, the file still well-formed
    np.save(cache, records)
    again = Counting(e5)
    with caplog.at_level(logging.WARNING, logger="knowledge.embedding"):
        kb = _kb(MINI_KB, vectors, again, lemmatizer)
    assert "2 rows are not unit vectors" in caplog.text
    assert again.embedded == 2
    assert answers(kb) == before


def test_the_earlier_npz_cache_is_read_without_embedding_and_converted(
    e5: LocalE5, tmp_path: Path, lemmatizer: Lemmatizer
) -> None:
    vectors = tmp_path / "vectors"
    before = answers(_kb(MINI_KB, vectors, Counting(e5), lemmatizer))
    (cache,) = vectors.glob("*.npy")
    records = np.load(cache)
    np.savez(
        cache.with_suffix(".npz"),
        keys=np.asarray([k.decode() for k in records["key"]], dtype="U32"),
        vectors=records["vector"],
    )
    cache.unlink()
    again = Counting(e5)
    kb = _kb(MINI_KB, vectors, again, lemmatizer)
    assert again.embedded == 0
    assert answers(kb) == before
    assert cache.exists()
    assert not cache.with_suffix(".npz").exists()


class _Remembering:
    """The model, each question encoded once (both passes below ask the same ones)."""

    def __init__(self, model: LocalE5) -> None:
        self.name, self.dim, self._model = model.name, model.dim, model
        self._queries: dict[str, Vectors] = {}

    def passages(self, texts: Sequence[str]) -> Vectors:
        return self._model.passages(texts)

    def query(self, text: str) -> Vectors:
        if text not in self._queries:
            self._queries[text] = self._model.query(text)
        return self._queries[text]


@pytest.mark.slow
def test_the_coarse_pass_keeps_the_top_entries_of_scoring_every_row(
    e5: LocalE5, lemmatizer: Lemmatizer
) -> None:
    """On the starter base (80 entries), a coarse pass keeping only 12 entries
    (plus the lexical hits) gives every dev and blind question the same top 3,
    in the same order and with the same scores, as scoring every row."""
    e5 = _Remembering(e5)  # type: ignore[assignment]
    kb = KnowledgeBase(STARTER, lemmatizer=lemmatizer, embedder=e5, vector_dir=STARTER / ".vectors")
    cache = VectorCache(STARTER / ".vectors", e5.name)
    state = kb._state
    full = SemanticIndex(state.entries, e5, cache, coarse_from=10**9)
    coarse = SemanticIndex(state.entries, e5, cache, coarse_from=0, coarse_k=12)
    assert coarse.coarse
    assert not full.coarse
    assert full.embedded == coarse.embedded == 0
    queries = [
        c.query
        for name in ("dev_set.csv", "blind_set.csv")
        for c in read_cases(DATA / name, state.entries)[0]
    ]
    ranked = {}
    for index in (full, coarse):
        kb._state = dataclasses.replace(state, semantic=index)
        ranked[index.coarse] = [
            [(s.entry.id, round(s.score, 4)) for s in kb.suggest(q, 3)] for q in queries
        ]
    assert len(queries) > 600
    assert ranked[True] == ranked[False]


def test_vectors_are_keyed_by_text_in_the_cache_file(e5: LocalE5, tmp_path: Path) -> None:
    cache = VectorCache(tmp_path, e5.name)
    matrix, embedded = cache.vectors(["первая строка", "вторая строка"], e5)
    cache.save()
    records = np.load(tmp_path / cache.path.name)  # type: ignore[union-attr]
    assert embedded == 2
    assert sorted(records["key"].tolist()) == sorted(
        text_key(t).encode() for t in ("первая строка", "вторая строка")
    )
    again, embedded = VectorCache(tmp_path, e5.name).vectors(["вторая строка"], e5)
    assert embedded == 0
    assert np.array_equal(again[0], matrix[1])
