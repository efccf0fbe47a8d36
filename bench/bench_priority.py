"""How well ``desk.intake.guess`` reads a request's urgency, on a labelled set.

``tests/desk/data/priority_set.csv`` (text, priority, part): Russian requests
labelled by the contract's definitions (ARCHITECTURE.md, "Domain"), written
before the rules were tuned. ``tuning`` is what the rules were tuned on;
``held_out`` was written separately in another style (long rambling
messages, typos, few keywords) and never tuned on. For each part: accuracy,
and recall and precision of P1 and P2 (the ones a wrong guess costs most).

    make bench ARGS=bench_priority
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from desk.enums import Priority
from desk.intake import guess

DATA = Path(__file__).parents[1] / "tests" / "desk" / "data" / "priority_set.csv"
PARTS = ("tuning", "held_out")


@dataclass(frozen=True)
class Example:
    text: str
    priority: Priority
    part: str


@dataclass(frozen=True)
class Scores:
    count: int
    accuracy: float
    recall: dict[Priority, float]
    precision: dict[Priority, float]
    misses: tuple[tuple[Example, Priority], ...]


def load(path: Path = DATA) -> list[Example]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            Example(row["text"], Priority(int(row["priority"])), row["part"])
            for row in csv.DictReader(fh)
        ]


def score(examples: list[Example]) -> Scores:
    guessed = [(e, guess(e.text).priority) for e in examples]
    right = sum(e.priority is g for e, g in guessed)
    recall, precision = {}, {}
    for p in (Priority.CRITICAL, Priority.HIGH):
        labelled = [g for e, g in guessed if e.priority is p]
        said = [e for e, g in guessed if g is p]
        recall[p] = sum(g is p for g in labelled) / len(labelled) if labelled else 0.0
        precision[p] = sum(e.priority is p for e in said) / len(said) if said else 0.0
    misses = tuple((e, g) for e, g in guessed if e.priority is not g)
    return Scores(len(examples), right / len(examples), recall, precision, misses)


def by_part(examples: list[Example]) -> dict[str, Scores]:
    return {part: score([e for e in examples if e.part == part]) for part in PARTS}


def main(show_misses: bool = True) -> None:
    examples = load()
    print(f"{len(examples)} labelled requests ({DATA.name})")
    for part, s in by_part(examples).items():
        print(
            f"{part:9} n={s.count:3}  accuracy {s.accuracy:6.1%}  "
            f"P1 recall {s.recall[Priority.CRITICAL]:6.1%} precision "
            f"{s.precision[Priority.CRITICAL]:6.1%}  "
            f"P2 recall {s.recall[Priority.HIGH]:6.1%} precision {s.precision[Priority.HIGH]:6.1%}"
        )
        if show_misses:
            for e, g in s.misses:
                print(f"    P{int(e.priority)} guessed P{int(g)}: {e.text}")


if __name__ == "__main__":
    main()
