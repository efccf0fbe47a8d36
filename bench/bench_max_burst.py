"""A burst of MAX users under MAX's limits: every request confirmed, none failed?

Everything real but the messengers: the sandbox runs in a process of its own
(this module with ``--world``), MAX's limit on (30 requests a second in all,
429 ``too.many.requests`` past it) and Telegram's flood limits on; it plays the
users and times each message where it stores it. The product is composed as in
production in this process (SQLite file, the demo's config, outbox sender, its
own MAX limiter ``ratelimit.MAX_LIMITS`` and Telegram's, the MAX long poller),
with the real ``maxapi`` and aiogram clients over HTTP.

Setup (not timed): ``USERS`` MAX users open the deep link ``max.ru/<bot>?start=demo``
at once (``bot_started``): each is bound to «Демо» and welcomed; the bench waits
until nothing is left in the outbox for MAX.

Timed: each of them sends one request at once. Printed per run, and the median
of ``RUNS`` runs: requests, confirmations received (and users with exactly one),
failures (outbox rows failed, warnings and errors in the product's log), the
429s the sandbox refused on MAX and the retries they cost, the time from the
first request to the last confirmation, and the MAX API calls made per request
(by method). The staff side gets a topic and a card per request in its one
Telegram group: 20 a minute there, so the cards trail behind; they are not timed.

Then each user changes the priority by buttons, all at once, in two waves
(«Изменить приоритет» on the confirmation, then «P4»: the confirmation edited, the
choice's keyboard removed, the new terms told): the same figures for the presses.
MAX counts every request, edits and callback answers too.

    make bench ARGS=bench_max_burst            (USERS=200 RUNS=3 by default)
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import select

from bench.bench_intake import FAQ
from bench.sandbox_world import WorldProcess
from bot.app import run_app
from bot.compose import compose
from bot.outbox.ratelimit import MAX_LIMITS, RateLimiter
from bot.services.config import apply_config
from bot.settings import Settings
from desk.channels import Channel, channel_of
from desk.config import load_config
from knowledge.base import KnowledgeBase
from storage.database import Database
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.outbox import FAILED, PENDING
from storage.tables import OutboxRow
from storage.uow import UnitOfWorkFactory

USERS = int(os.environ.get("USERS", "200"))
RUNS = int(os.environ.get("RUNS", "3"))
DEMO_CONFIG = Path(__file__).parents[1] / "bot" / "demo_config.toml"
FIRST_USER = 500_000  # MAX user ids of the burst
STAFF_CHAT = -1001000000001  # the demo's staff group
STAFF = {2001: "administrator", 2002: "member", 2003: "member"}
MANAGER = 1003  # DEMO's manager on Telegram (the scheduled reports go to them)
TEXT = "Принтер в бухгалтерии печатает пустые листы, заявка №{n}"
CONFIRMED = "зарегистрирована"
# Then each changes the priority by buttons, all at once: a press on the
# confirmation's button (answered with the choice), a press on «P4» (the
# confirmation edited, its keyboard removed, the new terms told).
PRESSES = (("приоритет", "Выберите приоритет"), ("P4", "приоритет теперь"))
DEADLINE = 600.0  # seconds the world waits for the burst's answers


# -- the sandbox's side (python -m bench.bench_max_burst --world DIR --users N) -------------


@dataclass
class _Dialogs:
    """What the MAX side stored, as it stored it (monotonic seconds)."""

    sent: dict[int, float] = field(default_factory=dict)  # user -> their request
    answered: dict[int, float] = field(default_factory=dict)  # user -> the bot's first message
    confirmed: dict[int, list[float]] = field(default_factory=dict)  # user -> confirmations
    said: dict[int, list[tuple[float, str]]] = field(default_factory=dict)  # the bot's, by user
    seen: set[str] = field(default_factory=set)

    def record(self, mid: str, user_id: int, message: dict[str, Any]) -> None:
        if mid in self.seen:  # an edit
            return
        self.seen.add(mid)
        now = time.perf_counter()
        if not message["sender"].get("is_bot"):
            self.sent.setdefault(user_id, now)
            return
        self.answered.setdefault(user_id, now)
        text = str(message["body"].get("text") or "")
        self.said.setdefault(user_id, []).append((now, text))
        if CONFIRMED in text:
            self.confirmed.setdefault(user_id, []).append(now)

    def told_since(self, user_id: int, since: float, part: str) -> float | None:
        """When the bot first wrote ``part`` to ``user_id`` after ``since``."""
        return next(
            (t for t, text in self.said.get(user_id, []) if t > since and part in text), None
        )


def _delta(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}


async def _world(data_dir: Path, users: int) -> None:
    from sandbox.server import running_sandbox

    async with running_sandbox(data_dir, flood_limits=True) as handle:
        control = handle.control
        for uid in STAFF:
            await control.create_user(uid, f"Консультант{uid}")
        await control.create_chat(STAFF_CHAT, "Поддержка 1С", is_forum=True, members=STAFF)
        await control.create_user(MANAGER, "Светлана")
        ids = [FIRST_USER + i for i in range(users)]
        for i, uid in enumerate(ids):
            await control.create_user(uid, f"Пользователь{i}", channel="max")
        dialogs = _Dialogs()
        state = handle.sandbox.max.state
        original = state.put_message

        def put_message(record: Any) -> None:
            original(record)
            dialogs.record(record.mid, record.user_id, record.message)

        state.put_message = put_message  # type: ignore[method-assign]
        ready = {"url": handle.url, "token": handle.token}
        print(json.dumps({**ready, "max_url": handle.max_url, "max_token": handle.max_token}))
        sys.stdout.flush()
        loop = asyncio.get_running_loop()
        while True:
            line = (await loop.run_in_executor(None, sys.stdin.readline)).split()
            if not line or line[0] == "quit":
                return
            if line[0] == "join":  # every user opens the deep link at once
                await asyncio.gather(
                    *(control.send(uid, uid, "/start demo", channel="max") for uid in ids)
                )
                await _until(lambda: len(dialogs.answered) >= users)
                print(json.dumps({"welcomed": len(dialogs.answered)}), flush=True)
            elif line[0] == "burst":
                before = (await control.stats())["max"]
                dialogs.sent.clear()
                await asyncio.gather(
                    *(
                        control.send(uid, uid, TEXT.format(n=i), channel="max")
                        for i, uid in enumerate(ids)
                    )
                )
                done = await _until(lambda: len(dialogs.confirmed) >= users)
                print(json.dumps(_burst_result(dialogs, before, done)), flush=True)
            elif line[0] == "press":  # each presses a button at once; the answers' times
                before = (await control.stats())["max"]
                label, answer = PRESSES[int(line[1])]
                started = time.perf_counter()
                await asyncio.gather(*(_press(handle, uid, label) for uid in ids))
                done = await _until(functools.partial(_all_told, dialogs, ids, started, answer))
                told = [dialogs.told_since(u, started, answer) or started for u in ids]
                result = {"done": done, "span": max(told) - started, "before": before}
                print(json.dumps(result), flush=True)
            elif line[0] == "after":  # later: a second confirmation would show now
                after = (await control.stats())["max"]
                counts = [len(dialogs.confirmed.get(uid, [])) for uid in ids]
                print(json.dumps({"counts": counts, "stats": after}), flush=True)


async def _until(done: Any) -> bool:
    deadline = time.perf_counter() + DEADLINE
    while not done():
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


def _all_told(dialogs: _Dialogs, ids: list[int], since: float, part: str) -> bool:
    return all(dialogs.told_since(uid, since, part) for uid in ids)


async def _press(handle: Any, uid: int, label: str) -> None:
    """``uid`` presses the button labelled with ``label`` on the bot's newest message with one."""
    for record in reversed(handle.sandbox.max.state.dialog(uid)):
        for attachment in record.message["body"].get("attachments") or []:
            if attachment.get("type") != "inline_keyboard":
                continue
            for row in attachment["payload"]["buttons"]:
                for button in row:
                    if label in button["text"]:
                        await handle.control.click(
                            uid, uid, record.mid, button["payload"], channel="max"
                        )
                        return
    raise LookupError(f"no button {label!r} for MAX user {uid}")


