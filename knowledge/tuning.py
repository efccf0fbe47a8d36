"""Choosing the fusion weights and the confidence threshold on labelled cases.

``python -m knowledge.tuning [--kb knowledge/faq] [--cases tests/knowledge/data/dev_set.csv]``

Two views of the knowledge base are scored: as written (several question
variants per entry) and *title only* (one question per entry, as an imported
table often has), so the choice does not lean on variants that paraphrase the
test questions. For each weight combination of a small grid every case is
ranked once; then 5-fold cross-validation picks the weights (best mean MRR
over both views) and the threshold (best utility: the share of in-FAQ cases
confidently answered right, minus the share confidently answered wrong, minus
the share of out-of-FAQ cases given a confident suggestion) on four folds and
measures the fifth. The figures printed
for the held-out folds are the honest estimate; the values refit on all cases
are what :mod:`knowledge._confidence` and :class:`knowledge._retrieval.Params`
ship.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge._retrieval import Params, Retriever
from knowledge.analysis import Analyzer
from knowledge.entry import Entry
from knowledge.evaluate import Case, read_cases
from knowledge.loader import load
from knowledge.morph import default_lemmatizer

GRID = {
    "bm25_w": (0.2, 0.35),
    "context_w": (0.15, 0.3),
    "missing_w": (0.0, 0.15, 0.3),
}
FOLDS = 5


@dataclass(frozen=True, slots=True)
class Ranked:
    expected: str | None
    ids: tuple[str, ...]
    top_score: float


def rank_all(entries: Sequence[Entry], cases: Sequence[Case], params: Params) -> list[Ranked]:
    retriever = Retriever(entries, Analyzer(default_lemmatizer()), params)
    ranked: list[Ranked] = []
    for case in cases:
        hits = retriever.search(case.query, 10)
        ids = tuple(entries[h.entry].id for h in hits)
        ranked.append(Ranked(case.expected, ids, hits[0].score if hits else 0.0))
    return ranked


def mrr(rows: Sequence[Ranked]) -> float:
    inside = [r for r in rows if r.expected is not None]
    total = sum(1.0 / (r.ids.index(r.expected) + 1) for r in inside if r.expected in r.ids)
    return total / len(inside) if inside else 0.0


def utility(rows: Sequence[Ranked], threshold: float) -> float:
    """Share of in-FAQ cases confidently answered right, minus the share confidently
    answered wrong, minus the share of out-of-FAQ cases given a confident suggestion."""
    inside = [r for r in rows if r.expected is not None]
    outside = [r for r in rows if r.expected is None]
    right = sum(r.top_score >= threshold and r.ids[:1] == (r.expected,) for r in inside)
    wrong = sum(r.top_score >= threshold and r.ids[:1] != (r.expected,) for r in inside)
    false = sum(r.top_score >= threshold for r in outside)
    return (right - wrong) / max(len(inside), 1) - false / max(len(outside), 1)


def best_threshold(rows: Sequence[Ranked]) -> float:
    candidates = sorted({round(r.top_score, 3) for r in rows} | {0.3, 1.5})
    return max(candidates, key=lambda t: (utility(rows, t), t))


def figures(rows: Sequence[Ranked], threshold: float) -> dict[str, float]:
    inside = [r for r in rows if r.expected is not None]
    outside = [r for r in rows if r.expected is None]
    n_in, n_out = max(len(inside), 1), max(len(outside), 1)
    return {
        "top1": sum(r.ids[:1] == (r.expected,) for r in inside) / n_in,
        "top3": sum(r.expected in r.ids[:3] for r in inside) / n_in,
        "coverage": sum(r.top_score >= threshold for r in inside) / n_in,
        "false": sum(r.top_score >= threshold for r in outside) / n_out,
        "precision": _precision(inside, threshold),
    }


def _precision(inside: Sequence[Ranked], threshold: float) -> float:
    shown = [r for r in inside if r.top_score >= threshold]
    return sum(r.ids[:1] == (r.expected,) for r in shown) / len(shown) if shown else 0.0


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m knowledge.tuning")
    parser.add_argument("--kb", type=Path, default=Path("knowledge/faq"))
    parser.add_argument("--cases", type=Path, default=Path("tests/knowledge/data/dev_set.csv"))
    parser.add_argument(
        "--semantic",
        action="store_true",
        help="tune the blend of lexical and embedding scores (knowledge.semantic)",
    )
    parser.add_argument(
        "--confidence",
        action="store_true",
        help="choose the confident threshold and margin of the fused score (30 %% removed too)",
    )
    parser.add_argument(
        "--report-on", type=Path, action="append", default=[], help="cases only reported on"
    )
    args = parser.parse_args(argv)
    if args.semantic:
        semantic_main(args.kb, args.cases, args.report_on)
        return
    if args.confidence:
        confidence_main(args.kb, args.cases, args.report_on)
        return
    entries = load(args.kb).entries
    cases, _ = read_cases(args.cases, entries)
    views = {
        "as written": list(entries),
        "title only": [dataclasses.replace(e, questions=()) for e in entries],
    }
    combos: list[dict[str, Any]] = [
        dict(zip(GRID, values, strict=True)) for values in itertools.product(*GRID.values())
    ]
    ranked: dict[int, dict[str, list[Ranked]]] = {}
    for number, combo in enumerate(combos):
        params = dataclasses.replace(Params(), **combo)
        ranked[number] = {name: rank_all(view, cases, params) for name, view in views.items()}
    order = list(range(len(cases)))
    random.Random(13).shuffle(order)
    folds = [set(order[i::FOLDS]) for i in range(FOLDS)]
    held: dict[str, list[Ranked]] = {name: [] for name in views}
    thresholds: list[float] = []
    for fold in folds:
        train = [i for i in range(len(cases)) if i not in fold]
        best = _best_combo(ranked, train)
        pooled = [row for rows in ranked[best].values() for row in (rows[i] for i in train)]
        threshold = best_threshold(pooled)
        thresholds.append(threshold)
        for name in views:
            held[name].extend(ranked[best][name][i] for i in fold)
    print(f"{len(cases)} cases, {len(entries)} entries, {len(combos)} weight combinations")
    print("5-fold cross-validation (each figure on folds not used to choose):")
    for name, rows in held.items():
        # Each held-out row was scored with its own fold's threshold; report with their mean.
        print(f"  {name:<11} {_fmt(figures(rows, sum(thresholds) / len(thresholds)))}")
    print(f"  thresholds chosen per fold: {', '.join(f'{t:.3f}' for t in thresholds)}")
    final = _best_combo(ranked, list(range(len(cases))))
    pooled = [row for rows in ranked[final].values() for row in rows]
    print(f"refit on all cases: {combos[final]}, confident ≥ {best_threshold(pooled):.3f}")


def _best_combo(ranked: dict[int, dict[str, list[Ranked]]], subset: list[int]) -> int:
    def quality(number: int) -> float:
        views = ranked[number].values()
        return sum(mrr([rows[i] for i in subset]) for rows in views) / len(ranked[number])

    return max(ranked, key=quality)


def _fmt(values: dict[str, float]) -> str:
    return "  ".join(f"{k} {v:.3f}" for k, v in values.items())


# -- the semantic blend (``--semantic``) --------------------------------------

BLEND_GRID = {
    "variant_w": (0.0, 1.0, 2.0, 3.0, 4.0),
    "answer_w": (0.0, 1.0, 2.0, 3.0),
    "base": (0.78, 0.8, 0.82, 0.84),
    "absent": (-0.3, -0.15, 0.0),
}


@dataclass(frozen=True, slots=True)
class Signals:
    """Per part of a case (the whole text, then its long sentences): lexical
    scores (NaN where the lexical ranker returned nothing) and the cosines."""

    expected: int | None  # entry index
    lexical: tuple[Any, ...]
    variant: tuple[Any, ...]
    answer: tuple[Any, ...]


def signals(kb: Any, cases: Sequence[Case]) -> list[Signals]:
    """Every case's signals from a ``KnowledgeBase`` with its vectors built."""
    import numpy as np

    from knowledge.base import LEXICAL_DEPTH
    from knowledge.semantic import sentences

    state = kb._state
    index = state.semantic
    position = {e.id: i for i, e in enumerate(state.entries)}
    rows: list[Signals] = []
    for case in cases:
        lexical, variant, answer = [], [], []
        for part in (case.query, *sentences(case.query)):
            lex = np.full(len(state.entries), np.nan, dtype=np.float32)
            for hit in state.retriever.search(part, LEXICAL_DEPTH):
                lex[hit.entry] = hit.score
            v, a = index.similarities(kb.embedder.query(part))
            lexical.append(lex)
            variant.append(v)
            answer.append(a)
        expected = position.get(case.expected) if case.expected else None
        rows.append(Signals(expected, tuple(lexical), tuple(variant), tuple(answer)))
    return rows


