"""Intake under load: N users write at once; how fast are tickets registered and shown?

Everything real but Telegram: the sandbox (in this process, its message store
wrapped to time-stamp arrivals), the bot composed as in production (SQLite
file, outbox sender, rate limiter) and the real aiogram client over HTTP.

1. Flood limits off, N = 50 and 200 users: tickets/s, p50/p99 from the
   user's message to the confirmation and to the topic card; the same N
   against a bare aiogram echo bot on a fresh sandbox (the floor), and the ratio.
2. Flood limits on, a burst of 200 users: 429s refused by the sandbox (must be
   0), outbox rows failed (must be 0), time to the last confirmation and card.
   Telegram allows 20 messages a minute into one group, so one staff group
   takes 200 new cards in no less than 10 minutes; this run spreads the 200
   users over 10 client companies with a staff group each (20 users per
   group, the load one group takes in a minute).
"""

from __future__ import annotations

import asyncio
import logging
import re
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message
from pydantic import SecretStr
from sqlalchemy import func, select

from bot.app import run_app
from bot.compose import compose
from bot.outbox.ratelimit import UNLIMITED
from bot.services.config import apply_config
from bot.settings import Settings
from desk.config import load_config
from desk.model import User
from knowledge.base import KnowledgeBase
from sandbox.server import SandboxHandle, running_sandbox
from storage.database import Database
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.tables_messaging import OutboxRow

FAQ = Path(__file__).parents[1] / "knowledge" / "faq"
TEXT = "Принтер в бухгалтерии печатает пустые листы, заявка №{n}"
NUMBER = re.compile(r"\b([A-Z]+\d*-\d+)\b")
FIRST_USER = 100_000


@dataclass
class Arrivals:
    """When each message reached the sandbox (monotonic seconds)."""

    user_sent: dict[int, float] = field(default_factory=dict)  # user chat -> their message
    confirmed: dict[int, tuple[float, str]] = field(default_factory=dict)  # user -> (t, number)
    cards: dict[str, float] = field(default_factory=dict)  # number -> t
    echoed: dict[int, float] = field(default_factory=dict)

    def record(self, message: dict[str, Any]) -> None:
        now = time.perf_counter()
        chat = message["chat"]["id"]
        text = str(message.get("text") or "")
        if not message["from"]["is_bot"]:
            self.user_sent.setdefault(chat, now)
        elif chat > 0 and "зарегистрирована" in text:
            found = NUMBER.search(text)
            self.confirmed.setdefault(chat, (now, found.group(1) if found else ""))
        elif chat > 0 and text.startswith("echo"):
            self.echoed.setdefault(chat, now)
        elif chat < 0 and text.startswith("🆕"):
            found = NUMBER.search(text)
            if found:
                self.cards.setdefault(found.group(1), now)


def _watch(handle: SandboxHandle) -> Arrivals:
    arrivals = Arrivals()
    state = handle.sandbox.state
    original = state.put_message

    def put_message(message: dict[str, Any]) -> None:
        original(message)
        arrivals.record(message)

    state.put_message = put_message  # type: ignore[method-assign]
    return arrivals


def _config(teams: int) -> str:
    parts = [
        '[schedules.always]\ntimezone = "Europe/Moscow"\nround_the_clock = true\n',
        '[contracts.bench]\nschedule = "always"\n',
    ]
    for t in range(teams):
        parts.append(f"[teams.t{t}]\nchat_id = {-1002000000000 - t}\nduty = {3000 + t * 10}\n")
        parts.append(
            f'[[clients]]\ncode = "C{t}"\nname = "Клиент {t}"\ncontract = "bench"\nteam = "t{t}"\n'
        )
        parts.append(f'[[invites]]\ncode = "inv{t}"\nclient = "C{t}"\n')
        for s in range(2):
            parts.append(
                f'[[staff]]\ntelegram_id = {3000 + t * 10 + s}\nname = "Консультант {t}.{s}"\n'
                f'team = "t{t}"\nline = 1\nshift = "always"\n'
            )
    return "\n".join(parts)


