"""Reusable pytest fixtures for anything that talks to the sandbox.

Use them from a conftest.py (tests/sandbox and tests/e2e already do)::

    from tests.sandbox.fixtures import sandbox, sandbox_bot, seeded_sandbox  # noqa: F401

- ``sandbox``: a running sandbox (fresh data dir, flood limits ON) -> SandboxHandle
  (``.url``, ``.token``, ``.bot_id``, ``.control`` = SandboxControl, ``.sandbox``).
- ``seeded_sandbox``: the same, with the demo's people: user 1001, consultants 2001
  and 2002, and the staff forum supergroup -1001000000001 (bot is admin).
- ``sandbox_bot``: an aiogram ``Bot`` pointed at ``sandbox`` through
  ``TelegramAPIServer.from_base``, closed afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from sandbox.server import SandboxHandle, running_sandbox

USER_ID = 1001
CONSULTANT_IDS = (2001, 2002)
STAFF_CHAT_ID = -1001000000001


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[SandboxHandle]:
    async with running_sandbox(tmp_path / "sandbox") as handle:
        yield handle


@pytest.fixture
async def seeded_sandbox(sandbox: SandboxHandle) -> SandboxHandle:
    control = sandbox.control
    await control.create_user(USER_ID, "Анна", username="anna_buh")
    await control.create_user(CONSULTANT_IDS[0], "Олег", username="oleg_1c")
    await control.create_user(CONSULTANT_IDS[1], "Марина", username="marina_1c")
    await control.create_chat(
        STAFF_CHAT_ID,
        "Поддержка 1С — линия 1",
        is_forum=True,
        members={CONSULTANT_IDS[0]: "administrator", CONSULTANT_IDS[1]: "member"},
    )
    return sandbox


def bot_for(handle: SandboxHandle) -> Bot:
    """An aiogram Bot that talks to this sandbox instead of Telegram."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(handle.url))
    return Bot(handle.token, session=session)


@pytest.fixture
async def sandbox_bot(sandbox: SandboxHandle) -> AsyncIterator[Bot]:
    bot = bot_for(sandbox)
    try:
        yield bot
    finally:
        await bot.session.close()