def _burst_result(dialogs: _Dialogs, before: dict[str, Any], done: bool) -> dict[str, Any]:
    start = min(dialogs.sent.values())
    last = max((t for times in dialogs.confirmed.values() for t in times), default=start)
    return {
        "done": done,
        "span": last - start,
        "before": before,
    }


# -- the product's side ---------------------------------------------------------------------


class _LogCount(logging.Handler):
    """Warnings and errors the product logged, and the sender's 429 retries."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.warnings: Counter[str] = Counter()
        self.retries_429 = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            self.warnings[record.name] += 1
        elif "429" in record.getMessage():
            self.retries_429 += 1


@dataclass
class Phase:
    """What one part of a run cost on MAX, and what went wrong."""

    span: float  # from the first user action to the last answer, s
    calls: dict[str, int]  # MAX API calls, by method
    refused: dict[str, int]  # MAX's 429s, by method
    limiter_429: int  # 429s that came back through the product's MAX limiter
    retries_429: int  # the sender's retries after a 429 (its log)
    logged: dict[str, int]  # warnings and errors in the product's log, by logger
    done: bool = True


@dataclass
class Run:
    requests: int
    confirmations: int
    exactly_once: int
    failed_rows: int
    burst: Phase
    presses: Phase  # both waves of presses together


async def _pending_max(db: Database) -> int:
    async with db.uow() as uow:
        chats = await uow.session.scalars(
            select(OutboxRow.chat_id).where(OutboxRow.state == PENDING)
        )
        return sum(1 for chat in chats if channel_of(chat) is Channel.MAX)


async def _until_max_outbox_empty(db: Database) -> None:
    deadline = time.perf_counter() + DEADLINE
    while await _pending_max(db):
        if time.perf_counter() > deadline:
            raise TimeoutError("the outbox for MAX did not empty")
        await asyncio.sleep(0.2)


class _Watch:
    """Counts a phase: the sandbox's MAX stats, the MAX limiter's 429s, the product's log."""

    def __init__(self, world: WorldProcess, limiter: RateLimiter, logged: _LogCount) -> None:
        self.world, self.limiter, self.logged = world, limiter, logged

    def start(self) -> None:
        self.logged.warnings.clear()
        self.logged.retries_429 = 0
        self.seen_429 = self.limiter.retry_after_seen

    async def phase(self, answers: list[dict[str, Any]]) -> Phase:
        """The phase whose world answers are ``answers`` (their ``before`` stats, span)."""
        stats = (await self.world.ask("after"))["stats"]
        before = answers[0]["before"]
        return Phase(
            span=sum(float(a["span"]) for a in answers),
            calls=_delta(stats["calls"], before["calls"]),
            refused=_delta(stats["refused"]["by_method"], before["refused"]["by_method"]),
            limiter_429=self.limiter.retry_after_seen - self.seen_429,
            retries_429=self.logged.retries_429,
            logged=dict(self.logged.warnings),
            done=all(a["done"] for a in answers),
        )


