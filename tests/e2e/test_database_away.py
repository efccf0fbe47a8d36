"""The outbox sender while the database is away (a PostgreSQL restart): it neither
stops nor sends twice (found by the chaos run, bench/bench_chaos.py: the sender's
look for rows raised, the instance exited; deliveries it could not write down
were sent again)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.compose import compose
from bot.outbox import enqueue
from bot.outbox.deliver import Deliverer
from bot.outbox.sender import OutboxSender
from bot.services.cards import card_source
from sandbox.server import SandboxHandle
from storage.uow import UnitOfWork, UnitOfWorkFactory
from tests.e2e.conftest import Product
from tests.e2e.desk import Desk, text_of

USERS = list(range(5301, 5309))


class Away:
    """The database as the sender sees it: while ``away``, each transaction fails as
    a connection the server dropped would (its work rolled back)."""

    def __init__(self, real: UnitOfWorkFactory) -> None:
        self.real = real
        self.away = False
        self.failed = 0

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[UnitOfWork]:
        async with self.real() as uow:
            yield uow
            if self.away:
                self.failed += 1
                raise ConnectionResetError(104, "Connection reset by peer")


async def test_the_sender_waits_for_the_database_and_sends_each_message_once(
    seeded_sandbox: SandboxHandle, product: Product
) -> None:
    """The database goes away as the first message arrives and comes back 2 s later:
    the sender keeps looking, the deliveries made meanwhile are written down once it
    is back, and every user gets their message exactly once."""
    for user in USERS:
        await seeded_sandbox.control.create_user(user, f"Клиент {user}")
    app = await compose(product.settings, db=product.database, kb=product.knowledge)
    database = Away(product.database.uow)
    sender = OutboxSender(
        database,  # type: ignore[arg-type]
        Deliverer(app.bot, product.database.uow, card_source(app.tickets), None),
        holder="away:1",
    )
    async with product.database.uow() as uow:
        for user in USERS:
            enqueue.send(uow, user, f"Сообщение для {user}")

    state = seeded_sandbox.sandbox.state
    original = state.put_message

    def put_message(message: dict[str, Any]) -> None:
        original(message)
        if not database.away and not database.failed:  # the first one: it goes away
            database.away = True
            asyncio.get_running_loop().call_later(2.0, setattr, database, "away", False)

    state.put_message = put_message  # type: ignore[method-assign]
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    desk = Desk(seeded_sandbox, timeout=30)
    try:
        for user in USERS:
            await desk.wait_for(user, lambda m: "Сообщение для" in text_of(m), what="it")

        async def all_written_down() -> bool:
            async with product.database.uow() as uow:
                return not await uow.outbox.chat_heads()

        await desk.until(all_written_down, "every delivery written down")
    finally:
        stop.set()
        await running  # it never stopped by itself: this raises if it did
        await app.bot.session.close()
    assert database.failed > 0  # the database really was away meanwhile
    for user in USERS:
        said = [text_of(m) for m in await desk.control.messages(user)]
        assert said == [f"Сообщение для {user}"], said
