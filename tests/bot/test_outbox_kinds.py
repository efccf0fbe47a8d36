"""Outbox payloads keep the JSON rows have always had: each kind's payload reads
a row as an earlier version wrote it and writes the very same JSON back, and a
payload that does not fit its kind is refused by name."""

from __future__ import annotations

import json

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.outbox import kinds
from bot.outbox.kinds import BadPayload, Link, OutboxKind, Payload, Relay
from storage.outbox import JsonObject

KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Помогло", callback_data="faq:1:ok")]]
)
KEYBOARD_JSON: JsonObject = {
    "inline_keyboard": [[{"text": "Помогло", "callback_data": "faq:1:ok"}]]
}
LINK_JSON: JsonObject = {"author": "user", "author_id": 1001, "public": False, "text": None}
RELAY_JSON: JsonObject = {"from": "user", "chat_id": 1001, "message_id": 42}

# (the payload, and its row's JSON exactly as the code before typed payloads wrote it)
ROWS: list[tuple[Payload, JsonObject]] = [
    (
        kinds.Send("<b>Заявка</b>", False, KEYBOARD, None),
        {"text": "<b>Заявка</b>", "topic": False, "markup": KEYBOARD_JSON, "link": None},
    ),
    (
        kinds.Send(
            "в тему",
            True,
            None,
            Link("user", 1001, public=False, text=None),
            Relay("user", 1001, 42),
        ),
        {
            "text": "в тему",
            "topic": True,
            "markup": None,
            "link": LINK_JSON,
            "relay": RELAY_JSON,
        },
    ),
    (
        kinds.Copy(1001, 42, "подпись", True, Link("user", 1001, public=False, text=None)),
        {
            "from_chat_id": 1001,
            "message_id": 42,
            "caption": "подпись",
            "topic": True,
            "link": LINK_JSON,
        },
    ),
    (
        kinds.Copy(2001, 7, None, False, None, Relay("staff", -100, 7)),
        {
            "from_chat_id": 2001,
            "message_id": 7,
            "caption": None,
            "topic": False,
            "link": None,
            "relay": {"from": "staff", "chat_id": -100, "message_id": 7},
        },
    ),
    (kinds.OpenTopic(), {}),
    (
        kinds.OpenTopic(kinds.Card("карточка", KEYBOARD, "DEMO-1 · P3")),
        {"card": {"text": "карточка", "markup": KEYBOARD_JSON, "name": "DEMO-1 · P3"}},
    ),
    (kinds.Refresh(), {}),
    (kinds.TopicState(closed=True), {"closed": True}),
    (kinds.SetMarkup(5, None), {"message_id": 5, "markup": None}),
    (kinds.SetMarkup(5, KEYBOARD), {"message_id": 5, "markup": KEYBOARD_JSON}),
    (kinds.Edit(5, "новый текст"), {"message_id": 5, "text": "новый текст", "markup": None}),
    (kinds.Document(3, None), {"file_id": 3, "caption": None}),
    (
        kinds.Carry(
            (("photo", "https://max.example/f/1", None), ("document", "BQAC", "акт.pdf")),
            "подпись",
            True,
            None,
            Relay("user", -(2**53) - 7, 3),
        ),
        {
            "media": [
                {"kind": "photo", "file_id": "https://max.example/f/1", "name": None},
                {"kind": "document", "file_id": "BQAC", "name": "акт.pdf"},
            ],
            "caption": "подпись",
            "topic": True,
            "link": None,
            "relay": {"from": "user", "chat_id": -(2**53) - 7, "message_id": 3},
        },
    ),
]


@pytest.mark.parametrize(("payload", "row"), ROWS)
def test_a_payload_writes_the_json_rows_always_had_and_reads_it_back(
    payload: Payload, row: JsonObject
) -> None:
    assert payload.to_json() == row
    stored = json.loads(json.dumps(row))  # as the JSON column gives it back
    assert type(payload).from_json(stored) == payload


def test_every_kind_has_a_payload_and_its_name_is_the_stored_one() -> None:
    assert {type(p).kind for p, _ in ROWS} == set(OutboxKind)
    assert [k.value for k in OutboxKind] == [
        "send", "copy", "topic", "refresh", "topic_state", "markup", "edit", "document", "carry"
    ]  # fmt: skip


def test_optional_keys_an_older_row_lacks_read_as_their_defaults() -> None:
    assert kinds.Send.from_json({"text": "коротко"}) == kinds.Send("коротко")
    assert kinds.Copy.from_json({"from_chat_id": 1, "message_id": 2}) == kinds.Copy(1, 2)


@pytest.mark.parametrize(
    ("payload_class", "data", "complaint"),
    [
        (kinds.Send, {"topic": True}, "'text' is missing"),
        (kinds.Copy, {"from_chat_id": "1001", "message_id": 2}, "'from_chat_id' should be int"),
        (kinds.TopicState, {"closed": 1}, "'closed' should be bool"),
        (kinds.SetMarkup, {"message_id": True}, "'message_id' should be int"),
        (
            kinds.Send,
            {"text": "x", "relay": {"from": "robot", "chat_id": 1, "message_id": 2}},
            "relay from 'robot'",
        ),
        (kinds.Send, {"text": "x", "link": "bot"}, "'link' should be an object"),
        (kinds.Carry, {"media": []}, "'media' should be a list of files"),
        (kinds.Carry, {"media": ["photo"]}, "a media item should be an object"),
        (kinds.Carry, {"media": [{"kind": "photo"}]}, "'file_id' is missing"),
    ],
)
def test_a_payload_that_does_not_fit_its_kind_is_refused_by_name(
    payload_class: type[Payload], data: JsonObject, complaint: str
) -> None:
    with pytest.raises(BadPayload, match=complaint):
        payload_class.from_json(data)