@asynccontextmanager
async def _world(
    tmp: Path, *, teams: int, users: int, flood: bool
) -> AsyncIterator[tuple[SandboxHandle, Arrivals, str]]:
    """A sandbox with the people and staff groups, and a database with the config applied."""
    config_file = tmp / "bench.toml"
    config_file.write_text(_config(teams), encoding="utf-8")
    url = f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}"
    engine = create_engine(url)
    await upgrade(engine)
    now = datetime.now(UTC)
    async with running_sandbox(tmp / "sandbox", flood_limits=flood) as handle:
        control = handle.control
        for t in range(teams):
            staff = {3000 + t * 10 + s: "member" for s in range(2)}
            for uid in staff:
                await control.create_user(uid, f"Консультант{uid}")
            await control.create_chat(
                -1002000000000 - t, f"Команда {t}", is_forum=True, members=staff
            )
        from storage.uow import UnitOfWorkFactory

        async with UnitOfWorkFactory(engine)() as uow:
            await apply_config(uow, load_config(config_file), source=str(config_file), now=now)
            for i in range(users):
                uid = FIRST_USER + i
                await uow.users.bind(User(uid, f"C{i % teams}", f"Пользователь{i}", now))
        for i in range(users):
            await control.create_user(FIRST_USER + i, f"Пользователь{i}")
        await engine.dispose()
        yield handle, _watch(handle), url


async def _burst(handle: SandboxHandle, users: int) -> None:
    await asyncio.gather(
        *(
            handle.control.send(FIRST_USER + i, FIRST_USER + i, TEXT.format(n=i))
            for i in range(users)
        )
    )


async def _until(check: Any, handle: SandboxHandle, limit: float) -> None:
    deadline = time.perf_counter() + limit
    while not check():
        if time.perf_counter() > deadline:
            raise TimeoutError("the bench did not finish in time")
        await handle.sandbox.state.changed.wait(0.5)


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
    refused: int = 0
    failed: int = 0
    last_card: float = 0.0


async def _ours(tmp: Path, users: int, *, teams: int = 1, flood: bool = False) -> Run:
    async with _world(tmp, teams=teams, users=users, flood=flood) as (handle, arrivals, url):
        settings = Settings(
            bot_token=SecretStr(handle.token),
            telegram_api_url=handle.url,
            database_url=url,
            knowledge_path=FAQ,
        )
        db = await Database.open(url)
        app = await compose(
            settings, db=db, kb=KnowledgeBase(FAQ), limits=None if flood else UNLIMITED
        )
        stop = asyncio.Event()
        task = asyncio.create_task(run_app(app, stop))
        await handle.sandbox.state.changed.wait(1.0)  # let the bot start polling
        await _burst(handle, users)

        def done() -> bool:
            numbers = [n for _, n in arrivals.confirmed.values()]
            return len(numbers) == users and all(n in arrivals.cards for n in numbers)

        await _until(done, handle, 900)
        async with db.uow() as uow:
            failed = await uow.session.scalar(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.state == "failed")
            )
        stop.set()
        await task
        await app.bot.session.close()
        await db.close()
        stats = await handle.control.stats()
        start = min(arrivals.user_sent.values())
        return Run(
            span=max(t for t, _ in arrivals.confirmed.values()) - start,
            to_confirmation=[t - arrivals.user_sent[c] for c, (t, _) in arrivals.confirmed.items()],
            to_card=[
                arrivals.cards[n] - arrivals.user_sent[c]
                for c, (_, n) in arrivals.confirmed.items()
            ],
            refused=int(stats["refused"]["total"]),
            failed=int(failed or 0),
            last_card=max(arrivals.cards.values()) - start,
        )


async def _echo(tmp: Path, users: int) -> Run:
    async with _world(tmp, teams=1, users=users, flood=False) as (handle, arrivals, _):
        bot = Bot(handle.token, session=AiohttpSession(api=TelegramAPIServer.from_base(handle.url)))
        dp = Dispatcher()

        @dp.message(F.text)
        async def echo(message: Message) -> None:
            await message.answer(f"echo {message.text}")

        polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False))
        await handle.sandbox.state.changed.wait(1.0)
        await _burst(handle, users)
        await _until(lambda: len(arrivals.echoed) == users, handle, 300)
        await dp.stop_polling()
        await polling
        await bot.session.close()
        start = min(arrivals.user_sent.values())
        latencies = [t - arrivals.user_sent[c] for c, t in arrivals.echoed.items()]
        return Run(
            span=max(arrivals.echoed.values()) - start, to_confirmation=latencies, to_card=[]
        )


async def _main() -> None:
    logging.disable(logging.DEBUG)
    print("Flood limits off, one staff group, SQLite:")
    for users in (50, 200):
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            ours = await _ours(Path(a), users)
            floor = await _echo(Path(b), users)
        print(
            f"  N={users:>3}: {users / ours.span:6.1f} tickets/s; "
            f"to confirmation {_p50_p99(ours.to_confirmation)}; to card {_p50_p99(ours.to_card)}"
        )
        print(
            f"         echo bot {users / floor.span:6.1f} replies/s; "
            f"{_p50_p99(floor.to_confirmation)}; per-update cost ours/echo = "
            f"{ours.span / floor.span:.2f}x"
        )
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
