"""`python -m sandbox` serves alone; the web chat's change feed wakes on news."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import aiohttp
from aiogram import Bot

from sandbox.server import SandboxHandle
from tests.sandbox.fixtures import USER_ID


async def test_python_m_sandbox_serves_until_interrupted(tmp_path: Path):
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox",
        "--port",
        "0",
        "--data-dir",
        str(tmp_path),
        "--token",
        "42:standalone",
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    try:
        words = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode().split()
        assert words[0] == "sandbox"
        assert words[2:] == ["token", "42:standalone"]
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{words[1]}/bot42:standalone/getMe") as resp,
        ):
            assert (await resp.json())["result"]["id"] == 42
    finally:
        proc.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    assert (tmp_path / "sandbox.sqlite3").exists()


async def test_the_change_feed_answers_when_something_happens(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    version = (await seeded_sandbox.control.state())["version"]
    url = f"{seeded_sandbox.url}/sandbox/api/changes"
    async with aiohttp.ClientSession() as session:

        async def changed() -> int:
            params = {"since": str(version), "wait": "30"}
            async with session.get(url, params=params) as resp:
                newer: int = (await resp.json())["version"]
                return newer

        waiting = asyncio.create_task(changed())
        await sandbox_bot.send_message(USER_ID, "новость")
        assert await waiting > version


async def test_a_user_can_be_addressed_by_username(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    sent = await sandbox_bot.send_message("@anna_buh", "по имени")
    assert sent.chat.id == USER_ID
