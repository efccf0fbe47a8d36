"""Less common paths: a staff group without topics, and silence closing a resolved ticket."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from bot.compose import App
from bot.jobs.housekeeping import close_silent_once
from desk.enums import Status
from storage.tables import ResolutionRow
from tests.e2e.desk import CONSULTANT, STAFF_CHAT, USER, Desk, text_of

NO_FAQ = "Кассир не видит кнопку возврата"


async def test_a_plain_group_threads_by_replies_to_the_card(desk: Desk, desk_app: App) -> None:
    """Without forum topics the card is a plain message; staff reply to it, the user's
    follow-ups come back as replies to it."""
    desk.handle.sandbox.state.chats[STAFF_CHAT].is_forum = False  # an admin never enabled topics
    sent = await desk.say(USER, USER, NO_FAQ)
    await desk.bot_says(USER, "зарегистрирована", after=sent)
    card = await desk.bot_says(STAFF_CHAT, "DEMO-1")
    assert await desk.control.topics(STAFF_CHAT) == []
    await _card_recorded(desk_app, card["message_id"])
    await desk.say(
        CONSULTANT, STAFF_CHAT, "Какая версия РМК?", reply_to_message_id=card["message_id"]
    )
    await desk.bot_says(USER, "Какая версия РМК?", after=sent)
    follow = await desk.say(USER, USER, "Версия 3.0.150")
    relayed = await desk.wait_for(
        STAFF_CHAT,
        lambda m: m["from"]["is_bot"] and "Версия 3.0.150" in text_of(m),
        after=card["message_id"],
        what="the follow-up in the group",
    )
    assert relayed["reply_to_message"]["message_id"] == card["message_id"]
    assert follow


async def _card_recorded(app: App, message_id: int) -> None:
    """Wait until the sender has recorded the card it just posted. The card shows
    in the group a moment before that commit; a person needs seconds to reply,
    the test replies at once, so it waits for the record (there is no event)."""
    for _ in range(200):
        async with app.db.uow() as uow:
            if await uow.messaging.link_of(STAFF_CHAT, message_id) is not None:
                return
        await asyncio.sleep(0.05)
    raise AssertionError("the card was never recorded")


async def test_silence_closes_a_resolved_ticket_after_the_set_business_time(
    desk: Desk, desk_app: App
) -> None:
    """A resolved ticket nobody confirms is closed by the periodic job once its time is up."""
    sent = await desk.say(USER, USER, NO_FAQ)
    await desk.bot_says(USER, "зарегистрирована", after=sent)
    topic = await desk.topic_of("DEMO-1")
    await desk.bot_says(STAFF_CHAT, "DEMO-1", thread_id=topic["message_thread_id"])  # the card
    await desk.say(CONSULTANT, STAFF_CHAT, "/resolve", message_thread_id=topic["message_thread_id"])
    asked = await desk.bot_says(USER, "Решено?", after=sent)
    assert await close_silent_once(desk_app) == 0  # not yet: the time is not up
    async with desk_app.db.uow() as uow:
        past = datetime.now(UTC) - timedelta(minutes=1)
        await uow.session.execute(update(ResolutionRow).values(close_at=past))
    assert await close_silent_once(desk_app) == 1
    closed = await desk.bot_says(USER, "закрыта", after=asked["message_id"])
    assert "подтверждения не было" in text_of(closed)
    async with desk_app.db.uow() as uow:
        assert (await uow.tickets.get("DEMO-1")).status is Status.CLOSED


async def test_an_album_makes_one_ticket_with_every_photo_in_the_topic(
    desk: Desk, desk_app: App
) -> None:
    """Three photos sent as one album (caption on the first) are one request, all in its topic."""
    from tests.e2e.desk import inject_message

    photo = [{"file_id": "AgADalbum", "file_unique_id": "u1", "width": 3, "height": 2}]
    first = inject_message(
        desk.handle, USER, USER, {"photo": photo, "caption": NO_FAQ, "media_group_id": "g1"}
    )
    for _ in range(2):
        inject_message(desk.handle, USER, USER, {"photo": photo, "media_group_id": "g1"})
    await desk.bot_says(USER, "зарегистрирована", after=first)
    topic = await desk.topic_of("DEMO-1")

    async def three_photos() -> bool:
        found = await desk.control.messages(
            STAFF_CHAT, message_thread_id=topic["message_thread_id"]
        )
        return sum("photo" in m for m in found) == 3

    await desk.until(three_photos, "the album's three photos in the topic")
    async with desk_app.db.uow() as uow:
        assert len(await uow.tickets.list()) == 1
