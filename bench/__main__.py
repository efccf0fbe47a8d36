"""Run every benchmark module in bench/ (or those named on the command line).

Each module exposes ``main() -> None`` that prints its own figures.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import bench

# Run only when named (or by their own make target): bench_chaos needs root and
# takes minutes (`make chaos`).
SEPARATE = {"bench_chaos"}


def main(argv: list[str]) -> int:
    names = argv or sorted(
        m.name
        for m in pkgutil.iter_modules(bench.__path__)
        if m.name.startswith("bench_") and m.name not in SEPARATE
    )
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"=== {name} ===", flush=True)
        started = time.perf_counter()
        module.main()
        print(f"--- {name}: {time.perf_counter() - started:.1f} s\n", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
