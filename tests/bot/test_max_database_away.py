"""A MAX update that meets the database away is fetched again with the same marker (as
Telegram's, tests/bot/test_database_away.py), and then handled: nothing is lost."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from aiogram import Dispatcher, Router
from aiogram.types import Message
from pydantic import SecretStr

from bot.channels.max_poller import MaxPoller
from bot.compose import make_max
from bot.handlers import errors
from bot.settings import Settings
from sandbox.server import running_sandbox
from storage.database import Database

TEXT = "Не проводится накладная"
MAX_USER = 1006


async def test_the_max_poller_takes_the_batch_again_once_the_database_is_back(
    database: Database, tmp_path: Path
) -> None:
    seen: list[str] = []
    twice = asyncio.Event()
    failures: list[BaseException] = [ConnectionResetError(104, "reset by peer")]
    router = Router()

    @router.message()
    async def on_message(message: Message) -> None:
        seen.append(message.text or "")
        if len(seen) == 2:
            twice.set()
        if failures:
            raise failures.pop(0)

    dp = Dispatcher()
    dp.include_router(router)
    dp.include_router(errors.build())
    async with running_sandbox(tmp_path / "sandbox") as handle:
        await handle.control.create_user(MAX_USER, "Ирина", channel="max")
        settings = Settings(
            max_token=SecretStr(handle.max_token), max_api_url=handle.max_url, flood_limits=False
        )
        channel = make_max(settings, database, None)
        assert channel is not None
        poller = MaxPoller(
            dp, channel.bot, channel.client, database.uow, channel.reader,
            lambda: datetime.now(UTC), poll_seconds=1, min_interval=0.1,
        )  # fmt: skip
        stop = asyncio.Event()
        polling = asyncio.create_task(poller.run(stop))
        try:
            await handle.control.send(MAX_USER, MAX_USER, TEXT, channel="max")
            await asyncio.wait_for(twice.wait(), 20)
        finally:
            stop.set()
            await polling
            await channel.bot.session.close()
        told = [m for m in await handle.control.messages(MAX_USER, channel="max") if m["from_bot"]]
    assert seen == [TEXT, TEXT]
    assert told == []  # no «что-то пошло не так»: it was not lost, only late
