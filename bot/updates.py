"""What identifies an update, so that a claim stops a re-delivery of the same
update and never a new one that reuses an old id (``storage.messaging.claim_update``).

Telegram numbers updates per bot and may start the numbering anew (after a
week without updates, for a new token, or a fresh sandbox on the same
database), so the id alone names nothing for long.  The key is built from
what the update carries beside its id: the chat, the message id, its date
(an edit: its edit date) and a digest of its text, a callback query's own
id, a member change's chat, user and date; anything else by a digest of its
whole content.  A re-delivery carries all of it unchanged; a new update
that reuses an id differs in some of it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from aiogram.types import Update


@dataclass(frozen=True)
class Identity:
    key: str
    chat_id: int | None


def _message_key(prefix: str, message: Any) -> Identity:
    moment = getattr(message, "edit_date", None) if prefix == "e" else None
    stamp = int((moment or message.date).timestamp())
    return Identity(f"{prefix}:{message.chat.id}:{message.message_id}:{stamp}", message.chat.id)


def identity(update: Update) -> Identity:
    """The claim key of ``update`` and the chat it concerns (None if none)."""
    if update.message is not None:
        return _message_key("m", update.message)
    if update.edited_message is not None:
        return _message_key("e", update.edited_message)
    if update.channel_post is not None:
        return _message_key("p", update.channel_post)
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat.id if query.message is not None else query.from_user.id
        return Identity(f"c:{query.id}", chat)
    for kind in ("my_chat_member", "chat_member"):
        change = getattr(update, kind)
        if change is not None:
            stamp = int(change.date.timestamp())
            return Identity(
                f"{kind}:{change.chat.id}:{change.new_chat_member.user.id}:{stamp}", change.chat.id
            )
    content = update.model_dump(mode="json", exclude={"update_id"}, exclude_none=True)
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:40]
    return Identity(f"x:{update.event_type}:{digest}", None)
