"""kill -9 of the product in the middle of a burst of MAX users' requests: after a
restart nothing is lost and nothing is registered twice.

The product runs in a process of its own (``supportdesk run`` with its MAX bot on
the sandbox's MAX side), so SIGKILL stops it where it is.  The sandbox's MAX
feed is made to answer as dev.max.ru documents GET /updates: without a
``marker`` only the last update comes, so a product that forgets its marker on a
restart loses what MAX still held for it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from desk.channels import Address, Channel, channel_of, max_key
from sandbox.max.model import MaxMessage, PendingUpdate
from sandbox.server import SandboxHandle
from storage.outbox import FAILED, PENDING, SENT
from storage.tables import OutboxRow
from storage.uow import UnitOfWorkFactory
from tests.e2e.desk import Desk

REPO = Path(__file__).parents[2]
USERS = [7000 + i for i in range(30)]
# These press a button the bot does not know before they write: while the bot's
# answer to a press hangs, their requests wait behind the presses, unhandled.
PRESSERS = USERS[:5]
CONFIRMED = "зарегистрирована"


class Product:
    """``supportdesk run`` in a subprocess, started and stopped at will."""

    def __init__(self, handle: SandboxHandle, database_url: str, faq: Path) -> None:
        self.env = dict(os.environ)
        self.env.update(
            SUPPORTDESK_BOT_TOKEN=handle.token,
            SUPPORTDESK_TELEGRAM_API_URL=handle.url,
            SUPPORTDESK_MAX_TOKEN=handle.max_token,
            SUPPORTDESK_MAX_API_URL=handle.max_url,
            SUPPORTDESK_DATABASE_URL=database_url,
            SUPPORTDESK_KNOWLEDGE_PATH=str(faq),
            SUPPORTDESK_FAQ_EMBEDDINGS="off",
            SUPPORTDESK_FLOOD_LIMITS="false",
            SUPPORTDESK_LOG_LEVEL="WARNING",
        )
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", cwd=REPO, env=self.env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip

    async def stop(self, signum: int = signal.SIGTERM) -> int:
        """Stop it with ``signum``; its exit status."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signum)
        return await self.process.wait()


@pytest.fixture
async def product(
    seeded_sandbox: SandboxHandle,
    migrated_url: str,
    demo_uow_factory: UnitOfWorkFactory,
    faq_dir: Path,
) -> AsyncIterator[Product]:
    running = Product(seeded_sandbox, migrated_url, faq_dir)
    try:
        yield running
    finally:
        if running.process is not None:
            await running.stop()


def as_documented(handle: SandboxHandle) -> None:
    """GET /updates as dev.max.ru documents it: without a ``marker`` only the last
    update comes (the sandbox gives every unconfirmed one, as MAX's older docs said)."""
    feed = handle.sandbox.max.feed
    poll = feed.poll

    async def documented(
        marker: int | None, limit: int, seconds: float, types: list[str] | None
    ) -> tuple[list[PendingUpdate], int]:
        if marker is None and feed.state.updates:
            feed.state.confirm_updates(feed.state.updates[-1].number)
        return await poll(marker, limit, seconds, types)

    feed.poll = documented  # type: ignore[method-assign]


def bot_said(handle: SandboxHandle, uid: int) -> list[str]:
    """What the bot wrote in ``uid``'s MAX dialog, in order."""
    dialog = handle.sandbox.max.state.dialog(uid)
    return [str(m.message["body"].get("text") or "") for m in dialog if m.from_bot]


def confirmations(handle: SandboxHandle) -> dict[int, int]:
    """How many confirmations each MAX user of the burst has in their dialog."""
    return {uid: sum(CONFIRMED in text for text in bot_said(handle, uid)) for uid in USERS}


def kill_at_confirmation(handle: SandboxHandle, product: Product) -> None:
    """SIGKILL the product the moment the sandbox stores the next confirmation."""
    state = handle.sandbox.max.state
    original = state.put_message

    def put_message(record: MaxMessage) -> None:
        original(record)
        if record.from_bot and CONFIRMED in str(record.message["body"].get("text") or ""):
            state.put_message = original  # type: ignore[method-assign]
            assert product.process is not None
            product.process.send_signal(signal.SIGKILL)

    state.put_message = put_message  # type: ignore[method-assign]


async def recorded_confirmations(factory: UnitOfWorkFactory) -> set[int]:
    """The MAX users whose confirmation the outbox records as sent."""
    async with factory() as uow:
        rows = await uow.session.execute(
            select(OutboxRow.chat_id, OutboxRow.payload).where(OutboxRow.state == SENT)
        )
        return {
            Address.of_key(chat).id
            for chat, payload in rows
            if channel_of(chat) is Channel.MAX and CONFIRMED in str(payload.get("text"))
        }


async def max_rows(factory: UnitOfWorkFactory, state: str) -> int:
    """Outbox rows in ``state`` for MAX chats."""
    async with factory() as uow:
        chats = await uow.session.scalars(select(OutboxRow.chat_id).where(OutboxRow.state == state))
        return sum(1 for chat in chats if channel_of(chat) is Channel.MAX)


async def registered(factory: UnitOfWorkFactory) -> int:
    async with factory() as uow:
        return len(await uow.tickets.list(limit=1000))


