"""Control API for MAX users: what ``"channel": "max"`` does in ``/sandbox/api/…``.

A MAX user's dialog with the bot is addressed by the user's id as ``chat_id``
(its MAX chat id is ``model.dialog_chat_id``). Messages are named by their
``mid`` (a string).
"""

from __future__ import annotations

import re
import time
from typing import Any

from sandbox._errors import BadRequest, Conflict, Forbidden, NotFound
from sandbox._params import Params, Upload
from sandbox.max import conversation
from sandbox.max.conversation import TEXT_LIMIT, file_id_of, keyboard_of
from sandbox.max.errors import MaxError
from sandbox.max.model import MaxMessage, MaxUser, dialog_chat_id
from sandbox.max.serialize import public_message
from sandbox.max.world import MaxWorld

_START = re.compile(r"/start(?:\s+(.*))?", re.DOTALL)
# MessageBody fields a sent "content" may not set: the sandbox fills them in.
_RESERVED = {"mid", "seq"}


def user_json(user: MaxUser) -> dict[str, Any]:
    return {
        "id": user.user_id,
        "channel": "max",
        "first_name": user.first_name,
        "last_name": user.last_name,
        "username": user.username,
        "blocked_bot": user.blocked_bot,
        "started": user.started,
        "chat_id": dialog_chat_id(user.user_id),
    }


def bot_json(world: MaxWorld) -> dict[str, Any]:
    bot = world.state.bot
    return {
        "id": bot.user_id,
        "username": bot.username,
        "first_name": bot.first_name,
        "token": bot.token,
        "start_link": f"https://max.ru/{bot.username}?start=",
    }


def _user(world: MaxWorld, user_id: int) -> MaxUser:
    user = world.state.users.get(user_id)
    if user is None:
        raise NotFound(f"unknown MAX user {user_id}")
    return user


def _dialog(world: MaxWorld, params: Params) -> MaxUser:
    """The user who acts, in their own dialog (``chat_id`` is the user's id)."""
    user = _user(world, params.int("user_id"))
    if params.int("chat_id") != user.user_id:
        raise Forbidden("a MAX user writes only in their own dialog (chat_id = user_id)")
    return user


def _checked(error: MaxError) -> BadRequest:
    return BadRequest(f"{error.code}: {error.message}")


def create_user(world: MaxWorld, params: Params) -> dict[str, Any]:
    user_id = params.opt_int("id") or world.new_user_id()
    if user_id <= 0 or user_id == world.state.bot.user_id:
        raise BadRequest("user id must be a positive number other than the bot's")
    user = world.ensure_user(
        user_id,
        params.str("first_name"),
        params.opt_str("last_name"),
        params.opt_str("username"),
        started=params.bool("started", default=True),
    )
    return user_json(user)


def block(world: MaxWorld, user_id: int, blocked: bool) -> dict[str, Any]:
    user = _user(world, user_id)
    if blocked and not user.blocked_bot:
        conversation.stop_bot(world, user)
    elif not blocked:
        user.blocked_bot = False
        world.state.put_user(user)
    return user_json(user)


def send(world: MaxWorld, params: Params) -> dict[str, Any]:
    user = _dialog(world, params)
    text = params.opt_str("text") or ""
    start = _START.fullmatch(text.strip())
    if start:
        payload = (start.group(1) or "").strip() or None
        conversation.start_bot(world, user, payload)
        return {"message_id": None, "bot_started": True, "payload": payload}
    if user.blocked_bot:
        raise Conflict("the user has stopped the bot; send /start or unblock it first")
    link = None
    reply_id = params.opt_str("reply_to_message_id")
    if reply_id is not None:
        target = world.state.messages.get(reply_id)
        if target is None or target.user_id != user.user_id:
            raise BadRequest("message to be replied not found")
        link = conversation.link_to(world, {"type": "reply", "mid": reply_id}, user)
    if len(text) > TEXT_LIMIT:
        raise BadRequest("message is too long")
    upload = params.raw("file")
    raw_content = params.json("content")
    attachments: list[dict[str, Any]] = []
    markup: list[dict[str, Any]] = []
    if raw_content is not None:
        content = _raw_content(raw_content)
        text = content.get("text") or text
        attachments = list(content.get("attachments") or [])
        markup = list(content.get("markup") or [])
    elif isinstance(upload, Upload):
        try:
            attachments = [conversation.user_file(world, upload)]
        except MaxError as error:
            raise _checked(error) from None
    elif not text.strip():
        raise BadRequest('"text" or a "file" is required')
    conversation.touch_user(world, user, started=True)
    record = conversation.post(
        world,
        user,
        from_bot=False,
        text=text or None,
        markup=markup,
        attachments=attachments,
        link=link,
    )
    return {"message_id": record.mid}


