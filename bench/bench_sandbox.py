"""The sandbox under load: sendMessage round trip, sendMessage/s, updates/s to one poller.

The sandbox runs in its own process (``python -m sandbox``, flood limits off),
as it does beside a bot under test; the load comes from this process, through
the real aiogram client and through bare aiohttp (a lighter client shows what
the server itself can take). Target: >= 2,000 sendMessage/s.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

USERS = list(range(1001, 1051))
ROUND_TRIPS = 1500
SENDS = 12000
CONCURRENCY = 64
BACKLOG = 10000


async def _start_sandbox(data_dir: str) -> tuple[asyncio.subprocess.Process, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox",
        "--port",
        "0",
        "--data-dir",
        data_dir,
        "--no-flood-limits",
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    line = (await proc.stdout.readline()).decode().split()
    return proc, line[1], line[3]  # "sandbox <url> token <token>"


async def _concurrently(total: int, workers: int, job: Callable[[int], Awaitable[Any]]) -> float:
    """Run ``job(i)`` for i in range(total) with ``workers`` at a time; seconds taken."""
    counter = iter(range(total))

    async def worker() -> None:
        for i in counter:
            await job(i)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return time.perf_counter() - started


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _round_trip(bot: Bot) -> None:
    for i in range(100):  # warm-up
        await bot.send_message(USERS[0], f"warm {i}")
    times = []
    for i in range(ROUND_TRIPS):
        started = time.perf_counter()
        await bot.send_message(USERS[i % len(USERS)], f"rt {i}")
        times.append((time.perf_counter() - started) * 1000)
    print(
        f"sendMessage round trip (aiogram, sequential, n={ROUND_TRIPS}): "
        f"p50 {statistics.median(times):.2f} ms, p99 {_percentile(times, 0.99):.2f} ms"
    )


def _cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) a process has used so far; None where /proc is absent."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _throughput(
    bot: Bot, session: aiohttp.ClientSession, url: str, token: str, pid: int
) -> None:
    async def raw(i: int) -> None:
        form = {"chat_id": str(USERS[i % len(USERS)]), "text": f"load {i}"}
        async with session.post(f"{url}/bot{token}/sendMessage", data=form) as resp:
            body = await resp.json()
            assert body["ok"], body

    cpu_before = _cpu_seconds(pid)
    seconds = await _concurrently(SENDS, CONCURRENCY, raw)
    cpu_after = _cpu_seconds(pid)
    print(
        f"sendMessage/s (aiohttp client, {CONCURRENCY} concurrent, n={SENDS}): "
        f"{SENDS / seconds:,.0f}/s wall clock"
    )
    if cpu_before is not None and cpu_after is not None and cpu_after > cpu_before:
        print(
            f"  sandbox CPU per sendMessage: {(cpu_after - cpu_before) / SENDS * 1e6:.0f} us "
            f"= {SENDS / (cpu_after - cpu_before):,.0f} sendMessage per CPU second "
            f"(load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
        )

    async def via_aiogram(i: int) -> None:
        await bot.send_message(USERS[i % len(USERS)], f"aiogram load {i}")

    total = SENDS // 2
    seconds = await _concurrently(total, CONCURRENCY, via_aiogram)
    print(
        f"sendMessage/s (aiogram client, {CONCURRENCY} concurrent, n={total}): "
        f"{total / seconds:,.0f}/s (client and server share the CPU)"
    )


async def _updates(bot: Bot, session: aiohttp.ClientSession, url: str) -> None:
    async def user_writes(i: int) -> None:
        user = USERS[i % len(USERS)]
        body = {"user_id": user, "chat_id": user, "text": f"вопрос {i}"}
        async with session.post(f"{url}/sandbox/api/send", json=body) as resp:
            assert resp.status == 200, await resp.text()

    await _concurrently(BACKLOG, CONCURRENCY, user_writes)
    received = 0
    offset = None
    started = time.perf_counter()
    while received < BACKLOG:
        updates = await bot.get_updates(offset=offset, limit=100, timeout=1)
        received += len(updates)
        offset = updates[-1].update_id + 1
    seconds = time.perf_counter() - started
    await bot.get_updates(offset=offset, timeout=0)
    print(
        f"updates/s to one long-polling aiogram client (backlog {BACKLOG}, limit 100): "
        f"{BACKLOG / seconds:,.0f}/s"
    )


async def _run() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        proc, url, token = await _start_sandbox(data_dir)
        try:
            connector = aiohttp.TCPConnector(limit=CONCURRENCY)
            async with aiohttp.ClientSession(connector=connector) as session:
                for user in USERS:
                    body = {"id": user, "first_name": f"Пользователь {user}"}
                    async with session.post(f"{url}/sandbox/api/users", json=body) as resp:
                        assert resp.status == 201
                bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(url)))
                try:
                    await _round_trip(bot)
                    await _throughput(bot, session, url, token, proc.pid)
                    await _updates(bot, session, url)
                finally:
                    await bot.session.close()
        finally:
            proc.terminate()
            await proc.wait()


def main() -> None:
    asyncio.run(_run())


if __name__ == "__main__":
    main()
