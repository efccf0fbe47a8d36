"""MAX updates as the dispatcher reads them: Telegram-shaped updates of a MAX chat.

A MAX user's dialog is the chat whose key is ``desk.channels.max_key(user_id)``;
the sender is read as that chat's own person (the chat's key); a chat tied to a
person first known elsewhere is read as that person by ``bot.middlewares.person``,
for both messengers alike.  What MAX
sends becomes what the private handlers already take:

    message_created   a message (``seq`` as its id; a photo or a file as
                      ``photo``/``document`` whose file id is MAX's download URL;
                      a reply's ``link`` as ``reply_to_message``)
    message_callback  a callback query (MAX's ``callback_id``; the payload as data)
    bot_started       ``/start <payload>``: a deep link ``max.ru/<bot>?start=<code>``

The update id is MAX's timestamp of the update: a re-delivery carries the same
one, so the update claim (``bot.updates``) stops it as it stops Telegram's.
Anything else (a group chat, another update type) is None: passed over.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desk.channels import MAX_USER_ID_LIMIT, max_key

JsonObject = dict[str, Any]
HANDLED = ("message_created", "message_callback", "bot_started")


class UnreadableMaxUpdate(ValueError):
    """A MAX update that lacks what its type must carry."""


@dataclass(frozen=True)
class Sender:
    """Who wrote: the MAX user, their dialog's key and the person they are (if known)."""

    user_id: int
    key: int
    first_name: str
    username: str | None


def sender_of(raw: JsonObject) -> Sender | None:
    """The MAX user an update comes from (None: an update of no user we serve)."""
    kind = raw.get("update_type")
    if kind == "message_created":
        message = _object(raw, "message")
        recipient = message.get("recipient") or {}
        if recipient.get("chat_type", "dialog") != "dialog":
            return None  # a group chat: the desk serves dialogs only
        user = _object(message, "sender")
    elif kind == "message_callback":
        user = _object(_object(raw, "callback"), "user")
    elif kind == "bot_started":
        user = _object(raw, "user")
    else:
        return None
    if user.get("is_bot"):
        return None
    user_id = _int(user, "user_id")
    if not 0 < user_id < MAX_USER_ID_LIMIT:
        raise UnreadableMaxUpdate(f"user_id out of range: {user_id}")
    first = str(user.get("first_name") or user.get("name") or "").strip() or "—"
    username = user.get("username")
    return Sender(user_id, max_key(user_id), first[:200], username if username else None)


def to_telegram(raw: JsonObject, sender: Sender, person: int) -> JsonObject:
    """``raw`` (a MAX update of ``sender``, who is ``person``) as a Bot API update."""
    kind = raw.get("update_type")
    stamp = _int(raw, "timestamp")
    chat = {"id": sender.key, "type": "private", "first_name": sender.first_name}
    user: JsonObject = {"id": person, "is_bot": False, "first_name": sender.first_name}
    if sender.username:
        user["username"] = sender.username
    if kind == "bot_started":
        payload = raw.get("payload")
        text = f"/start {payload}" if isinstance(payload, str) and payload else "/start"
        message = {"message_id": 0, "date": stamp // 1000, "chat": chat, "from": user}
        return {"update_id": stamp, "message": {**message, "text": text}}
    if kind == "message_created":
        return {"update_id": stamp, "message": _message(_object(raw, "message"), chat, user)}
    callback = _object(raw, "callback")
    query: JsonObject = {
        "id": str(callback.get("callback_id") or ""),
        "from": user,
        "chat_instance": str(sender.key),
        "data": str(callback.get("payload") or ""),
    }
    if not query["id"]:
        raise UnreadableMaxUpdate("a callback without its callback_id")
    pressed = raw.get("message")
    if isinstance(pressed, dict):
        body = _object(pressed, "body")
        query["message"] = {
            "message_id": _int(body, "seq"),
            "date": _int(pressed, "timestamp") // 1000,
            "chat": chat,
            "text": str(body.get("text") or ""),
        }
    return {"update_id": stamp, "callback_query": query}


def mid_of_message(raw: JsonObject) -> tuple[int, str] | None:
    """A message_created update's ``(seq, mid)``, to be remembered."""
    if raw.get("update_type") != "message_created":
        return None
    body = _object(_object(raw, "message"), "body")
    mid = body.get("mid")
    return (_int(body, "seq"), mid) if isinstance(mid, str) else None


def _message(message: JsonObject, chat: JsonObject, user: JsonObject) -> JsonObject:
    body = _object(message, "body")
    out: JsonObject = {
        "message_id": _int(body, "seq"),
        "date": _int(message, "timestamp") // 1000,
        "chat": chat,
        "from": user,
    }
    text = str(body.get("text") or "")
    media = _media(body.get("attachments") or [])
    out.update(media)
    if text:
        out["caption" if media else "text"] = text
    link = message.get("link")
    if isinstance(link, dict) and link.get("type") == "reply":
        linked = link.get("message")
        seq = linked.get("seq") if isinstance(linked, dict) else None
        if isinstance(seq, int):
            out["reply_to_message"] = {"message_id": seq, "date": out["date"], "chat": chat}
    return out


def _media(attachments: list[Any]) -> JsonObject:
    """The first photo or file of a MAX message as Telegram's ``photo``/``document``."""
    for item in attachments:
        if not isinstance(item, dict):
            continue
        payload = item.get("payload") or {}
        url = payload.get("url") if isinstance(payload, dict) else None
        if not isinstance(url, str) or not url:
            continue
        unique = str(payload.get("token") or payload.get("photo_id") or url)[-64:]
        if item.get("type") == "image":
            return {"photo": [{"file_id": url, "file_unique_id": unique, "width": 0, "height": 0}]}
        if item.get("type") in ("file", "video", "audio"):
            name = str(item.get("filename") or "файл")[:200]
            return {"document": {"file_id": url, "file_unique_id": unique, "file_name": name}}
    return {}


def _object(data: JsonObject, key: str) -> JsonObject:
    value = data.get(key)
    if not isinstance(value, dict):
        raise UnreadableMaxUpdate(f"{key!r} should be an object")
    return value


def _int(data: JsonObject, key: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise UnreadableMaxUpdate(f"{key!r} should be an integer, not {value!r}")
    return value
