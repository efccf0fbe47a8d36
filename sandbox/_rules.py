"""Telegram's rules on message content: lengths, parse mode, inline keyboards."""

from __future__ import annotations

from typing import Any

from sandbox._errors import BadRequest
from sandbox._html_text import parse_html
from sandbox._params import Params

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes
CALLBACK_ANSWER_LIMIT = 200
TOPIC_NAME_LIMIT = 128

_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def formatted_text(
    params: Params, field: str, entities_field: str, *, limit: int, optional: bool
) -> tuple[str, list[dict[str, Any]]]:
    """The plain text and entities of ``field`` after applying ``parse_mode``."""
    raw = params.opt_str(field) or ""
    parse_mode = (params.opt_str("parse_mode") or "").lower()
    if not parse_mode:
        text, entities = raw, _entities(params.json(entities_field))
    elif parse_mode == "html":
        text, entities = parse_html(raw)
    elif parse_mode in ("markdown", "markdownv2"):
        # Markdown is not interpreted by the sandbox: the text is kept as written.
        text, entities = raw, []
    else:
        raise BadRequest("unsupported parse_mode")
    if not text.strip() and not optional:
        raise BadRequest("message text is empty")
    if len(text) > limit:
        raise BadRequest("message caption is too long" if optional else "message is too long")
    return text, entities


def _entities(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
        raise BadRequest("can't parse entities: entities must be an array of MessageEntity")
    return value


def inline_keyboard(params: Params) -> dict[str, Any] | None:
    """The message's inline keyboard, checked; other keyboards are not kept on messages."""
    markup = params.json("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise BadRequest("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise BadRequest("can't parse inline keyboard button: rows must be arrays")
    checked: list[list[dict[str, Any]]] = []
    for row in rows:
        checked.append([_button(button) for button in row])
    return {"inline_keyboard": checked}


def _button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict) or not str(button.get("text", "")).strip():
        raise BadRequest("can't parse inline keyboard button: Text buttons are unallowed")
    actions = [name for name in _BUTTON_ACTIONS if name in button]
    if len(actions) != 1:
        raise BadRequest(
            "can't parse inline keyboard button: "
            "InlineKeyboardButton must have exactly one optional field"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
            raise BadRequest("BUTTON_DATA_INVALID")
    if "url" in button and not str(button["url"]).strip():
        raise BadRequest("BUTTON_URL_INVALID")
    return button


def has_button_data(message: dict[str, Any], data: str) -> bool:
    """Whether the message carries an inline button with this callback_data."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return any(button.get("callback_data") == data for row in rows for button in row)
