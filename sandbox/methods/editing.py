"""Changing messages: edits, deletion, pins, and answering button presses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox._conversation import (
    bot_is_admin,
    bump_edit,
    check_bot_can_post,
    find_chat,
    find_message,
)
from sandbox._errors import BadRequest
from sandbox._params import Params
from sandbox._rules import (
    CALLBACK_ANSWER_LIMIT,
    CAPTION_LIMIT,
    TEXT_LIMIT,
    formatted_text,
    inline_keyboard,
)
from sandbox._state import Message
from sandbox.methods.registry import method
from sandbox.model import Chat

if TYPE_CHECKING:
    from sandbox.core import Sandbox

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


def _own_message(sb: Sandbox, params: Params) -> tuple[Chat, Message]:
    """The bot's message an edit refers to (inline messages are not supported)."""
    if params.present("inline_message_id"):
        raise BadRequest("inline messages are not supported by the sandbox")
    chat = find_chat(sb.state, params.chat_id())
    message = find_message(sb.state, chat, params.int("message_id"), "edit")
    if message["from"]["id"] != sb.state.bot.id:
        raise BadRequest("message can't be edited")
    return chat, message


def _apply(sb: Sandbox, message: Message, changes: dict[str, Any]) -> Message:
    """Apply ``changes`` (an empty value removes the field) or refuse a no-op edit."""
    after = dict(message)
    for key, value in changes.items():
        if value:
            after[key] = value
        else:
            after.pop(key, None)
    if after == message:
        raise BadRequest(_NOT_MODIFIED)
    message.clear()
    message.update(after)
    bump_edit(sb.state, message)
    return message


@method("editMessageText")
async def edit_message_text(sb: Sandbox, params: Params) -> Message:
    text, entities = formatted_text(params, "text", "entities", limit=TEXT_LIMIT, optional=False)
    _, message = _own_message(sb, params)
    if "text" not in message:
        raise BadRequest("there is no text in the message to edit")
    markup = inline_keyboard(params)
    return _apply(sb, message, {"text": text, "entities": entities, "reply_markup": markup})


@method("editMessageCaption")
async def edit_message_caption(sb: Sandbox, params: Params) -> Message:
    caption, entities = formatted_text(
        params, "caption", "caption_entities", limit=CAPTION_LIMIT, optional=True
    )
    _, message = _own_message(sb, params)
    if "text" in message:
        raise BadRequest("there is no caption in the message to edit")
    markup = inline_keyboard(params)
    changes = {"caption": caption, "caption_entities": entities, "reply_markup": markup}
    return _apply(sb, message, changes)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(sb: Sandbox, params: Params) -> Message:
    _, message = _own_message(sb, params)
    return _apply(sb, message, {"reply_markup": inline_keyboard(params)})


@method("deleteMessage")
async def delete_message(sb: Sandbox, params: Params) -> bool:
    chat = find_chat(sb.state, params.chat_id())
    message = find_message(sb.state, chat, params.int("message_id"), "delete")
    own = message["from"]["id"] == sb.state.bot.id
    if not own and chat.type != "private" and not bot_is_admin(sb.state, chat):
        raise BadRequest("message can't be deleted")
    sb.state.drop_message(chat.id, message["message_id"])
    return True


@method("pinChatMessage")
async def pin_chat_message(sb: Sandbox, params: Params) -> bool:
    chat = find_chat(sb.state, params.chat_id())
    check_bot_can_post(sb.state, chat)
    if chat.type != "private" and not bot_is_admin(sb.state, chat):
        raise BadRequest("not enough rights to manage pinned messages in the chat")
    message = find_message(sb.state, chat, params.int("message_id"), "pin")
    chat.pinned_message_id = message["message_id"]
    sb.state.put_chat(chat)
    return True


@method("unpinChatMessage")
async def unpin_chat_message(sb: Sandbox, params: Params) -> bool:
    chat = find_chat(sb.state, params.chat_id())
    if chat.type != "private" and not bot_is_admin(sb.state, chat):
        raise BadRequest("not enough rights to manage pinned messages in the chat")
    chat.pinned_message_id = None
    sb.state.put_chat(chat)
    return True


@method("answerCallbackQuery")
async def answer_callback_query(sb: Sandbox, params: Params) -> bool:
    record = sb.state.callbacks.get(params.str("callback_query_id"))
    if record is None or record.answered:
        raise BadRequest("query is too old and response timeout expired or query ID is invalid")
    text = params.opt_str("text")
    if text is not None and len(text) > CALLBACK_ANSWER_LIMIT:
        raise BadRequest("MESSAGE_TOO_LONG")
    record.answered = True
    record.answer_text = text
    record.show_alert = params.bool("show_alert")
    sb.state.changed.notify()
    return True