def blended(rows: Sequence[Signals], weights: dict[str, float]) -> list[Ranked]:
    import numpy as np

    from knowledge.semantic import Blend

    blend = Blend(**weights)
    ranked: list[Ranked] = []
    for row in rows:
        best = None
        for lex, var, ans in zip(row.lexical, row.variant, row.answer, strict=True):
            score = np.where(np.isnan(lex), blend.absent, lex) + blend.weigh(var, ans)
            best = score if best is None else np.maximum(best, score)
        assert best is not None
        order = np.argsort(-best, kind="stable")[:10]
        expected = None if row.expected is None else str(row.expected)
        ranked.append(Ranked(expected, tuple(str(i) for i in order), float(best[order[0]])))
    return ranked


def tune_blend(train: Sequence[Signals]) -> tuple[dict[str, float], float]:
    """The blend with the best MRR on ``train`` and its best threshold."""
    combos = [
        dict(zip(BLEND_GRID, values, strict=True))
        for values in itertools.product(*BLEND_GRID.values())
    ]
    best = max(combos, key=lambda c: (mrr(blended(train, c)), -c["variant_w"] - c["answer_w"]))
    return best, best_threshold(blended(train, best))


def semantic_main(kb_path: Path, tune_on: Path, report_on: Sequence[Path]) -> None:
    from knowledge.base import KnowledgeBase
    from knowledge.embedding import LocalE5

    kb = KnowledgeBase(kb_path, embedder=LocalE5(), vector_dir=kb_path / ".vectors")
    cases, _ = read_cases(tune_on, kb.entries)
    rows = signals(kb, cases)
    order = list(range(len(rows)))
    random.Random(13).shuffle(order)
    held: list[Ranked] = []
    thresholds: list[float] = []
    for k in range(FOLDS):
        fold = set(order[k::FOLDS])
        blend, threshold = tune_blend([rows[i] for i in order if i not in fold])
        thresholds.append(threshold)
        held.extend(blended([rows[i] for i in sorted(fold)], blend))
    mean = sum(thresholds) / len(thresholds)
    print(f"{tune_on}: {len(rows)} cases, 5-fold cross-validation of the blend")
    print(f"  held-out folds  {_fmt(figures(held, mean))}")
    blend, threshold = tune_blend(rows)
    print(f"refit on all of {tune_on.name}: {blend}, confident >= {threshold:.3f}")
    for path in report_on:
        other, _ = read_cases(path, kb.entries)
        ranked = blended(signals(kb, other), blend)
        print(f"  {path.name} (not used to choose)  {_fmt(figures(ranked, threshold))}")