def _raw_content(value: object) -> dict[str, Any]:
    """What the web chat cannot make (a sticker, a location...): MessageBody fields."""
    if not isinstance(value, dict) or not value:
        raise BadRequest('"content" must be a non-empty object of MessageBody fields')
    reserved = sorted(_RESERVED & set(value))
    if reserved:
        raise BadRequest(f'"content" may not set {", ".join(reserved)}')
    if "attachments" in value and not isinstance(value["attachments"], list):
        raise BadRequest('"content.attachments" must be an array')
    return dict(value)


async def click(world: MaxWorld, params: Params, wait: float) -> dict[str, Any]:
    user = _dialog(world, params)
    if user.blocked_bot:
        raise Conflict("the user has stopped the bot; send /start or unblock it first")
    mid = params.str("message_id")
    record = world.state.messages.get(mid)
    if record is None or record.user_id != user.user_id:
        raise NotFound("message not found")
    payload = params.str("data")
    if params.bool("check_button", default=True) and not conversation.has_callback(
        record.message, payload
    ):
        raise BadRequest("the message has no callback button with this payload")
    callback = conversation.press(world, user, record, payload)
    deadline = time.monotonic() + wait
    while not callback.answered and (remaining := deadline - time.monotonic()) > 0:
        await world.changes.wait(remaining)
    return {
        "callback_id": callback.callback_id,
        "callback_query_id": callback.callback_id,
        "answered": callback.answered,
        "answer": callback.notification,
        "message_replaced": callback.message_replaced,
    }


def message_json(world: MaxWorld, record: MaxMessage) -> dict[str, Any]:
    """One dialog message for tests and the web chat: MAX's Message plus easy fields."""
    message = record.message
    body = message["body"]
    media = []
    for attachment in body.get("attachments") or []:
        if attachment.get("type") == "inline_keyboard":
            continue
        file_id = file_id_of(attachment)
        stored = world.files.state.files.get(file_id or "")
        media.append(
            {
                "kind": attachment["type"],
                "filename": stored.file_name if stored else attachment.get("filename"),
                "size": stored.file_size if stored else attachment.get("size"),
                "mime_type": stored.mime_type if stored else None,
                "file_url": f"/sandbox/files/{file_id}" if stored else None,
                "token": (attachment.get("payload") or {}).get("token"),
            }
        )
    link = message.get("link")
    return {
        "mid": record.mid,
        "seq": record.seq,
        "timestamp": message["timestamp"],
        "channel": "max",
        "from_bot": record.from_bot,
        "sender_id": message["sender"]["user_id"],
        "text": body.get("text"),
        "markup": body.get("markup") or [],
        "keyboard": keyboard_of(message),
        "media": media,
        "reply_to": link["message"]["mid"] if link and link.get("type") == "reply" else None,
        "edited": record.edited,
        "message": public_message(message, world.base_url),
    }


def select(world: MaxWorld, user_id: int, after: str | None) -> list[MaxMessage]:
    dialog = world.state.dialog(user_id)
    if after:
        seq = next((r.seq for r in dialog if r.mid == after), None)
        if seq is None:
            raise BadRequest(f"no message {after} in this dialog")
        dialog = [r for r in dialog if r.seq > seq]
    return dialog


async def messages(world: MaxWorld, params: Params, wait: float) -> list[dict[str, Any]]:
    user = _user(world, params.int("chat_id"))
    after = params.opt_str("after")
    deadline = time.monotonic() + wait
    found = select(world, user.user_id, after)
    while not found and (remaining := deadline - time.monotonic()) > 0:
        await world.changes.wait(remaining)
        found = select(world, user.user_id, after)
    return [message_json(world, r) for r in found]


def chats_of(world: MaxWorld, user_id: int) -> list[dict[str, Any]]:
    """What a MAX user sees in the web chat: their dialog with the bot."""
    user = _user(world, user_id)
    action, at = world.actions.get(user.user_id, (None, None))
    return [
        {
            "id": user.user_id,
            "type": "dialog",
            "channel": "max",
            "title": world.state.bot.first_name,
            "chat_id": dialog_chat_id(user.user_id),
            "is_forum": False,
            "members": {},
            "bot_action": action,
            "bot_action_at": at,
        }
    ]


def stats(world: MaxWorld) -> dict[str, Any]:
    sub = world.state.subscription
    return {
        "refused": {"total": world.flood.refused_total, "by_method": dict(world.flood.refused)},
        "calls": dict(world.calls),
        "faults_applied": dict(world.faults.applied),
        "not_ready": world.not_ready,
        "pending_updates": len(world.state.updates),
        "poller_waiting": world.feed.waiting > 0,
        "webhook": {
            "url": sub.url if sub else None,
            "delivered": world.pusher.delivered,
            "failed": world.pusher.failed,
            "last_error": sub.last_error if sub else None,
        },
        "flood_limits": world.flood.enabled,
    }
