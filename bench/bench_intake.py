"""Intake under load: N users write at once; how fast are tickets registered and shown?

Everything real but Telegram: the sandbox runs in a process of its own
(``bench.sandbox_world``, which also plays the users and times arrivals where
messages are stored), the bot is composed as in production (SQLite file,
outbox sender, rate limiter) in this process, with the real aiogram client
over HTTP. Each bot first answers an untimed burst of ``WARM_UP`` users.

1. Flood limits off, N = 50 and 200 users: tickets/s, p50/p99 from the
   user's message to the confirmation and to the topic card; the same N
   against a bare aiogram echo bot on a fresh sandbox (the floor), and the ratio;
   and against an echo bot that first writes each update down in SQLite (its
   id claimed and the text logged, one transaction through ``storage``): the
   floor for a bot that may not lose what it was told.
2. Flood limits on, a burst of 200 users: 429s refused by the sandbox (must be
   0), outbox rows failed (must be 0), time to the last confirmation and card.
   Telegram allows 20 messages a minute into one group, so one staff group
   takes 200 new cards in no less than 10 minutes; this run spreads the 200
   users over 10 client companies with a staff group each (20 users per
   group, the load one group takes in a minute).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message, Update
from pydantic import SecretStr
from sqlalchemy import func, select

from bench.sandbox_world import FIRST_USER, staff_of, team_chat
from bot.app import run_app
from bot.compose import compose
from bot.outbox.ratelimit import UNLIMITED
from bot.services.config import apply_config
from bot.settings import Settings
from bot.updates import identity
from desk.config import load_config
from desk.model import User
from knowledge.base import KnowledgeBase
from sandbox.client import SandboxControl
from storage.database import Database
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.tables import OutboxRow
from storage.uow import UnitOfWorkFactory

FAQ = Path(__file__).parents[1] / "knowledge" / "faq"
# Users whose burst comes first and is not timed: the bot's first updates
# compile its SQL, load the directory and build aiogram's types.
WARM_UP = 10


def _config(teams: int) -> str:
    parts = [
        '[schedules.always]\ntimezone = "Europe/Moscow"\nround_the_clock = true\n',
        '[contracts.bench]\nschedule = "always"\n',
    ]
    for t in range(teams):
        duty = staff_of(t)[0]
        parts.append(f"[teams.t{t}]\nchat_id = {team_chat(t)}\nduty = {duty}\n")
        parts.append(
            f'[[clients]]\ncode = "C{t}"\nname = "Клиент {t}"\ncontract = "bench"\nteam = "t{t}"\n'
        )
        parts.append(f'[[invites]]\ncode = "inv{t}"\nclient = "C{t}"\n')
        for uid in staff_of(t):
            parts.append(
                f'[[staff]]\ntelegram_id = {uid}\nname = "Консультант {uid}"\n'
                f'team = "t{t}"\nline = 1\nshift = "always"\n'
            )
    return "\n".join(parts)


@dataclass
class World:
    """The sandbox process and the bot's database, ready for a burst."""

    process: asyncio.subprocess.Process
    url: str
    token: str
    database_url: str

    async def burst(self, kind: str, first: int, users: int) -> dict[str, Any]:
        """Users ``first`` .. ``first + users - 1`` write at once; their timings."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(f"burst {kind} {first} {users}\n".encode())
        await self.process.stdin.drain()
        result: dict[str, Any] = json.loads(await self.process.stdout.readline())
        if "error" in result:
            raise TimeoutError(result["error"])
        return result

    async def until_polled(self) -> None:
        """Until the bot under test waits in getUpdates."""
        async with aiohttp.ClientSession() as session:
            control = SandboxControl(self.url, session)
            for _ in range(200):
                if (await control.stats()).get("poller_waiting"):
                    return
                await asyncio.sleep(0.05)
        raise TimeoutError("the bot did not start polling")


@asynccontextmanager
async def _world(tmp: Path, *, teams: int, users: int, flood: bool) -> AsyncIterator[World]:
    """A sandbox process with the people and staff groups; a database with the config applied.
    ``WARM_UP`` more users than asked for are made, for the untimed first burst."""
    users += WARM_UP
    root = Path(__file__).parents[1]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.sandbox_world",
        "--data-dir",
        str(tmp / "sandbox"),
        "--users",
        str(users),
        "--teams",
        str(teams),
        *(["--flood"] if flood else []),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert process.stdout is not None
    assert process.stdin is not None
    try:
        ready = json.loads(await process.stdout.readline())
        config_file = tmp / "bench.toml"
        config_file.write_text(_config(teams), encoding="utf-8")
        url = f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}"
        engine = create_engine(url)
        await upgrade(engine)
        now = datetime.now(UTC)
        async with UnitOfWorkFactory(engine)() as uow:
            await apply_config(uow, load_config(config_file), source=str(config_file), now=now)
            for i in range(users):
                uid = FIRST_USER + i
                await uow.users.bind(User(uid, f"C{i % teams}", f"Пользователь{i}", now))
        await engine.dispose()
        yield World(process, ready["url"], ready["token"], url)
    finally:
        if process.returncode is None:
            process.stdin.write(b"quit\n")
            await process.stdin.drain()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _p50_p99(values: list[float]) -> str:
    return f"p50 {_pct(values, 0.5):6.0f} ms p99 {_pct(values, 0.99):6.0f} ms"


@dataclass
class Run:
    span: float  # first user message to the last confirmation, s
    to_confirmation: list[float]
    to_card: list[float]
    cpu: float  # CPU seconds this process (the bot) spent on the burst
    refused: int = 0
    failed: int = 0
    last_card: float = 0.0


def _run(result: dict[str, Any], cpu: float, failed: int = 0) -> Run:
    return Run(
        span=result["span"],
        to_confirmation=result["to_answer"],
        to_card=result["to_card"],
        cpu=cpu,
        refused=int(result["stats"]["refused"]["total"]),
        failed=failed,
        last_card=result["last_card"],
    )


async def _ours(tmp: Path, users: int, *, teams: int = 1, flood: bool = False) -> Run:
    async with _world(tmp, teams=teams, users=users, flood=flood) as world:
        settings = Settings(
            bot_token=SecretStr(world.token),
            telegram_api_url=world.url,
            database_url=world.database_url,
            knowledge_path=FAQ,
        )
        db = await Database.open(world.database_url)
        app = await compose(
            settings, db=db, kb=KnowledgeBase(FAQ), limits=None if flood else UNLIMITED
        )
        stop = asyncio.Event()
        task = asyncio.create_task(run_app(app, stop))
        await world.until_polled()
        first = 0
        if not flood:  # (the warm-up's cards would count against the groups' limits)
            await world.burst("ours", 0, WARM_UP)
            first = WARM_UP
        cpu = time.process_time()
        result = await world.burst("ours", first, users)
        cpu = time.process_time() - cpu
        async with db.uow() as uow:
            failed = await uow.session.scalar(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.state == "failed")
            )
        stop.set()
        await task
        await app.bot.session.close()
        await db.close()
        return _run(result, cpu, int(failed or 0))


async def _echo(tmp: Path, users: int, *, durable: bool = False) -> Run:
    async with _world(tmp, teams=1, users=users, flood=False) as world:
        bot = Bot(world.token, session=AiohttpSession(api=TelegramAPIServer.from_base(world.url)))
        dp = Dispatcher()
        db = await Database.open(world.database_url)

        @dp.message(F.text)
        async def echo(message: Message, event_update: Update) -> None:
            if durable:
                now = datetime.now(UTC)
                async with db.uow() as uow:
                    who = identity(event_update)
                    claimed = await uow.messaging.claim_update(
                        bot.id, who.key, event_update.update_id, who.chat_id, now
                    )
                    if not claimed:
                        return
                    await uow.drafts.log_faq(
                        user_id=message.chat.id,
                        client_code=None,
                        query=message.text or "",
                        shown=[],
                        outcome="unanswered",
                        now=now,
                    )
            await message.answer(f"echo {message.text}")

        polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False))
        await world.until_polled()
        await world.burst("echo", 0, WARM_UP)
        cpu = time.process_time()
        result = await world.burst("echo", WARM_UP, users)
        cpu = time.process_time() - cpu
        await dp.stop_polling()
        await polling
        await bot.session.close()
        await db.close()
        return _run(result, cpu)


def _versus(name: str, users: int, ours: Run, floor: Run) -> str:
    return (
        f"         {name} {users / floor.span:6.1f} replies/s; "
        f"{_p50_p99(floor.to_confirmation)}; per-update cost ours/{name} = "
        f"{ours.span / floor.span:.2f}x in time, {ours.cpu / floor.cpu:.2f}x in CPU "
        f"({ours.cpu / users * 1000:.1f} vs {floor.cpu / users * 1000:.1f} ms per update)"
    )


async def _main() -> None:
    logging.disable(logging.DEBUG)
    print("Flood limits off, one staff group, SQLite:")
    for users in (50, 200):
        with (
            tempfile.TemporaryDirectory() as a,
            tempfile.TemporaryDirectory() as b,
            tempfile.TemporaryDirectory() as c,
        ):
            ours = await _ours(Path(a), users)
            floor = await _echo(Path(b), users)
            durable = await _echo(Path(c), users, durable=True)
        print(
            f"  N={users:>3}: {users / ours.span:6.1f} tickets/s; "
            f"to confirmation {_p50_p99(ours.to_confirmation)}; to card {_p50_p99(ours.to_card)}"
        )
        print(_versus("echo", users, ours, floor))
        print(_versus("echo+db", users, ours, durable))
    print("Flood limits on, a burst of 200 users over 10 staff groups (20 each):")
    with tempfile.TemporaryDirectory() as c:
        run = await _ours(Path(c), 200, teams=10, flood=True)
    print(
        f"  429s refused by the sandbox: {run.refused}; outbox rows failed: {run.failed}; "
        f"all 200 confirmed in {run.span:.1f} s, last card after {run.last_card:.1f} s"
    )
    print("  one staff group alone: 20 cards a minute, i.e. 200 new tickets take >= 10 min")


def main() -> None:
    asyncio.run(_main())


if __name__ == "__main__":
    main()
