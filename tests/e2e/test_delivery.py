"""Delivery under Telegram's failures and limits, through the sandbox's fault switches."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.compose import App
from sandbox.server import SandboxHandle
from storage.tables import OutboxRow
from tests.e2e.conftest import Product
from tests.e2e.desk import CONSULTANT, STAFF_CHAT, USER, Desk, text_of

NO_FAQ = "Принтер в бухгалтерии печатает пустые листы"


async def _outbox(app: App) -> list[OutboxRow]:
    async with app.db.uow() as uow:
        return list(await uow.session.scalars(select(OutboxRow).order_by(OutboxRow.id)))


async def _settled(desk: Desk, app: App) -> list[OutboxRow]:
    """The outbox once nothing is pending any more."""

    async def check() -> list[OutboxRow] | None:
        rows = await _outbox(app)
        return None if any(r.state == "pending" for r in rows) else rows

    rows: list[OutboxRow] = await desk.until(check, "an empty outbox queue")
    return rows


async def test_a_429_storm_delays_the_confirmation_but_loses_nothing(
    desk: Desk, desk_app: App
) -> None:
    """Three 429s in a row on the user's chat: the confirmation still arrives, once."""
    await desk.control.add_fault("sendMessage", "429", count=3, chat_id=USER, retry_after=1)
    sent = await desk.say(USER, USER, NO_FAQ)
    await desk.bot_says(USER, "зарегистрирована", after=sent)
    messages = await desk.control.messages(USER, after=sent)
    assert sum("зарегистрирована" in text_of(m) for m in messages) == 1
    rows = await _settled(desk, desk_app)
    confirmation = next(r for r in rows if r.chat_id == USER)
    assert confirmation.state == "sent"
    assert confirmation.attempts == 4
    assert all(r.state != "failed" for r in rows)


async def test_server_errors_are_retried_with_backoff(desk: Desk, desk_app: App) -> None:
    """5xx answers on the staff group: the topic's card arrives after the retries."""
    await desk.control.add_fault("sendMessage", "5xx", count=2, chat_id=STAFF_CHAT)
    sent = await desk.say(USER, USER, NO_FAQ)
    await desk.bot_says(USER, "зарегистрирована", after=sent)
    topic = await desk.topic_of("DEMO-1")
    await desk.bot_says(STAFF_CHAT, "DEMO-1", thread_id=topic["message_thread_id"])
    stats = await desk.control.stats()
    assert stats["faults_applied"]
    assert all(r.state == "sent" for r in await _settled(desk, desk_app))
    assert [t["name"] for t in await desk.control.topics(STAFF_CHAT)] == [topic["name"]]


async def test_a_topic_made_before_a_restart_gets_its_card_and_no_twin(
    seeded_sandbox: SandboxHandle, product: Product
) -> None:
    """The bot stops while the card of a just-made topic is on its way (its first try):
    the next start posts the card into that topic instead of making a second one."""
    desk = Desk(seeded_sandbox)
    await desk.control.add_fault("sendMessage", "hang", chat_id=STAFF_CHAT, hang_seconds=60)
    async with product.run() as app:
        sent = await desk.say(USER, USER, NO_FAQ)
        await desk.bot_says(USER, "зарегистрирована", after=sent)
        topic = await desk.topic_of("DEMO-1")

        async def card_on_its_way() -> bool:
            stats = await desk.control.stats()
            return bool(stats["faults_applied"])

        await desk.until(card_on_its_way, "the card's send to hang")
    assert [(r.kind, r.state, r.attempts) for r in await _outbox(app) if r.kind == "topic"] == [
        ("topic", "pending", 0)
    ]
    await desk.control.clear_faults()
    async with product.run() as app:
        await desk.bot_says(STAFF_CHAT, "DEMO-1", thread_id=topic["message_thread_id"])
        assert all(r.state == "sent" for r in await _settled(desk, app))
    assert [t["name"] for t in await desk.control.topics(STAFF_CHAT)] == [topic["name"]]


async def test_a_user_who_blocked_the_bot_is_shown_to_staff_not_retried(
    desk: Desk, desk_app: App
) -> None:
    """403 for the user: recorded on the card and told in the topic, given up at once."""
    sent = await desk.say(USER, USER, NO_FAQ)
    await desk.bot_says(USER, "зарегистрирована", after=sent)
    topic = await desk.topic_of("DEMO-1")
    thread = topic["message_thread_id"]
    await desk.bot_says(STAFF_CHAT, "DEMO-1", thread_id=thread)
    await desk.control.block_bot(USER)
    answer = await desk.say(CONSULTANT, STAFF_CHAT, "Проверьте драйвер", message_thread_id=thread)
    await desk.bot_says(STAFF_CHAT, "заблокировал бота", thread_id=thread, after=answer)

    async def card_warns() -> bool:
        found = await desk.control.messages(STAFF_CHAT, message_thread_id=thread)
        return any("⚠️" in text_of(m) and "DEMO-1" in text_of(m) and m["edited"] for m in found)

    await desk.until(card_warns, "the card's warning")
    failed = [r for r in await _settled(desk, desk_app) if r.state == "failed"]
    assert len(failed) == 1
    assert failed[0].attempts == 1
    assert "403" in (failed[0].error or "")


@pytest.mark.slow
@pytest.mark.flood_limits
async def test_a_burst_of_users_meets_the_flood_limits(desk: Desk, desk_app: App) -> None:
    """Twelve users writing at once and one user sending six follow-ups fast: every
    confirmation, card and relay arrives, and the sandbox refused no call (no 429)."""
    users = list(range(5001, 5013))
    for uid in users:
        await desk.control.create_user(uid, f"Пользователь{uid}")
        await desk.say(uid, uid, "/start demo")
    for uid in users:
        await desk.bot_says(uid, "Вы подключены")
    await asyncio.gather(*(desk.say(uid, uid, f"{NO_FAQ} #{uid}") for uid in users))
    for uid in users:
        await desk.bot_says(uid, "зарегистрирована")
    first = await desk.say(USER, USER, NO_FAQ)
    await desk.bot_says(USER, "зарегистрирована", after=first)
    for i in range(6):
        await desk.say(USER, USER, f"дополнение {i}")

    async def all_there() -> bool:
        topics = await desk.control.topics(STAFF_CHAT)
        acks = [
            m for m in await desk.control.messages(USER, after=first) if "Добавил" in text_of(m)
        ]
        return len(topics) == len(users) + 1 and len(acks) == 6

    await desk.until(all_there, "every topic and acknowledgement", within=60)
    stats = await desk.control.stats()
    assert stats["refused"]["total"] == 0
    assert all(r.state == "sent" for r in await _settled(desk, desk_app))
