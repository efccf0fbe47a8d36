"""MAX updates read as the dispatcher takes them; a bad one is refused by name."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.types import Update

from bot.channels.max_session import max_html
from bot.channels.max_updates import UnreadableMaxUpdate, mid_of_message, sender_of, to_telegram
from desk.channels import max_key

USER = {"user_id": 5001, "first_name": "Ольга", "name": "Ольга", "is_bot": False}


def message_created(**body: Any) -> dict[str, Any]:
    return {
        "update_type": "message_created",
        "timestamp": 1_765_000_000_123,
        "message": {
            "sender": USER,
            "recipient": {"chat_id": 77, "chat_type": "dialog", "user_id": 9},
            "timestamp": 1_765_000_000_000,
            "body": {"mid": "mid.00ab", "seq": 42, "text": "Не печатает чеки", **body},
        },
    }


def read(raw: dict[str, Any], person: int | None = None) -> Update:
    sender = sender_of(raw)
    assert sender is not None
    return Update.model_validate(to_telegram(raw, sender, person or sender.key))


def test_a_message_is_a_private_message_of_the_users_max_chat() -> None:
    update = read(message_created())
    assert update.message is not None
    assert update.message.chat.id == max_key(5001)
    assert update.message.chat.type == "private"
    assert update.message.from_user is not None
    assert update.message.from_user.id == max_key(5001)  # a stranger: known by the chat
    assert update.message.message_id == 42
    assert update.message.text == "Не печатает чеки"
    assert mid_of_message(message_created()) == (42, "mid.00ab")


def test_a_person_bound_on_telegram_writes_from_max_as_themselves() -> None:
    update = read(message_created(), person=1001)
    assert update.message is not None
    assert update.message.from_user is not None
    assert update.message.from_user.id == 1001
    assert update.message.chat.id == max_key(5001)  # answers go back to MAX


def test_a_photo_and_a_file_carry_their_download_url() -> None:
    photo = {"type": "image", "payload": {"url": "http://max.test/f/1", "token": "t1"}}
    update = read(message_created(attachments=[photo]))
    assert update.message is not None
    assert update.message.photo is not None
    assert update.message.photo[-1].file_id == "http://max.test/f/1"
    assert update.message.caption == "Не печатает чеки"
    doc = {"type": "file", "payload": {"url": "http://max.test/f/2"}, "filename": "акт.pdf"}
    update = read(message_created(attachments=[doc], text=""))
    assert update.message is not None
    assert update.message.document is not None
    assert update.message.document.file_name == "акт.pdf"


def test_a_reply_names_the_message_it_answers() -> None:
    raw = message_created()
    raw["message"]["link"] = {"type": "reply", "message": {"mid": "mid.01", "seq": 40}}
    update = read(raw)
    assert update.message is not None
    assert update.message.reply_to_message is not None
    assert update.message.reply_to_message.message_id == 40


def test_a_deep_link_start_is_start_with_its_code() -> None:
    raw = {
        "update_type": "bot_started",
        "timestamp": 1,
        "chat_id": 77,
        "user": USER,
        "payload": "demo",
    }
    update = read(raw)
    assert update.message is not None
    assert update.message.text == "/start demo"


def test_a_button_press_is_a_callback_query_with_its_data() -> None:
    raw = {
        "update_type": "message_callback",
        "timestamp": 5,
        "callback": {"callback_id": "cb-1", "payload": "faq:7:open:0", "user": USER},
        "message": {"timestamp": 4000, "body": {"mid": "mid.02", "seq": 43, "text": "…"}},
    }
    update = read(raw)
    assert update.callback_query is not None
    assert update.callback_query.id == "cb-1"
    assert update.callback_query.data == "faq:7:open:0"
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == 43


def test_group_chats_bots_and_other_types_are_passed_over() -> None:
    group = message_created()
    group["message"]["recipient"]["chat_type"] = "chat"
    assert sender_of(group) is None
    robot = message_created()
    robot["message"]["sender"] = {**USER, "is_bot": True}
    assert sender_of(robot) is None
    assert sender_of({"update_type": "message_removed", "timestamp": 1}) is None


@pytest.mark.parametrize(
    ("raw", "complaint"),
    [
        ({"update_type": "message_created", "timestamp": 1}, "'message' should be an object"),
        (
            {"update_type": "bot_started", "timestamp": 1, "user": {**USER, "user_id": "5001"}},
            "'user_id' should be an integer",
        ),
        (
            {"update_type": "bot_started", "timestamp": 1, "user": {**USER, "user_id": -3}},
            "out of range",
        ),
        (
            {"update_type": "message_callback", "timestamp": 1, "callback": {"user": USER}},
            "callback_id",
        ),
    ],
)
def test_an_update_missing_what_its_type_carries_is_unreadable(
    raw: dict[str, Any], complaint: str
) -> None:
    def read_it() -> None:
        sender = sender_of(raw)
        assert sender is not None
        to_telegram(raw, sender, sender.key)

    with pytest.raises(UnreadableMaxUpdate, match=complaint):
        read_it()


def test_telegram_html_keeps_what_max_shows() -> None:
    html = '<b>DEMO-1</b> <tg-spoiler>x</tg-spoiler> <a href="tg://user?id=1">Ким</a> <a href="https://1c.ru">1С</a>'
    assert max_html(html) == '<b>DEMO-1</b> x Ким <a href="https://1c.ru">1С</a>'