@pytest.mark.slow
async def test_kill_9_mid_max_burst_then_restart_loses_and_doubles_nothing(
    seeded_sandbox: SandboxHandle,
    product: Product,
    migrated_url: str,
    demo_uow_factory: UnitOfWorkFactory,
) -> None:
    """30 MAX users join by deep link. While the product is down (a deploy) each
    writes a request, five of them after pressing a button the bot does not know.
    The product starts and takes them in one batch; answering a press hangs, and
    the product is killed with SIGKILL then, its batch half handled and not
    confirmed to MAX. Restarted, it handles the batch again and starts sending the
    confirmations; it is killed again at the first one MAX receives. After the
    last restart every request is a ticket exactly once and every user has their
    confirmation on MAX. The outbox delivers at least once: a confirmation on its
    way when the product died is sent again; one it recorded as sent never is."""
    handle, desk = seeded_sandbox, Desk(seeded_sandbox, timeout=120)
    control = handle.control
    as_documented(handle)
    await control.set_flood_limits(False)
    for uid in USERS:
        await control.create_user(uid, f"Пользователь {uid}", channel="max")
    await product.start()

    async def polling() -> bool:
        return bool((await control.stats())["max"]["poller_waiting"])

    await desk.until(polling, "the product polling MAX")  # its first start: no marker yet
    await asyncio.gather(*(control.send(uid, uid, "/start demo", channel="max") for uid in USERS))

    async def welcomed() -> bool:
        state = handle.sandbox.max.state
        if not all(any(m.from_bot for m in state.dialog(uid)) for uid in USERS):
            return False
        return await max_rows(demo_uow_factory, PENDING) == 0

    await desk.until(welcomed, "every MAX user welcomed after the deep link")
    assert await product.stop() == 0

    await control.add_fault(
        "answerOnCallback", "hang", count=len(PRESSERS), hang_seconds=300, channel="max"
    )

    async def writes(uid: int) -> None:
        if uid in PRESSERS:  # the request waits behind the press (one chat's updates in order)
            welcome = handle.sandbox.max.state.dialog(uid)[-1]
            await control.click(uid, uid, welcome.mid, "old:1", check_button=False, channel="max")
        await control.send(uid, uid, f"Кассир не видит кнопку возврата, касса {uid}", channel="max")

    await asyncio.gather(*(writes(uid) for uid in USERS))
    await product.start()

    async def hanging() -> bool:
        return bool((await control.stats())["max"]["faults_applied"].get("hang"))

    await desk.until(hanging, "the batch taken, a press hanging")
    free = len(USERS) - len(PRESSERS)
    if migrated_url.startswith("postgresql"):
        # the other requests are registered meanwhile (SQLite's one writer waits
        # behind the hanging press instead): MAX sends them again after the kill,
        # and their claims must stop them
        async def others_registered() -> bool:
            return await registered(demo_uow_factory) == free

        await desk.until(others_registered, "the requests not behind a press registered")
    assert await product.stop(signal.SIGKILL) == -signal.SIGKILL
    assert await registered(demo_uow_factory) <= free
    # what the outbox recorded as sent, and how many each of those users has then
    done = {u: confirmations(handle)[u] for u in await recorded_confirmations(demo_uow_factory)}
    await control.clear_faults()

    kill_at_confirmation(handle, product)
    await product.start()

    async def killed() -> bool:
        return product.process is not None and product.process.returncode is not None

    await desk.until(killed, "a confirmation on MAX after the restart (killed at it)")
    assert await product.stop() == -signal.SIGKILL
    recorded = await recorded_confirmations(demo_uow_factory)
    # (the one MAX was storing when the product died cannot be recorded as sent)
    assert len(recorded) < len(USERS)
    done |= {u: confirmations(handle)[u] for u in recorded}

    await product.start()

    async def settled() -> bool:
        """Everyone confirmed, MAX's updates all taken (marker moved past them) and
        nothing left to deliver on MAX: nothing more can come."""
        if not all(confirmations(handle).values()):
            return False
        if (await control.stats())["max"]["pending_updates"]:
            return False
        return await max_rows(demo_uow_factory, PENDING) == 0

    await desk.until(settled, "every confirmation after the restart, nothing pending")
    await product.stop()

    async with demo_uow_factory() as uow:
        tickets = await uow.tickets.list(limit=1000)
        assert await uow.audit.verify() == []
    # each request registered exactly once, as its MAX user's, answered on MAX
    assert sorted(t.requester_id for t in tickets) == sorted(max_key(u) for u in USERS)
    assert {t.user_chat for t in tickets} == {max_key(u) for u in USERS}
    counts = confirmations(handle)
    assert all(counts.values())  # nothing lost
    for uid in USERS:  # a request handled twice would be added to its ticket, and told
        welcome, *rest = bot_said(handle, uid)
        assert "Здравствуйте" in welcome
        assert len(rest) == counts[uid], rest
    # at least once: a confirmation on its way at a kill goes again (at most once a
    # run), one the outbox recorded as sent never does
    assert max(counts.values()) <= 3
    assert {u: counts[u] for u in done} == done
    assert await max_rows(demo_uow_factory, FAILED) == 0