# -- when a fused suggestion is confident (``--confidence``) -------------------
#
# A user is served by a confident suggestion of the right entry and misled by a
# confident wrong one; the worst wrong ones are for questions the FAQ does not
# answer, above all those whose entry is missing while its neighbours are there
# (a base that does not cover everything yet). So the rule is scored on the
# whole base (answered, out-of-FAQ questions shown something) and with 30 % of
# the entries removed, ``REMOVAL_SEEDS`` random removals (questions whose entry
# is gone shown something): ``answered − orphans − false``, the same weights
# as ``utility``. 5-fold cross-validation over the questions, then a refit.

CONFIDENCE_GRID = {
    "threshold": tuple(round(0.70 + 0.025 * i, 3) for i in range(11)),
    "margin": (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3),
}
REMOVED_SHARE = 0.3
REMOVAL_SEEDS = 10


def fused_scores(rows: Sequence[Signals], blend: Any) -> Any:
    """Every case's fused score of every entry (cases × entries), as ``suggest`` has it."""
    import numpy as np

    out = []
    for row in rows:
        best = None
        for lex, var, ans in zip(row.lexical, row.variant, row.answer, strict=True):
            score = np.where(np.isnan(lex), blend.absent, lex) + blend.weigh(var, ans)
            best = score if best is None else np.maximum(best, score)
        out.append(best)
    return np.asarray(out)


