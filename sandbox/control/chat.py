"""Control API: people writing and pressing buttons, and reading what is in a chat."""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import quote

from aiohttp import web

from sandbox._conversation import find_topic, post
from sandbox._errors import BadRequest, Conflict, Forbidden, NotFound
from sandbox._files import sniff_image
from sandbox._params import Upload
from sandbox._rules import CAPTION_LIMIT, TEXT_LIMIT, has_button_data
from sandbox._state import Message
from sandbox.control.common import (
    body,
    chat_of,
    is_max,
    json,
    sandbox_of,
    user_of,
    wait_seconds,
)
from sandbox.core import Sandbox
from sandbox.max import control as max_control
from sandbox.methods import topics as topic_methods
from sandbox.model import ADMINISTRATOR, CREATOR, PRESENT, CallbackRecord, Chat, User
from sandbox.serialize import media_content, user_dict


def _check_can_write(sb: Sandbox, user: User, chat: Chat) -> None:
    if chat.type == "private":
        if chat.id != user.id:
            raise Forbidden("a user writes only in their own private chat with the bot")
        if user.blocked_bot:
            raise Conflict("the user has blocked the bot; unblock it first")
    elif chat.status_of(user.id) not in PRESENT:
        raise Forbidden(f"user {user.id} is not a member of chat {chat.id}")


