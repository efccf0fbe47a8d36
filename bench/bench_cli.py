"""Wall time of `supportdesk` commands, each a fresh process as an admin runs it.

Targets (issue 11): ``--help``, ``sla due``, ``sla hours``, ``config check``
each <= 0.5 s; ``faq suggest`` on the starter base <= 1.5 s.  Each command
runs RUNS times; the median and the slowest are printed.  The machine
should be idle: these are wall times.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "config.example.toml")
RUNS = 7

COMMANDS: list[tuple[str, list[str], float]] = [
    ("--help", ["--help"], 0.5),
    ("sla due", ["sla", "due", "--config", EXAMPLE, "--schedule", "office",
                 "--from", "2026-05-01T17:00", "--minutes", "90"], 0.5),
    ("sla hours", ["sla", "hours", "--config", EXAMPLE, "--schedule", "office",
                   "--month", "2026-05"], 0.5),
    ("config check", ["config", "check", EXAMPLE], 0.5),
    ("faq suggest", ["faq", "suggest", "не", "проводится", "реализация"], 1.5),
]  # fmt: skip


def _wall(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> None:
    baseline = statistics.median(_wall_python() for _ in range(RUNS))
    print(f"bare interpreter start: median {baseline:.3f} s")
    print(f"{'command':<14} {'median':>8} {'slowest':>8} {'target':>7}  ok")
    for name, args, target in COMMANDS:
        times = [_wall(args) for _ in range(RUNS)]
        median = statistics.median(times)
        mark = "yes" if median <= target else "NO"
        print(f"{name:<14} {median:>7.3f}s {max(times):>7.3f}s {target:>6.1f}s  {mark}")


def _wall_python() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