async def _run(tmp: Path, users: int) -> Run:
    root = Path(__file__).parents[1]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.bench_max_burst", "--world", str(tmp / "sandbox"),
        "--users", str(users),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )  # fmt: skip
    assert process.stdout is not None
    world = WorldProcess(process)
    logged = _LogCount()
    logging.getLogger().addHandler(logged)
    try:
        ready = json.loads(await process.stdout.readline())
        database_url = f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}"
        engine = create_engine(database_url)
        await upgrade(engine)
        async with UnitOfWorkFactory(engine)() as uow:
            config = load_config(DEMO_CONFIG)
            await apply_config(uow, config, source=str(DEMO_CONFIG), now=datetime.now(UTC))
        await engine.dispose()
        settings = Settings(
            bot_token=SecretStr(ready["token"]),
            telegram_api_url=ready["url"],
            max_token=SecretStr(ready["max_token"]),
            max_api_url=ready["max_url"],
            database_url=database_url,
            knowledge_path=FAQ,
            faq_embeddings="off",
            flood_limits=True,
        )
        db = await Database.open(database_url)
        app = await compose(settings, db=db, kb=KnowledgeBase(FAQ))
        assert app.max is not None
        watch = _Watch(world, app.max.limiter, logged)
        stop = asyncio.Event()
        task = asyncio.create_task(run_app(app, stop))
        await world.ask("join")
        await _until_max_outbox_empty(db)

        watch.start()
        burst = await world.ask("burst")
        await _until_max_outbox_empty(db)
        await asyncio.sleep(2.0)  # a doubled confirmation would arrive by now
        counts: list[int] = (await world.ask("after"))["counts"]
        burst_phase = await watch.phase([burst])

        watch.start()
        waves = []
        for i in range(len(PRESSES)):
            waves.append(await world.ask(f"press {i}"))
            await _until_max_outbox_empty(db)
        presses = await watch.phase(waves)

        async with db.uow() as uow:
            rows = await uow.session.scalars(
                select(OutboxRow.chat_id).where(OutboxRow.state == FAILED)
            )
            failed = len(list(rows))
        stop.set()
        await task
        await app.close()
        return Run(
            requests=users,
            confirmations=sum(counts),
            exactly_once=sum(1 for n in counts if n == 1),
            failed_rows=failed,
            burst=burst_phase,
            presses=presses,
        )
    finally:
        logging.getLogger().removeHandler(logged)
        await world.quit()