def _text_content(text: str) -> dict[str, Any]:
    content: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        content["entities"] = [
            {"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}
        ]
    return content


async def send(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    params = await body(request)
    if is_max(params):
        return json(max_control.send(sb.max, params))
    user = user_of(sb, params.int("user_id"))
    chat = chat_of(sb, params.int("chat_id"))
    _check_can_write(sb, user, chat)
    topic = find_topic(sb.state, chat, params.opt_int("message_thread_id"))
    if (
        topic is not None
        and topic.closed
        and chat.status_of(user.id)
        not in (
            ADMINISTRATOR,
            CREATOR,
        )
    ):
        raise BadRequest("the topic is closed")
    reply_to = None
    reply_id = params.opt_int("reply_to_message_id")
    if reply_id is not None:
        reply_to = sb.state.message(chat.id, reply_id)
        if reply_to is None:
            raise BadRequest("message to be replied not found")
    text = params.opt_str("text") or ""
    upload = params.raw("file")
    raw_content = params.json("content")
    if raw_content is not None:
        content = _raw_content(raw_content)
    elif isinstance(upload, Upload):
        if len(text) > CAPTION_LIMIT:
            raise BadRequest("message caption is too long")
        kind = "photo" if sniff_image(upload.data) else "document"
        content = {**media_content(sb.files.save(upload, kind)), "caption": text}
    elif text.strip():
        if len(text) > TEXT_LIMIT:
            raise BadRequest("message is too long")
        content = _text_content(text)
    else:
        raise BadRequest('"text" or a "file" is required')
    if chat.type == "private" and not user.started:
        user.started = True  # writing to the bot opens the conversation
        sb.state.put_user(user)
    message = post(sb.state, chat, user, content, topic=topic, reply_to=reply_to)
    return json({"message_id": message["message_id"]})


# Fields a message's content may not set: the sandbox fills them in.
_RESERVED = {"message_id", "from", "chat", "date", "message_thread_id", "is_topic_message"}


def _raw_content(value: object) -> dict[str, Any]:
    """Content the web chat cannot make (a sticker, a location...): Bot API Message fields."""
    if not isinstance(value, dict) or not value:
        raise BadRequest('"content" must be a non-empty object of Message fields')
    reserved = sorted(_RESERVED & set(value))
    if reserved:
        raise BadRequest(f'"content" may not set {", ".join(reserved)}')
    return dict(value)


async def click(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    params = await body(request)
    if is_max(params):
        return json(await max_control.click(sb.max, params, wait_seconds(params)))
    user = user_of(sb, params.int("user_id"))
    chat = chat_of(sb, params.int("chat_id"))
    _check_can_write(sb, user, chat)
    message = sb.state.message(chat.id, params.int("message_id"))
    if message is None:
        raise NotFound("message not found")
    data = params.str("data")
    # check_button=false plays a modified client that sends any callback data
    if params.bool("check_button", default=True) and not has_button_data(message, data):
        raise BadRequest("the message has no inline button with this callback_data")
    query_id = str(secrets.randbits(63))
    record = CallbackRecord(query_id, user.id, chat.id, message["message_id"], data)
    sb.state.callbacks[record.id] = record
    query = {
        "id": record.id,
        "from": user_dict(user),
        "message": message,
        "chat_instance": str(abs(chat.id)),
        "data": data,
    }
    sb.state.add_update("callback_query", query)
    deadline = time.monotonic() + wait_seconds(params)
    while not record.answered and (remaining := deadline - time.monotonic()) > 0:
        await sb.state.changed.wait(remaining)
    answer: dict[str, Any] = {"callback_query_id": record.id}
    if record.answered:
        answer.update(answer=record.answer_text, show_alert=record.show_alert)
    return json(answer)


def message_json(message: Message) -> dict[str, Any]:
    shown = dict(message)
    shown["edited"] = "edit_date" in message
    media = message.get("photo", [None])[-1] or message.get("document")
    if media:
        shown["file_url"] = f"/sandbox/files/{media['file_id']}"
    return shown


def _select(sb: Sandbox, chat_id: int, thread_id: int | None, after: int) -> list[Message]:
    return [
        m
        for m in sb.state.chat_messages(chat_id)
        if m["message_id"] > after
        and (thread_id is None or m.get("message_thread_id") == thread_id)
    ]


async def messages(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    params = await body(request)
    if is_max(params):
        return json(await max_control.messages(sb.max, params, wait_seconds(params)))
    chat = chat_of(sb, params.int("chat_id"))
    thread_id = params.opt_int("message_thread_id")
    after = params.opt_int("after") or 0
    deadline = time.monotonic() + wait_seconds(params)
    found = _select(sb, chat.id, thread_id, after)
    while not found and (remaining := deadline - time.monotonic()) > 0:
        await sb.state.changed.wait(remaining)
        found = _select(sb, chat.id, thread_id, after)
    return json([message_json(m) for m in found])


async def topics(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    params = await body(request)
    chat = chat_of(sb, params.int("chat_id"))
    return json(
        [
            {
                "message_thread_id": t.message_thread_id,
                "name": t.name,
                "icon_color": t.icon_color,
                "closed": t.closed,
            }
            for t in sorted(sb.state.chat_topics(chat.id), key=lambda t: t.message_thread_id)
        ]
    )


async def delete_topic(request: web.Request) -> web.Response:
    """A group admin deletes a forum topic with everything in it, as Telegram's apps let
    an admin with the right to delete messages do."""
    sb = sandbox_of(request)
    params = await body(request)
    user = user_of(sb, params.int("user_id"))
    chat = chat_of(sb, params.int("chat_id"))
    if chat.status_of(user.id) not in (ADMINISTRATOR, CREATOR):
        raise Forbidden(f"user {user.id} is not an admin of chat {chat.id}")
    topic = find_topic(sb.state, chat, params.int("message_thread_id"))
    assert topic is not None
    topic_methods.delete_topic(sb, chat, topic)
    return json({"ok": True})


async def changes(request: web.Request) -> web.Response:
    """Long poll for the web chat: answers once the state's version passes ``since``."""
    sb = sandbox_of(request)
    params = await body(request)
    since = params.opt_int("since") or 0
    deadline = time.monotonic() + wait_seconds(params)
    while sb.state.version <= since and (remaining := deadline - time.monotonic()) > 0:
        await sb.state.changed.wait(remaining)
    return json({"version": sb.state.version})


async def file_content(request: web.Request) -> web.StreamResponse:
    """A stored file for the web chat (no token: the page plays the people)."""
    sb = sandbox_of(request)
    stored = sb.state.files.get(request.match_info["file_id"])
    if stored is None:
        raise web.HTTPNotFound()
    headers = {"Content-Type": stored.mime_type}
    if stored.kind != "photo":
        headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(stored.file_name)}"
    return web.FileResponse(sb.files.disk_path(stored), headers=headers)


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_post("/sandbox/api/send", send)
    r.add_post("/sandbox/api/click", click)
    r.add_get("/sandbox/api/messages", messages)
    r.add_get("/sandbox/api/topics", topics)
    r.add_post("/sandbox/api/delete_topic", delete_topic)
    r.add_get("/sandbox/api/changes", changes)
    r.add_get("/sandbox/files/{file_id}", file_content)