def _shown(scores: Any, threshold: float, margin: float) -> set[int]:
    """The entries ``suggest`` would mark confident among the first ``SHOWN``."""
    import numpy as np

    from knowledge.evaluate import SHOWN

    order = np.argsort(-scores, kind="stable")
    bar = threshold
    if margin and order.size > 1 and scores[order[0]] - scores[order[1]] < margin:
        bar = threshold + margin
    return {int(i) for i in order[:SHOWN] if scores[i] >= bar}


def rule_figures(
    scores: Any, expected: Sequence[int | None], rule: dict[str, float], seeds: Sequence[int]
) -> dict[str, float]:
    """answered, shown precision, out-of-FAQ shown, and shown for questions whose
    entry is among the 30 % removed (mean over the ``seeds`` removals)."""
    import numpy as np

    threshold, margin = rule["threshold"], rule["margin"]
    inside = answered = shown = right = outside = false = 0
    for case_scores, entry in zip(scores, expected, strict=True):
        found = _shown(case_scores, threshold, margin)
        inside += entry is not None
        answered += entry in found
        outside += entry is None
        false += entry is None and bool(found)
        shown += bool(found)
        right += entry in found
    orphans = wrong = 0
    n_entries = scores.shape[1] if len(scores) else 0
    for seed in seeds:
        gone = set(random.Random(seed).sample(range(n_entries), k=int(n_entries * REMOVED_SHARE)))
        keep = np.asarray([i not in gone for i in range(n_entries)])
        for case_scores, entry in zip(scores, expected, strict=True):
            if entry in gone:
                orphans += 1
                wrong += bool(_shown(np.where(keep, case_scores, -np.inf), threshold, margin))
    return {
        "answered": answered / max(inside, 1),
        "shown_precision": right / max(shown, 1),
        "false": false / max(outside, 1),
        "orphans_shown": wrong / max(orphans, 1),
    }


def _confidence_utility(figures: dict[str, float]) -> float:
    return figures["answered"] - figures["orphans_shown"] - figures["false"]


def tune_confidence(scores: Any, expected: Sequence[int | None]) -> dict[str, float]:
    seeds = range(REMOVAL_SEEDS)
    rules = [
        dict(zip(CONFIDENCE_GRID, values, strict=True))
        for values in itertools.product(*CONFIDENCE_GRID.values())
    ]
    return max(
        rules,
        key=lambda r: (
            _confidence_utility(rule_figures(scores, expected, r, seeds)),
            r["threshold"],
        ),
    )


def confidence_main(kb_path: Path, tune_on: Path, report_on: Sequence[Path]) -> None:
    from knowledge.base import KnowledgeBase
    from knowledge.embedding import LocalE5

    kb = KnowledgeBase(kb_path, embedder=LocalE5(), vector_dir=kb_path / ".vectors")
    cases, _ = read_cases(tune_on, kb.entries)
    rows = signals(kb, cases)
    scores = fused_scores(rows, kb.blend)
    expected = [r.expected for r in rows]
    order = list(range(len(rows)))
    random.Random(13).shuffle(order)
    print(f"{tune_on}: {len(rows)} cases, 5-fold cross-validation of the confidence rule")
    for k in range(FOLDS):
        fold = set(order[k::FOLDS])
        train = [i for i in order if i not in fold]
        rule = tune_confidence(scores[train], [expected[i] for i in train])
        test = sorted(fold)
        held = rule_figures(scores[test], [expected[i] for i in test], rule, range(REMOVAL_SEEDS))
        print(f"  fold {k}: chose {rule}, held out {_fmt(held)}")
    rule = tune_confidence(scores, expected)
    print(f"refit on all of {tune_on.name}: {rule}")
    for path in (tune_on, *report_on):
        other, _ = read_cases(path, kb.entries)
        other_rows = signals(kb, other)
        other_scores, other_expected = (
            fused_scores(other_rows, kb.blend),
            [r.expected for r in other_rows],
        )
        one = rule_figures(other_scores, other_expected, rule, [5])
        many = rule_figures(other_scores, other_expected, rule, range(20))
        print(
            f"  {path.name}: {_fmt(one)} (removal seed 5, as the bench); "
            f"orphans shown over 20 removals {many['orphans_shown']:.3f}"
        )


if __name__ == "__main__":
    main()
