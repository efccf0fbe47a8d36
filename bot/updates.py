"""What identifies an update, so that a claim stops a re-delivery of the same
update and never a new one that reuses an old id (``storage.messaging.claim_update``).

Telegram numbers updates per bot and may start the numbering anew (after a
week without updates, for a new token, or a fresh sandbox on the same
database), so the id alone names nothing for long.  The key is the id with
what the update carries: the chat, the message id, its date (an edit: its
edit date) and a digest of its text; a callback query's own id; a member
change's chat, user and date; anything else a digest of its whole content.
A re-delivery carries all of it unchanged; a new update that reuses an id
differs in some of it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from aiogram.types import Update
from aiogram.types.update import UpdateTypeLookupError


@dataclass(frozen=True)
class Identity:
    key: str
    chat_id: int | None


def _digest(text: str, size: int = 12) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:size]


def _message_key(update_id: int, prefix: str, message: Any) -> Identity:
    # an edit's ``edit_date`` is plain Unix time in aiogram (``date`` is a datetime)
    edited = getattr(message, "edit_date", None) if prefix == "e" else None
    stamp = edited if isinstance(edited, int) else int(message.date.timestamp())
    words = _digest(message.text or message.caption or "")
    chat = message.chat.id
    return Identity(f"{update_id}:{prefix}:{chat}:{message.message_id}:{stamp}:{words}", chat)


def identity(update: Update) -> Identity:
    """The claim key of ``update`` and the chat it concerns (None if none)."""
    uid = update.update_id
    for prefix, message in (
        ("m", update.message),
        ("e", update.edited_message),
        ("p", update.channel_post),
    ):
        if message is not None:
            return _message_key(uid, prefix, message)
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat.id if query.message is not None else query.from_user.id
        return Identity(f"{uid}:c:{query.id}"[:160], chat)
    for kind in ("my_chat_member", "chat_member"):
        change = getattr(update, kind)
        if change is not None:
            who, stamp = change.new_chat_member.user.id, int(change.date.timestamp())
            return Identity(f"{uid}:{kind}:{change.chat.id}:{who}:{stamp}", change.chat.id)
    content = update.model_dump(mode="json", exclude={"update_id"}, exclude_none=True)
    digest = _digest(json.dumps(content, sort_keys=True, ensure_ascii=False), 40)
    try:
        kind = update.event_type
    except UpdateTypeLookupError:  # a type newer than aiogram, or none: passed over later
        kind = "unknown"
    return Identity(f"{uid}:x:{kind}:{digest}", None)
