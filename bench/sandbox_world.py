"""The users' side of ``bench_intake``, in a process of its own (as Telegram is).

    python -m bench.sandbox_world --data-dir D --users N --teams T [--flood]

Starts a sandbox with the staff groups and the users, prints one JSON line
``{"url", "token"}``, then waits for commands on stdin, one per line:

- ``burst ours FIRST COUNT`` / ``burst echo FIRST COUNT``: users FIRST ..
  FIRST+COUNT-1 write one message each at once; when each of them has their
  confirmation and each ticket its card (``ours``) or each their echo, one
  JSON line with the seconds from each user's message to the answers (timed
  where the sandbox stores them);
- ``quit``.

The bot under test runs in the bench's own process, so what the sandbox
spends on HTTP, JSON and its state is not charged to the bot.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.server import SandboxHandle, running_sandbox

TEXT = "Принтер в бухгалтерии печатает пустые листы, заявка №{n}"
NUMBER = re.compile(r"\b([A-Z]+\d*-\d+)\b")
FIRST_USER = 100_000


def team_chat(t: int) -> int:
    return -1002000000000 - t


def staff_of(t: int) -> list[int]:
    return [3000 + t * 10 + s for s in range(2)]


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


async def _burst(handle: SandboxHandle, kind: str, first: int, users: int) -> dict[str, Any]:
    arrivals = Arrivals()
    state = handle.sandbox.state
    original = state.put_message

    def put_message(message: dict[str, Any]) -> None:
        original(message)
        arrivals.record(message)

    state.put_message = put_message  # type: ignore[method-assign]
    try:
        return await _timed(handle, arrivals, kind, first, users)
    finally:
        state.put_message = original  # type: ignore[method-assign]


async def _timed(
    handle: SandboxHandle, arrivals: Arrivals, kind: str, first: int, users: int
) -> dict[str, Any]:
    await asyncio.gather(
        *(
            handle.control.send(FIRST_USER + i, FIRST_USER + i, TEXT.format(n=i))
            for i in range(first, first + users)
        )
    )

    def done() -> bool:
        if kind == "echo":
            return len(arrivals.echoed) == users
        numbers = [n for _, n in arrivals.confirmed.values()]
        return len(numbers) == users and all(n in arrivals.cards for n in numbers)

    deadline = time.perf_counter() + 900
    while not done():
        if time.perf_counter() > deadline:
            return {"error": "the bot did not answer everyone in 15 minutes"}
        await handle.sandbox.state.changed.wait(0.5)
    start = min(arrivals.user_sent.values())
    sent = arrivals.user_sent
    if kind == "echo":
        answered = dict(arrivals.echoed.items())
        return {
            "span": max(answered.values()) - start,
            "to_answer": [t - sent[c] for c, t in answered.items()],
            "to_card": [],
            "last_card": 0.0,
        }
    return {
        "span": max(t for t, _ in arrivals.confirmed.values()) - start,
        "to_answer": [t - sent[c] for c, (t, _) in arrivals.confirmed.items()],
        "to_card": [arrivals.cards[n] - sent[c] for c, (_, n) in arrivals.confirmed.items()],
        "last_card": max(arrivals.cards.values()) - start,
    }


class WorldProcess:
    """A bench's users' side in its own process, driven one line at a time:
    ``ask`` sends a command and reads its one JSON line; ``quit`` ends it."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def ask(self, line: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(f"{line}\n".encode())
        await self.process.stdin.drain()
        answer: dict[str, Any] = json.loads(await self.process.stdout.readline())
        return answer

    async def quit(self) -> None:
        if self.process.returncode is not None:
            return
        assert self.process.stdin is not None
        self.process.stdin.write(b"quit\n")
        await self.process.stdin.drain()
        try:
            await asyncio.wait_for(self.process.wait(), 10)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


async def _serve(args: argparse.Namespace) -> None:
    async with running_sandbox(args.data_dir, flood_limits=args.flood) as handle:
        control = handle.control
        for t in range(args.teams):
            for uid in staff_of(t):
                await control.create_user(uid, f"Консультант{uid}")
            members = dict.fromkeys(staff_of(t), "member")
            await control.create_chat(team_chat(t), f"Команда {t}", is_forum=True, members=members)
        for i in range(args.users):
            await control.create_user(FIRST_USER + i, f"Пользователь{i}")
        print(json.dumps({"url": handle.url, "token": handle.token}), flush=True)
        loop = asyncio.get_running_loop()
        while True:
            line = (await loop.run_in_executor(None, sys.stdin.readline)).split()
            if not line or line[0] == "quit":
                return
            if line[0] == "burst":
                result = await _burst(handle, line[1], int(line[2]), int(line[3]))
                result["stats"] = await control.stats()
                print(json.dumps(result), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sandbox_world")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--teams", type=int, default=1)
    parser.add_argument("--flood", action="store_true", help="Telegram's flood limits on")
    asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()
