"""Sending: sendMessage, sendPhoto, sendDocument, copyMessage, forwardMessage, sendChatAction."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox._conversation import (
    bot_is_admin,
    check_bot_can_post,
    content_of,
    find_chat,
    find_message,
    find_topic,
    is_service,
    post,
    reply_target,
)
from sandbox._errors import BadRequest
from sandbox._params import Params
from sandbox._rules import CAPTION_LIMIT, TEXT_LIMIT, formatted_text, inline_keyboard
from sandbox._state import Message
from sandbox.methods.registry import method
from sandbox.model import Chat, Topic
from sandbox.serialize import bot_dict, media_content, user_dict

if TYPE_CHECKING:
    from sandbox.core import Sandbox

_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}


@dataclass
class _Target:
    chat: Chat
    topic: Topic | None
    reply_to: Message | None
    markup: dict[str, Any] | None


def _target(sb: Sandbox, params: Params, method_name: str) -> _Target:
    """Where a new bot message goes, checked as Telegram checks it (flood limits last)."""
    chat = find_chat(sb.state, params.chat_id())
    check_bot_can_post(sb.state, chat)
    topic = find_topic(sb.state, chat, params.opt_int("message_thread_id"))
    if topic is not None and topic.closed and not bot_is_admin(sb.state, chat):
        raise BadRequest("TOPIC_CLOSED")
    target = _Target(chat, topic, reply_target(sb.state, chat, params), inline_keyboard(params))
    sb.flood.check(method_name, chat.id, chat.is_group())
    return target


def _post(sb: Sandbox, target: _Target, content: dict[str, Any]) -> Message:
    return post(
        sb.state,
        target.chat,
        None,
        content,
        topic=target.topic,
        reply_to=target.reply_to,
        markup=target.markup,
    )


@method("sendMessage")
async def send_message(sb: Sandbox, params: Params) -> Message:
    text, entities = formatted_text(params, "text", "entities", limit=TEXT_LIMIT, optional=False)
    target = _target(sb, params, "sendMessage")
    return _post(sb, target, {"text": text, "entities": entities})


async def _send_media(sb: Sandbox, params: Params, field: str, kind: str) -> Message:
    caption, entities = formatted_text(
        params, "caption", "caption_entities", limit=CAPTION_LIMIT, optional=True
    )
    source = params.file(field)
    target = _target(sb, params, f"send{kind.capitalize()}")
    stored = sb.files.resolve(source) if isinstance(source, str) else sb.files.save(source, kind)
    if stored.kind != kind and kind == "photo":
        raise BadRequest("wrong file identifier/HTTP URL specified: it is not a photo")
    content = {**media_content(stored, kind), "caption": caption, "caption_entities": entities}
    return _post(sb, target, content)


@method("sendPhoto")
async def send_photo(sb: Sandbox, params: Params) -> Message:
    return await _send_media(sb, params, "photo", "photo")


@method("sendDocument")
async def send_document(sb: Sandbox, params: Params) -> Message:
    return await _send_media(sb, params, "document", "document")


def _source(sb: Sandbox, params: Params, what: str, done: str) -> Message:
    """The message to copy or forward; service messages cannot be."""
    source_chat = find_chat(sb.state, params.chat_id("from_chat_id"))
    message = find_message(sb.state, source_chat, params.int("message_id"), what)
    if is_service(message):
        raise BadRequest(f"message can't be {done}")
    return message


@method("copyMessage")
async def copy_message(sb: Sandbox, params: Params) -> dict[str, int]:
    source = _source(sb, params, "copy", "copied")
    content = content_of(source)
    if params.present("caption") and "text" not in content:
        caption, entities = formatted_text(
            params, "caption", "caption_entities", limit=CAPTION_LIMIT, optional=True
        )
        content.update(caption=caption, caption_entities=entities)
    # The copy carries only the keyboard given to copyMessage, never the source's.
    target = _target(sb, params, "copyMessage")
    message = _post(sb, target, content)
    return {"message_id": message["message_id"]}


@method("forwardMessage")
async def forward_message(sb: Sandbox, params: Params) -> Message:
    source = _source(sb, params, "forward", "forwarded")
    sender = source["from"]
    origin = {"type": "user", "date": source["date"], "sender_user": sender}
    if sender["id"] != sb.state.bot.id and sender["id"] in sb.state.users:
        origin["sender_user"] = user_dict(sb.state.users[sender["id"]])
    elif sender["id"] == sb.state.bot.id:
        origin["sender_user"] = bot_dict(sb.state.bot)
    target = _target(sb, params, "forwardMessage")
    target.markup = None
    return _post(sb, target, {**content_of(source), "forward_origin": origin})


@method("sendChatAction")
async def send_chat_action(sb: Sandbox, params: Params) -> bool:
    action = params.str("action")
    if action not in _CHAT_ACTIONS:
        raise BadRequest("wrong parameter action in request")
    chat = find_chat(sb.state, params.chat_id())
    check_bot_can_post(sb.state, chat)
    sb.state.chat_actions[chat.id] = (action, time.time())
    sb.state.changed.notify()
    return True
