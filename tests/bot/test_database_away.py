"""An update that meets the database away (a restart, a failover) is not confirmed:
it comes again and takes effect then; any other failure is told to the user and
passed over, as before (found by the chaos run, bench/bench_chaos.py: during a
PostgreSQL restart every pushed request was answered 200 and lost)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.types import Message, Update

from bot.handlers import errors
from bot.polling import handle_batch, poll
from bot.reader import UpdateReader
from sandbox.server import SandboxHandle
from storage.uow import UnitOfWorkFactory
from tests.sandbox.fixtures import USER_ID, bot_for

TEXT = "Не проводится накладная"


def _dispatcher(
    failures: list[BaseException], seen: list[str], twice: asyncio.Event | None = None
) -> Dispatcher:
    """A dispatcher whose message handler raises each of ``failures`` in turn, then works."""
    router = Router()

    @router.message()
    async def handle(message: Message) -> None:
        seen.append(message.text or "")
        if twice is not None and len(seen) == 2:
            twice.set()
        if failures:
            raise failures.pop(0)

    dp = Dispatcher()
    dp.include_router(router)
    dp.include_router(errors.build())
    return dp


def _update(update_id: int = 1) -> Update:
    return Update.model_validate(
        {
            "update_id": update_id,
            "message": {
                "message_id": 1,
                "date": 1_800_000_000,
                "chat": {"id": USER_ID, "type": "private"},
                "from": {"id": USER_ID, "is_bot": False, "first_name": "Анна"},
                "text": TEXT,
            },
        }
    )


@pytest.fixture
async def bot(seeded_sandbox: SandboxHandle) -> AsyncIterator[Bot]:
    bot = bot_for(seeded_sandbox)
    try:
        yield bot
    finally:
        await bot.session.close()


async def _told(handle: SandboxHandle) -> list[str]:
    messages = await handle.control.messages(USER_ID)
    return [str(m.get("text")) for m in messages if m["from"]["is_bot"]]


async def test_a_batch_that_met_the_database_away_is_to_be_fetched_again(
    seeded_sandbox: SandboxHandle, bot: Bot
) -> None:
    """handle_batch says so, the webhook's feed raises (aiohttp answers 500, Telegram
    pushes again), and the user hears no error: the request is not lost."""
    seen: list[str] = []
    dp = _dispatcher([ConnectionRefusedError(111, "Connect call failed")], seen)
    assert not await handle_batch(dp, bot, [_update()])
    dp = _dispatcher([TimeoutError()], seen)
    with pytest.raises(TimeoutError):
        await dp.feed_webhook_update(bot, _update(2))
    assert seen == [TEXT, TEXT]
    assert await _told(seeded_sandbox) == []


async def test_any_other_failure_is_told_and_passed_over(
    seeded_sandbox: SandboxHandle, bot: Bot
) -> None:
    seen: list[str] = []
    dp = _dispatcher([ValueError("a bug"), FileNotFoundError(2, "gone")], seen)
    assert await handle_batch(dp, bot, [_update(1)])
    assert await handle_batch(dp, bot, [_update(2)])
    told = await _told(seeded_sandbox)
    assert len(told) == 2
    assert all("Что-то пошло не так" in t for t in told)


async def test_polling_takes_the_update_again_once_the_database_is_back(
    seeded_sandbox: SandboxHandle, bot: Bot, uow_factory: UnitOfWorkFactory
) -> None:
    """The offset stays before an update that met the database away; the next fetch
    brings it again and it is handled."""
    seen: list[str] = []
    twice = asyncio.Event()
    dp = _dispatcher([ConnectionResetError(104, "reset by peer")], seen, twice)
    stop = asyncio.Event()
    reader = UpdateReader(bot, uow_factory, lambda: datetime.now(UTC))
    polling = asyncio.create_task(poll(dp, bot, stop, reader, poll_seconds=1))
    try:
        await seeded_sandbox.control.send(USER_ID, USER_ID, TEXT)
        await asyncio.wait_for(twice.wait(), 20)
    finally:
        stop.set()
        await polling
    assert seen == [TEXT, TEXT]
    assert await _told(seeded_sandbox) == []
