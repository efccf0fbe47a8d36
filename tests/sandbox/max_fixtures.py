"""Fixtures for the MAX side of the sandbox (tests/sandbox/conftest.py imports them).

- ``max_sandbox``: a running sandbox (flood limits on) with MAX user 1006
  (Ирина Соколова, @irina_s) who has opened the dialog with the bot.
- ``max_bot``: the official client ``maxapi.Bot`` pointed at it (API URL
  ``handle.max_url``), retrying ``attachment.not.ready`` every 0.1 s.
- ``max_bot_for(handle, **kwargs)``: such a Bot for any sandbox.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from maxapi import Bot

from sandbox.server import SandboxHandle, running_sandbox

MAX_USER_ID = 1006


def max_bot_for(handle: SandboxHandle, **kwargs: Any) -> Bot:
    """The official MAX client talking to this sandbox instead of MAX."""
    kwargs.setdefault("after_upload_retry_delay", 0.1)
    bot = Bot(handle.max_token, **kwargs)
    bot.set_api_url(handle.max_url)
    return bot


@pytest.fixture
async def max_sandbox(tmp_path: Path) -> AsyncIterator[SandboxHandle]:
    async with running_sandbox(tmp_path / "sandbox") as handle:
        await handle.control.create_user(
            MAX_USER_ID, "Ирина", last_name="Соколова", username="irina_s", channel="max"
        )
        yield handle


@pytest.fixture
async def max_bot(max_sandbox: SandboxHandle) -> AsyncIterator[Bot]:
    bot = max_bot_for(max_sandbox)
    try:
        yield bot
    finally:
        await bot.close_session()
