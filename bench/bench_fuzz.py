"""Property-based fuzzing of incoming updates (issue 17): 10,000+ generated updates of
every kind the bot meets, through the real dispatcher and database; then a checker of
invariants over the database.

What is fed (``bench/fuzz.py``, hypothesis draws the steps): users' messages with odd
Unicode (RTL marks, zero-width, lone surrogates, huge and empty texts), commands with
garbage arguments, captions and media without text, kinds the bot does not take,
strangers and unknown chats, forged callback data of every family in
``bot/callbacks.py`` and real buttons pressed (on messages gone or inline too), edited
messages, members leaving and joining, users blocking the bot, topics closed and
deleted under the bot, staff-group messages in topics, in threads no ticket has and as
replies, raw updates aiogram cannot read or does not know, re-deliveries, bursts, and
MAX-shaped updates through ``bot/channels/max_updates.py``. The outbox sender and the
background jobs run beside, delivering to the sandbox.

Printed: updates fed by kind and the time; unreadable updates set aside and
re-deliveries skipped; refusals and stale presses the product answered; unhandled
exceptions (anything logged at ERROR, with the step that caused it); rows checked by
table and the problems found (an inconsistent row, a message to a chat that should not
get it). Fails (exit 1) on any exception or problem.

    make bench ARGS=bench_fuzz
    UPDATES=10000 SEED=1 FUZZ_DB=postgresql+asyncpg://…/empty_db  (a migrated, empty database)
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bench.fuzz import run

UPDATES = int(os.environ.get("UPDATES", "10000"))
SEED = int(os.environ.get("SEED", "1"))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        outcome = run(
            Path(tmp),
            updates=UPDATES,
            seed=SEED,
            database_url=os.environ.get("FUZZ_DB") or None,
            progress=True,
        )
    print(outcome.figures)
    for error in outcome.errors[:30]:
        print("ERROR", error)
    for culprit in outcome.culprits:
        print("STEP", culprit)
    for where, trace in list(outcome.traces.items())[:5]:
        print("TRACE", where, trace, sep="\n")
    for problem in [*outcome.findings.problems, *outcome.strangers]:
        print("PROBLEM", problem)
    if not outcome.clean:
        raise SystemExit(1)
    print("clean: 0 unhandled exceptions, 0 problems")


if __name__ == "__main__":
    main()
