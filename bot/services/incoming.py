"""A user's or consultant's message as the services see it (parsed from aiogram's Message)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiogram.types import Message

from bot.services.message_html import to_html

# Content types that travel with a ticket (copied into the topic / to the user).
MEDIA_TYPES = ("photo", "document", "video", "voice", "audio", "animation", "video_note")


@dataclass(frozen=True)
class Incoming:
    chat_id: int
    message_id: int
    user_id: int
    first_name: str
    username: str | None
    text: str  # plain text or caption, as typed
    html: str  # the same as Telegram HTML: text and attributes escaped, only safe links
    media: list[dict[str, Any]] = field(default_factory=list)
    reply_to: int | None = None
    thread_id: int | None = None
    media_group_id: str | None = None

    @property
    def has_media(self) -> bool:
        return bool(self.media)


def incoming(message: Message) -> Incoming:
    assert message.from_user is not None
    media: list[dict[str, Any]] = []
    for kind in MEDIA_TYPES:
        value = getattr(message, kind, None)
        if value:
            item = value[-1] if isinstance(value, list) else value
            media.append({"kind": kind, "file_id": item.file_id})
    text = message.text or message.caption or ""
    entities = message.entities if message.text else message.caption_entities
    html = to_html(text, entities) if text else ""
    reply = message.reply_to_message
    return Incoming(
        chat_id=message.chat.id,
        message_id=message.message_id,
        user_id=message.from_user.id,
        first_name=message.from_user.first_name,
        username=message.from_user.username,
        text=text,
        html=html,
        media=media,
        # a message in a forum topic "replies" to the topic's first message: not a real reply
        reply_to=(
            reply.message_id
            if reply is not None and not (message.is_topic_message and reply.forum_topic_created)
            else None
        ),
        thread_id=message.message_thread_id if message.is_topic_message else None,
        media_group_id=message.media_group_id,
    )
