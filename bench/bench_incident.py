"""A mass incident's resolution told to 1,000 linked users under Telegram's flood limits.

Everything real but Telegram: the sandbox runs in a process of its own, flood limits
on (about 30 messages a second in all, 20 a minute into a group, one a second per
chat; a call past them is refused with 429), and times each user's message where it
stores it; the bot is composed as in production (SQLite file, outbox sender, rate
limiter, the incidents job) in this process, with the real aiogram client over HTTP.

Setup (not timed): one client, 1,001 users bound to it; the first reports «1С не
запускается у всех» (a ticket), the other 1,000 write the same outage and become its
reports (``bot.services.incidents.take_report``, a hundred per transaction). What setup
queued for Telegram is marked sent, so the timed part starts with an empty outbox.

Timed: a consultant resolves the incident (``bot.services.staff.resolve``, one
transaction) -- from its commit to the last of the 1,000 «Проблема устранена» reaching
its user. Printed: that time, the notices per second, the 429s the sandbox refused,
the 429s the sender retried, and the outbox rows failed (must be 0).

    make bench ARGS=bench_incident            (REPORTS=200 for a quick run)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import func, select, update

from bench.bench_intake import FAQ
from bench.sandbox_world import WorldProcess
from bot.app import run_app
from bot.compose import compose
from bot.services import incidents, intake, staff
from bot.services.config import apply_config
from bot.services.incoming import Incoming
from bot.settings import Settings
from desk.config import load_config
from desk.model import User
from knowledge.base import KnowledgeBase
from storage.database import Database
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.outbox import FAILED, PENDING, SENT
from storage.tables import OutboxRow
from storage.uow import UnitOfWorkFactory

REPORTS = int(os.environ.get("REPORTS", "1000"))
FIRST_USER = 100_000
STAFF_CHAT = -1002000000000
CONSULTANT = 3000
TOLD = "Проблема устранена"
CHUNK = 100
CONFIG = f"""
[schedules.always]
timezone = "Europe/Moscow"
round_the_clock = true

[contracts.bench]
schedule = "always"

[teams.t0]
chat_id = {STAFF_CHAT}
duty = {CONSULTANT}

[[clients]]
code = "C0"
name = "Клиент"
contract = "bench"
team = "t0"

[[staff]]
telegram_id = {CONSULTANT}
name = "Консультант"
team = "t0"
line = 1
shift = "always"
"""


# -- the sandbox's side (python -m bench.bench_incident --world DIR --users N) ---------------


async def _world(data_dir: Path, users: int) -> None:
    from sandbox.server import running_sandbox

    async with running_sandbox(data_dir, flood_limits=True) as handle:
        control = handle.control
        await control.create_user(CONSULTANT, "Консультант")
        await control.create_chat(
            STAFF_CHAT, "Поддержка", is_forum=True, members={CONSULTANT: "administrator"}
        )
        for i in range(users):
            await control.create_user(FIRST_USER + i, f"Пользователь{i}")
        told: dict[int, float] = {}
        state = handle.sandbox.state
        original = state.put_message

        def put_message(message: dict[str, Any]) -> None:
            original(message)
            chat = message["chat"]["id"]
            if chat > 0 and message["from"]["is_bot"] and TOLD in str(message.get("text")):
                told.setdefault(chat, time.perf_counter())

        state.put_message = put_message  # type: ignore[method-assign]
        print(json.dumps({"url": handle.url, "token": handle.token}), flush=True)
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        while True:
            line = (await loop.run_in_executor(None, sys.stdin.readline)).split()
            if not line or line[0] == "quit":
                return
            if line[0] == "mark":
                started = time.perf_counter()
                print("{}", flush=True)
            elif line[0] == "wait":
                wanted, deadline = int(line[1]), time.perf_counter() + 600
                while len(told) < wanted and time.perf_counter() < deadline:
                    await state.changed.wait(0.5)
                stats = await control.stats()
                last = max(told.values(), default=started) - started
                result = {"told": len(told), "last": last, "refused": stats["refused"]["total"]}
                print(json.dumps(result), flush=True)


# -- the bot's side --------------------------------------------------------------------------


async def _setup(url: str, tmp: Path) -> tuple[str, int]:
    """The database with the config, the users, the incident and its reports; the incident's id."""
    config_file = tmp / "bench.toml"
    config_file.write_text(CONFIG, encoding="utf-8")
    database_url = f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}"
    engine = create_engine(database_url)
    await upgrade(engine)
    now = datetime.now(UTC)
    factory = UnitOfWorkFactory(engine)
    async with factory() as uow:
        await apply_config(uow, load_config(config_file), source=str(config_file), now=now)
        for i in range(REPORTS + 1):
            await uow.users.bind(User(FIRST_USER + i, "C0", f"Пользователь{i}", now))
    db = await Database.open(database_url)
    kb = KnowledgeBase(FAQ)
    app = await compose(_settings(url, database_url), db=db, kb=kb)
    svc = app.tickets
    async with factory() as uow:
        user = await uow.users.get(FIRST_USER)
        assert user is not None
        outage = "1С не запускается у всех"
        said = Incoming(FIRST_USER, 1, FIRST_USER, user.first_name, None, outage, outage)
        incident = await intake.register(uow, svc, user, said, now)
    for start in range(1, REPORTS + 1, CHUNK):
        async with factory() as uow:
            for i in range(start, min(start + CHUNK, REPORTS + 1)):
                user = await uow.users.get(FIRST_USER + i)
                assert user is not None
                text = f"Не могу зайти в 1С, база не открывается ({i})"
                said = Incoming(user.telegram_id, 1, user.telegram_id, user.first_name, None,
                                text, text)  # fmt: skip
                report = await incidents.take_report(uow, svc, kb.analyzer, user, said, now)
                assert report is not None, i
    async with factory() as uow:  # what setup queued is not part of the timed run
        await uow.session.execute(
            update(OutboxRow).where(OutboxRow.state == PENDING).values(state=SENT)
        )
    await app.bot.session.close()
    await db.close()
    await engine.dispose()
    assert incident.id is not None
    return database_url, incident.id


