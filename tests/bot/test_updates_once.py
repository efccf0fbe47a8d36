"""An update takes effect once: its claim (the bot and the update's content) is
recorded in the transaction that applies it, and kept only while Telegram may
deliver it again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiogram.types import Update

from bot.updates import identity
from storage.uow import UnitOfWorkFactory

BOT = 555


def _message(
    update_id: int, message_id: int, date: int, chat: int = 1001, text: str = "не проводится"
) -> Update:
    return Update.model_validate(
        {
            "update_id": update_id,
            "message": {
                "message_id": message_id,
                "date": date,
                "chat": {"id": chat, "type": "private"},
                "from": {"id": chat, "is_bot": False, "first_name": "Оля"},
                "text": text,
            },
        }
    )


async def _claim(uow_factory: UnitOfWorkFactory, update: Update, now: datetime) -> bool:
    who = identity(update)
    async with uow_factory() as uow:
        return await uow.messaging.claim_update(BOT, who.key, update.update_id, who.chat_id, now)


async def test_a_second_delivery_of_an_update_is_refused(uow_factory: UnitOfWorkFactory) -> None:
    """The first claim of an update wins; a re-delivery of the same update finds it taken."""
    now = datetime.now(UTC)
    update = _message(42, 10, 1_800_000_000)
    assert await _claim(uow_factory, update, now)
    assert not await _claim(uow_factory, update, now)


async def test_a_new_update_reusing_an_old_id_is_applied(uow_factory: UnitOfWorkFactory) -> None:
    """Ids that start again (a new token, a week of silence) never drop a new request."""
    now = datetime.now(UTC)
    assert await _claim(uow_factory, _message(1, 1, 1_800_000_000), now)
    assert await _claim(uow_factory, _message(1, 1, 1_800_000_500), now)  # same ids, later
    assert await _claim(uow_factory, _message(1, 7, 1_800_000_000), now)  # another message
    assert await _claim(uow_factory, _message(1, 1, 1_800_000_000, chat=1002), now)
    # a fresh Bot API in the same second: ids, chat and date alike, the words differ
    assert await _claim(uow_factory, _message(1, 1, 1_800_000_000, text="другой вопрос"), now)


async def test_the_same_update_for_another_bot_is_its_own(uow_factory: UnitOfWorkFactory) -> None:
    now = datetime.now(UTC)
    update = _message(3, 3, 1_800_000_000)
    who = identity(update)
    async with uow_factory() as uow:
        assert await uow.messaging.claim_update(1, who.key, 3, who.chat_id, now)
        assert await uow.messaging.claim_update(2, who.key, 3, who.chat_id, now)


async def test_a_failed_handling_leaves_the_update_to_be_tried_again(
    uow_factory: UnitOfWorkFactory,
) -> None:
    """If the transaction rolls back, the claim is not kept: the retry is handled."""
    now = datetime.now(UTC)
    update = _message(7, 7, 1_800_000_000)

    async def failing_handling() -> None:
        who = identity(update)
        async with uow_factory() as uow:
            assert await uow.messaging.claim_update(BOT, who.key, 7, who.chat_id, now)
            raise RuntimeError("handler failed")

    with pytest.raises(RuntimeError):
        await failing_handling()
    assert await _claim(uow_factory, update, now)


async def test_old_claims_are_pruned_and_recent_ones_kept(uow_factory: UnitOfWorkFactory) -> None:
    now = datetime.now(UTC)
    old, recent = _message(1, 1, 1_800_000_000), _message(2, 2, 1_800_000_000)
    assert await _claim(uow_factory, old, now - timedelta(hours=50))
    assert await _claim(uow_factory, recent, now - timedelta(hours=1))
    async with uow_factory() as uow:
        assert await uow.messaging.prune_claims(now - timedelta(hours=48)) == 1
    assert await _claim(uow_factory, old, now)  # forgotten: would be applied again
    assert not await _claim(uow_factory, recent, now)


def test_callback_queries_are_known_by_their_own_id() -> None:
    press = {
        "id": "987",
        "from": {"id": 1001, "is_bot": False, "first_name": "Оля"},
        "chat_instance": "x",
        "data": "u:1:view:",
    }
    first = identity(Update.model_validate({"update_id": 5, "callback_query": press}))
    again = identity(Update.model_validate({"update_id": 5, "callback_query": press}))
    other = identity(
        Update.model_validate({"update_id": 5, "callback_query": {**press, "id": "988"}})
    )
    assert first == again  # a re-delivery
    assert first.key != other.key  # another press with a reused update id
    assert first.chat_id == 1001


def test_an_edited_message_is_known_by_its_edit_time() -> None:
    """aiogram reads ``edit_date`` as plain Unix time (``date`` as a datetime): an edit's
    key once failed on it, and every edited message became an error (found by the fuzz,
    bench/bench_fuzz.py)."""

    def edit(edit_date: int) -> Update:
        message = _message(9, 4, 1_800_000_000).message
        assert message is not None
        body = message.model_dump(mode="json", exclude_none=True)
        return Update.model_validate(
            {"update_id": 9, "edited_message": {**body, "edit_date": edit_date}}
        )

    first, again, later = edit(1_800_000_100), edit(1_800_000_100), edit(1_800_000_200)
    assert identity(first) == identity(again)  # a re-delivery of the same edit
    assert identity(first).key != identity(later).key  # a second edit of the message
    assert identity(first).key.startswith("9:e:1001:4:1800000100:")


def test_an_update_of_a_type_aiogram_does_not_know_has_a_key() -> None:
    """A type newer than the library (or none) is read as an Update with no event:
    its key once asked for the event type and failed (found by the update fuzz)."""
    update = Update.model_validate({"update_id": 11, "brand_new_kind": {"x": 1}})
    who = identity(update)
    assert who.key.startswith("11:x:unknown:")
    assert who.chat_id is None
