"""Several instances on one database: one poller per bot, and each outbox lane sent by
one instance at a time (leases, ARCHITECTURE.md "Several instances")."""

from __future__ import annotations

import asyncio

import pytest

from bot.compose import compose
from bot.instance import AnotherPoller
from sandbox.server import SandboxHandle
from tests.e2e.conftest import Product
from tests.e2e.desk import USER, Desk, text_of


async def test_a_second_poller_of_the_same_bot_stops_with_a_clear_message(
    seeded_sandbox: SandboxHandle, product: Product
) -> None:
    first = product.settings.model_copy(update={"instance": "a"})
    second = product.settings.model_copy(update={"instance": "b"})
    async with product.run(first):
        with pytest.raises(AnotherPoller, match=r"another instance \(a:\d+\) already polls"):
            async with product.run(second):
                pass  # pragma: no cover - it must not get here
        desk = Desk(seeded_sandbox)  # the first still serves
        sent = await desk.say(USER, USER, "Не печатается накладная на складе")
        await desk.bot_says(USER, "зарегистрирована", after=sent)


@pytest.mark.slow
async def test_two_instances_share_the_outbox_and_send_each_message_once(
    seeded_sandbox: SandboxHandle, product: Product
) -> None:
    """Instance b's sender runs beside instance a (which takes the updates): every
    user gets their confirmation once, whichever sender took their lane."""
    users = list(range(5101, 5113))
    for user in users:
        await seeded_sandbox.control.create_user(user, f"Клиент {user}")
    second = await compose(
        product.settings.model_copy(update={"instance": "b"}),
        db=product.database,
        kb=product.knowledge,
    )
    stop = asyncio.Event()
    other_sender = asyncio.create_task(second.sender.run(stop))
    desk = Desk(seeded_sandbox, timeout=40)
    try:
        async with product.run(product.settings.model_copy(update={"instance": "a"})) as app:
            for user in users:
                await desk.say(user, user, "/start demo")
            for user in users:
                await desk.bot_says(user, "Демо")
            # a slow network for some confirmations: a lane in flight for 2.5 s, while
            # the other instance looks for work every second
            for user in users[::3]:
                await desk.control.add_fault("sendMessage", "slow", chat_id=user, hang_seconds=2.5)
            await asyncio.gather(
                *(desk.say(u, u, f"Не проводится документ номер {u}") for u in users)
            )
            for user in users:
                await desk.wait_for(
                    user,
                    lambda m: m["from"]["is_bot"] and "зарегистрирована" in text_of(m),
                    what="the confirmation",
                )
            await app.sender.drain()
            await second.sender.drain()
    finally:
        stop.set()
        await other_sender
        await second.bot.session.close()
    for user in users:
        said = [text_of(m) for m in await desk.control.messages(user) if m["from"]["is_bot"]]
        assert sum("зарегистрирована" in t for t in said) == 1, (user, said)
        assert sum("Демо" in t and "зарегистрирована" not in t for t in said) == 1, said
    assert app.sender.delivered + second.sender.delivered >= 2 * len(users)
