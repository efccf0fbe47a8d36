"""Ticket topics on SQLite and PostgreSQL: recording a topic twice keeps the later one."""

from __future__ import annotations

from storage.uow import UnitOfWorkFactory
from tests.storage.tickets import new_ticket_id


async def test_a_topic_recorded_again_replaces_the_first_and_keeps_the_card(
    demo_uow_factory: UnitOfWorkFactory,
) -> None:
    """A topic made again (its first record was lost with a crash) is the one kept."""
    ticket_id = await new_ticket_id(demo_uow_factory)
    async with demo_uow_factory() as uow:
        await uow.messaging.save_topic(ticket_id, -100, 7, "DEMO-1 · P3 · x")
    async with demo_uow_factory() as uow:
        await uow.messaging.save_topic(ticket_id, -100, 9, "DEMO-1 · P2 · x")
        await uow.messaging.save_card(ticket_id, 41, "card")
    async with demo_uow_factory() as uow:
        topic = await uow.messaging.topic_of(ticket_id)
        assert topic is not None
        assert (topic.chat_id, topic.thread_id, topic.topic_name) == (-100, 9, "DEMO-1 · P2 · x")
        assert (topic.card_message_id, topic.card_text) == (41, "card")
        assert await uow.messaging.ticket_by_thread(-100, 9) == ticket_id
        assert await uow.messaging.ticket_by_thread(-100, 7) is None


async def test_a_plain_group_topic_has_no_thread(demo_uow_factory: UnitOfWorkFactory) -> None:
    ticket_id = await new_ticket_id(demo_uow_factory)
    async with demo_uow_factory() as uow:
        await uow.messaging.save_topic(ticket_id, -200, None, None)
    async with demo_uow_factory() as uow:
        topic = await uow.messaging.topic_of(ticket_id)
        assert topic is not None
        assert (topic.chat_id, topic.thread_id, topic.topic_name) == (-200, None, None)
