"""kill -9 of the bot in the middle of a burst: a restart loses nothing and doubles nothing."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from desk.model import User
from sandbox.server import SandboxHandle
from storage.uow import UnitOfWorkFactory
from tests.e2e.desk import STAFF_CHAT, Desk, free_port, text_of

REPO = Path(__file__).parents[2]
USERS = [6000 + i for i in range(100)]


async def _start_bot(
    handle: SandboxHandle, database_url: str, faq: Path, **more: str
) -> asyncio.subprocess.Process:
    env = dict(os.environ)
    env.update(
        SUPPORTDESK_BOT_TOKEN=handle.token,
        SUPPORTDESK_TELEGRAM_API_URL=handle.url,
        SUPPORTDESK_DATABASE_URL=database_url,
        SUPPORTDESK_KNOWLEDGE_PATH=str(faq),
        SUPPORTDESK_FLOOD_LIMITS="false",
        SUPPORTDESK_LOG_LEVEL="WARNING",
        **more,
    )
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=REPO, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def _confirmed(desk: Desk) -> dict[int, int]:
    """How many confirmations each user of the burst has received."""
    counts = {}
    for uid in USERS:
        messages = await desk.control.messages(uid)
        counts[uid] = sum("зарегистрирована" in text_of(m) for m in messages)
    return counts


def _kill_at_confirmation(
    handle: SandboxHandle, bot: asyncio.subprocess.Process, count: int
) -> None:
    """SIGKILL the bot the moment the sandbox stores the ``count``-th confirmation
    (polling for them from here would see the burst over first)."""
    state = handle.sandbox.state
    original = state.put_message
    seen = 0

    def put_message(message: dict[str, Any]) -> None:
        nonlocal seen
        original(message)
        if message["chat"]["id"] in USERS and "зарегистрирована" in text_of(message):
            seen += 1
            if seen == count:
                bot.send_signal(signal.SIGKILL)
                state.put_message = original  # type: ignore[method-assign]

    state.put_message = put_message  # type: ignore[method-assign]


@pytest.mark.slow
async def test_kill_9_mid_burst_then_restart_registers_every_request_once(
    seeded_sandbox: SandboxHandle,
    migrated_url: str,
    demo_uow_factory: UnitOfWorkFactory,
    faq_dir: Path,
) -> None:
    """100 users write at once; the bot process is killed with SIGKILL after some
    confirmations went out; after a restart every request is a ticket exactly once,
    every user has a confirmation and every ticket a card in the staff group."""
    await _burst_kill_restart(seeded_sandbox, migrated_url, demo_uow_factory, faq_dir)


@pytest.mark.slow
async def test_kill_9_in_webhook_mode_loses_no_pushed_update(
    seeded_sandbox: SandboxHandle,
    migrated_url: str,
    demo_uow_factory: UnitOfWorkFactory,
    faq_dir: Path,
) -> None:
    """The same in webhook mode: an update is handled before its push is answered, so a
    push cut by the kill is pushed again after the restart and nothing is lost."""
    port = free_port()
    webhook = {
        "SUPPORTDESK_WEBHOOK_URL": f"http://127.0.0.1:{port}",
        "SUPPORTDESK_WEBHOOK_PORT": str(port),
        "SUPPORTDESK_WEBHOOK_SECRET": "webhook-secret-for-the-crash-test",
    }
    await _burst_kill_restart(seeded_sandbox, migrated_url, demo_uow_factory, faq_dir, webhook)


async def _burst_kill_restart(
    handle: SandboxHandle,
    migrated_url: str,
    demo_uow_factory: UnitOfWorkFactory,
    faq_dir: Path,
    more: dict[str, str] | None = None,
) -> None:
    desk = Desk(handle, timeout=120)
    now = datetime.now(UTC)
    async with demo_uow_factory() as uow:
        for uid in USERS:
            await uow.users.bind(User(uid, "DEMO", f"Пользователь {uid}", now))
    for uid in USERS:
        await handle.control.create_user(uid, f"Пользователь {uid}")
    await handle.control.set_flood_limits(False)

    bot = await _start_bot(handle, migrated_url, faq_dir, **(more or {}))
    _kill_at_confirmation(handle, bot, 20)
    await asyncio.gather(
        *(
            handle.control.send(uid, uid, f"Кассир не видит кнопку возврата, касса {uid}")
            for uid in USERS
        )
    )
    await asyncio.wait_for(bot.wait(), 120)
    before = sum(1 for n in (await _confirmed(desk)).values() if n)
    assert before < len(USERS), "the burst was over before the kill: nothing was tested"

    bot = await _start_bot(handle, migrated_url, faq_dir, **(more or {}))
    try:

        async def everyone() -> bool:
            confirmed = await _confirmed(desk)
            topics = await handle.control.topics(STAFF_CHAT)
            return all(confirmed.values()) and len({t["name"] for t in topics}) >= len(USERS)

        await desk.until(everyone, "every confirmation and card after the restart")
    finally:
        bot.send_signal(signal.SIGTERM)
        await bot.wait()

    async with demo_uow_factory() as uow:
        tickets = await uow.tickets.list(limit=1000)
        assert await uow.audit.verify() == []
    requesters = [t.requester_id for t in tickets]
    assert sorted(requesters) == USERS  # each request registered exactly once