def _settings(url: str, database_url: str) -> Settings:
    return Settings(
        bot_token=SecretStr(os.environ["BENCH_TOKEN"]),
        telegram_api_url=url,
        database_url=database_url,
        knowledge_path=FAQ,
        faq_embeddings="off",
    )


async def _run(tmp: Path) -> None:
    root = Path(__file__).parents[1]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.bench_incident", "--world", str(tmp / "sandbox"),
        "--users", str(REPORTS + 1),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )  # fmt: skip
    assert process.stdout is not None
    world = WorldProcess(process)
    try:
        ready = json.loads(await process.stdout.readline())
        os.environ["BENCH_TOKEN"] = ready["token"]
        started = time.perf_counter()
        database_url, incident_id = await _setup(ready["url"], tmp)
        print(f"  setup: {REPORTS} reports linked in {time.perf_counter() - started:.1f} s")
        db = await Database.open(database_url)
        app = await compose(_settings(ready["url"], database_url), db=db, kb=KnowledgeBase(FAQ))
        stop = asyncio.Event()
        task = asyncio.create_task(run_app(app, stop))
        await asyncio.sleep(1.0)  # the bot starts polling, its jobs their first pass
        await world.ask("mark")
        async with db.uow() as uow:
            ticket = await uow.tickets.get_by_id(incident_id)
            await staff.resolve(uow, app.tickets, ticket, CONSULTANT, app.now(), 60,
                                "Перезапустили сервер 1С")  # fmt: skip
        app.sender.wake()
        result = await world.ask(f"wait {REPORTS}")
        async with db.uow() as uow:
            failed = await uow.session.scalar(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.state == FAILED)
            )
        stop.set()
        await task
        await app.bot.session.close()
        await db.close()
        last = result["last"]
        print(
            f"  {result['told']} of {REPORTS} linked users told the resolution; the last "
            f"{last:.1f} s after it was committed ({result['told'] / last:.1f} a second)"
        )
        print(
            f"  429s refused by the sandbox: {result['refused']}; 429s the sender retried: "
            f"{app.limiter.retry_after_seen}; outbox rows failed: {int(failed or 0)}"
        )
    finally:
        if process.returncode is None:
            assert process.stdin is not None
            process.stdin.write(b"quit\n")
            await process.stdin.drain()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


def main() -> None:
    logging.disable(logging.INFO)
    print(f"Flood limits on, one client, {REPORTS} reports of one mass incident, SQLite:")
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(_run(Path(tmp)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.bench_incident")
    parser.add_argument("--world", type=Path)
    parser.add_argument("--users", type=int, default=REPORTS + 1)
    args = parser.parse_args()
    if args.world is not None:
        asyncio.run(_world(args.world, args.users))
    else:
        main()
