"""Webhook pushes as the messengers make them: several at once (Telegram: up to the
webhook's ``max_connections``), never two of one chat at once, one chat's in order,
and a push that fails holds back only its own chat."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiohttp import web
from maxapi import Bot as MaxBot

from sandbox._persistence import SnapshotStore
from sandbox._state import State
from sandbox.model import BotIdentity
from sandbox.server import SandboxHandle, running_sandbox
from tests.sandbox.fixtures import bot_for

TELEGRAM_USERS = (3001, 3002, 3003, 3004)
MAX_USERS = (4001, 4002, 4003)
ERROR_500 = "500 Internal Server Error"
WAIT = 20.0  # seconds a condition may take to come true before the test fails


def telegram_chat(update: dict[str, Any]) -> tuple[int, str]:
    message = update["message"]
    return message["chat"]["id"], message["text"]


def max_chat(update: dict[str, Any]) -> tuple[int, str]:
    message = update["message"]
    return message["recipient"]["chat_id"], message["body"]["text"]


class Hook:
    """The bot's webhook endpoint that holds each push until let go, recording what
    is in flight per chat; ``refuse`` chats' pushes are answered 500 at once."""

    def __init__(self, read: Callable[[dict[str, Any]], tuple[int, str]]) -> None:
        self.read = read
        self.flying: Counter[int] = Counter()
        self.peak = 0  # the most pushes in flight at once
        self.same_chat_peak = 0  # the most of one chat in flight at once
        self.taken: dict[int, list[str]] = {}  # per chat, the texts answered 200, in order
        self.refused = 0
        self.refuse: set[int] = set()
        self.hold = True
        self.let_go = asyncio.Event()
        self.changed = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        chat, text = self.read(await request.json())
        if chat in self.refuse:
            self.refused += 1
            self._changed()
            return web.Response(status=500)
        self.flying[chat] += 1
        self.peak = max(self.peak, sum(self.flying.values()))
        self.same_chat_peak = max(self.same_chat_peak, self.flying[chat])
        self._changed()
        try:
            if self.hold:
                await self.let_go.wait()
            self.taken.setdefault(chat, []).append(text)
        finally:
            self.flying[chat] -= 1
            self._changed()
        return web.json_response({})

    def release(self) -> None:
        self.hold = False
        self.let_go.set()

    def _changed(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()

    async def until(self, condition: Callable[[], bool], what: str) -> None:
        async def waiting() -> None:
            while not condition():
                await self.changed.wait()

        try:
            await asyncio.wait_for(waiting(), WAIT)
        except TimeoutError:
            pytest.fail(f"not within {WAIT:.0f} s: {what}")


@contextlib.asynccontextmanager
async def serving(hook: Hook) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/hook"
    finally:
        hook.release()
        await runner.cleanup()


async def until(handle: SandboxHandle, check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Until ``check`` holds, looking again whenever the sandbox's world changes."""
    changes = handle.sandbox.state.changed

    async def waiting() -> None:
        while not await check():
            await changes.wait(1.0)

    try:
        await asyncio.wait_for(waiting(), WAIT)
    except TimeoutError:
        pytest.fail(f"not within {WAIT:.0f} s: {what}")


async def test_telegram_pushes_up_to_max_connections_at_once_one_per_chat_in_order(
    sandbox: SandboxHandle, sandbox_bot: Bot
) -> None:
    control = sandbox.control
    for uid in TELEGRAM_USERS:
        await control.create_user(uid, f"Абонент {uid}")
    for n in (1, 2, 3):  # every user writes three messages before the bot is reachable
        for uid in TELEGRAM_USERS:
            await control.send(uid, uid, f"{uid}: сообщение {n}")
    hook = Hook(telegram_chat)
    async with serving(hook) as url:
        await sandbox_bot.set_webhook(url, max_connections=3)
        await hook.until(lambda: sum(hook.flying.values()) == 3, "three pushes in flight")
        info = await sandbox_bot.get_webhook_info()
        assert info.max_connections == 3
        assert info.pending_update_count == 12  # none answered yet
        assert len([c for c, n in hook.flying.items() if n]) == 3  # three chats at once
        assert hook.same_chat_peak == 1
        hook.release()
        await hook.until(lambda: sum(map(len, hook.taken.values())) == 12, "all 12 delivered")
    assert hook.peak == 3  # never more than max_connections
    assert hook.same_chat_peak == 1  # never two of one chat at once
    assert hook.taken == {
        uid: [f"{uid}: сообщение {n}" for n in (1, 2, 3)] for uid in TELEGRAM_USERS
    }

    async def nothing_pending() -> bool:
        return (await sandbox_bot.get_webhook_info()).pending_update_count == 0

    await until(sandbox, nothing_pending, "pending_update_count back to 0")


async def test_a_failing_chat_holds_back_only_itself_and_is_retried_in_order(
    sandbox: SandboxHandle, sandbox_bot: Bot
) -> None:
    control = sandbox.control
    stuck, *others = TELEGRAM_USERS
    for uid in TELEGRAM_USERS:
        await control.create_user(uid, f"Абонент {uid}")
    for n in (1, 2):
        for uid in TELEGRAM_USERS:
            await control.send(uid, uid, f"{uid}: сообщение {n}")
    hook = Hook(telegram_chat)
    hook.release()  # answer at once
    hook.refuse = {stuck}  # until the test lets it through
    async with serving(hook) as url:
        await sandbox_bot.set_webhook(url)
        await hook.until(
            lambda: all(len(hook.taken.get(u, [])) == 2 for u in others) and hook.refused >= 2,
            "the other chats delivered while the first one's push fails and is retried",
        )
        assert stuck not in hook.taken

        async def only_stuck_pending() -> bool:
            return (await sandbox_bot.get_webhook_info()).pending_update_count == 2

        await until(sandbox, only_stuck_pending, "only the failing chat's two updates pending")
        info = await sandbox_bot.get_webhook_info()
        assert (
            info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
        )
        assert info.last_error_date is not None
        hook.refuse = set()
        await hook.until(lambda: len(hook.taken.get(stuck, [])) == 2, "the failing chat's updates")
    assert hook.taken[stuck] == [f"{stuck}: сообщение 1", f"{stuck}: сообщение 2"]
    assert hook.same_chat_peak == 1
    await until(
        sandbox,
        lambda: _pending(sandbox_bot, 0),
        "pending_update_count back to 0 after the retries",
    )


async def _pending(bot: Bot, count: int) -> bool:
    return (await bot.get_webhook_info()).pending_update_count == count


async def test_max_pushes_several_dialogs_at_once_one_per_dialog_in_order(
    max_sandbox: SandboxHandle, max_bot: MaxBot
) -> None:
    control = max_sandbox.control
    for uid in MAX_USERS:
        await control.create_user(uid, f"Абонент {uid}", channel="max")
    for n in (1, 2):
        for uid in MAX_USERS:
            await control.send(uid, uid, f"{uid}: сообщение {n}", channel="max")
    hook = Hook(max_chat)
    async with serving(hook) as url:
        with pytest.warns(UserWarning, match="HTTPS"):  # maxapi warns of plain http
            assert (await max_bot.subscribe_webhook(url)).success
        await hook.until(
            lambda: sum(hook.flying.values()) == len(MAX_USERS), "one push per dialog in flight"
        )
        assert hook.same_chat_peak == 1
        stats = (await control.stats())["max"]
        assert stats["pending_updates"] == 2 * len(MAX_USERS)
        hook.release()
        await hook.until(
            lambda: sum(map(len, hook.taken.values())) == 2 * len(MAX_USERS), "all delivered"
        )
    assert hook.peak == len(MAX_USERS)
    assert hook.same_chat_peak == 1
    assert sorted(hook.taken.values()) == sorted(
        [f"{uid}: сообщение 1", f"{uid}: сообщение 2"] for uid in MAX_USERS
    )

    async def nothing_pending() -> bool:
        return bool((await control.stats())["max"]["pending_updates"] == 0)

    await until(max_sandbox, nothing_pending, "nothing pending on MAX")


async def test_a_restart_keeps_what_is_still_to_push_and_not_what_was_pushed(
    tmp_path: Path,
) -> None:
    """Pushes end in any order, so the pending updates the sandbox saves have gaps."""
    data = tmp_path / "sandbox"
    refused, taken = TELEGRAM_USERS[0::2], TELEGRAM_USERS[1::2]
    hook = Hook(telegram_chat)
    hook.release()
    hook.refuse = set(refused)
    async with running_sandbox(data) as first, serving(hook) as url:
        for uid in TELEGRAM_USERS:
            await first.control.create_user(uid, f"Абонент {uid}")
            await first.control.send(uid, uid, f"{uid}: сообщение")
        bot = bot_for(first)
        try:
            await bot.set_webhook(url)
            await hook.until(lambda: all(u in hook.taken for u in taken), "the others pushed")
            await until(first, lambda: _pending(bot, len(refused)), "the pushed ones forgotten")
        finally:
            await bot.session.close()

    async with running_sandbox(data) as second:
        kept = [(u["message"]["chat"]["id"], u["update_id"]) for u in second.sandbox.state.updates]
        assert [chat for chat, _ in kept] == list(refused)  # each once, none of the pushed
        assert len({update_id for _, update_id in kept}) == len(refused)
        bot = bot_for(second)
        try:
            await bot.delete_webhook()
            updates = await bot.get_updates(timeout=0)
        finally:
            await bot.session.close()
    assert [(u.message.chat.id, u.message.text) for u in updates if u.message] == [
        (uid, f"{uid}: сообщение") for uid in refused
    ]
    assert len(updates) == len(refused)


def test_the_saved_pending_updates_may_have_gaps(tmp_path: Path) -> None:
    """What was pushed out of order is saved as gone, what waits as it is."""
    state = State(BotIdentity(7, "bot", "Bot", "7:token"))
    store = SnapshotStore(tmp_path / "state.sqlite")
    state.touch_bot()
    try:
        store.write(store.take_dirty(state))
        updates = [
            state.add_update("message", {"chat": {"id": n}, "text": str(n)}) for n in range(4)
        ]
        store.write(store.take_dirty(state))
        state.forget_update(updates[1])  # pushed while the first still waits
        state.forget_update(updates[3])
        store.write(store.take_dirty(state))
        loaded = store.load()
    finally:
        store.close()
    assert loaded is not None
    assert list(loaded.updates) == [updates[0], updates[2]]