def _per(calls: dict[str, int], n: int) -> str:
    by_method = ", ".join(f"{m} {c / n:.2f}" for m, c in sorted(calls.items()))
    return f"{sum(calls.values()) / n:.2f} ({by_method})"


def _troubles(phase: Phase) -> str:
    refused = f"MAX 429s refused {sum(phase.refused.values())}"
    if phase.refused:
        refused += f" {phase.refused}"
    logged = f"warnings/errors logged {sum(phase.logged.values())}"
    if phase.logged:
        logged += f" {phase.logged}"
    return (
        f"{refused}, seen by the MAX limiter {phase.limiter_429}, "
        f"retried by the sender {phase.retries_429}; {logged}"
    )


def _print(i: int, run: Run) -> None:
    burst, presses = run.burst, run.presses
    late = "" if burst.done and presses.done else " (NOT ALL ANSWERED IN TIME)"
    print(
        f"  run {i}: {run.requests} requests, {run.confirmations} confirmations "
        f"({run.exactly_once} users with exactly one), last after {burst.span:.1f} s; "
        f"outbox rows failed {run.failed_rows}{late}"
    )
    print(f"         burst: {_troubles(burst)}")
    print(f"         burst: MAX API calls per request {_per(burst.calls, run.requests)}")
    print(f"         presses: all answered in {presses.span:.1f} s; {_troubles(presses)}")
    print(f"         presses: MAX API calls per user {_per(presses.calls, run.requests)}")


async def _main() -> None:
    logging.basicConfig(level=logging.WARNING, format="  log: %(levelname)s %(name)s %(message)s")
    for shown in logging.getLogger().handlers:
        shown.setLevel(logging.WARNING)
    logging.getLogger("bot.outbox.sender").setLevel(logging.INFO)  # its 429 retries: counted
    print(
        f"MAX's limit on (30 requests/s), Telegram's flood limits on, the product's own "
        f"limiters on (MAX: a burst of {MAX_LIMITS.global_burst:.0f}, then "
        f"{MAX_LIMITS.global_rate:.0f}/s); {USERS} MAX users of «Демо», bound by deep link, "
        f"each sends one request at once, then each changes the priority by buttons at "
        f"once (2 presses); SQLite:"
    )
    runs: list[Run] = []
    for i in range(1, RUNS + 1):
        with tempfile.TemporaryDirectory() as tmp:
            run = await _run(Path(tmp), USERS)
        _print(i, run)
        runs.append(run)
    spans = [r.burst.span for r in runs]
    floor = (USERS - MAX_LIMITS.global_burst) / MAX_LIMITS.global_rate
    failures = sum(
        r.failed_rows + sum(r.burst.logged.values()) + sum(r.presses.logged.values()) for r in runs
    )
    print(
        f"  median of {len(runs)} runs: last confirmation after {statistics.median(spans):.1f} s "
        f"(min {min(spans):.1f}, max {max(spans):.1f}; the MAX limiter's floor "
        f"{floor:.1f} s); failures in all runs: {failures}; users without exactly one "
        f"confirmation: {sum(r.requests - r.exactly_once for r in runs)}"
    )


def main() -> None:
    asyncio.run(_main())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.bench_max_burst")
    parser.add_argument("--world", type=Path)
    parser.add_argument("--users", type=int, default=USERS)
    args = parser.parse_args()
    if args.world is not None:
        asyncio.run(_world(args.world, args.users))
    else:
        main()
