"""A user's or consultant's message as the services see it (parsed from aiogram's Message)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiogram.types import CallbackQuery, Message

from bot import texts
from bot.services.message_html import to_html

# Content types that travel with a ticket (copied into the topic / to the user).
MEDIA_TYPES = ("photo", "document", "video", "voice", "audio", "animation", "video_note")


@dataclass(frozen=True)
class Incoming:
    """One message; ``media`` items are ``{"kind", "file_id"}`` and, for a named file,
    ``"name"``."""

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

    @property
    def shown(self) -> str:
        """The message as a history shows it: what it carries («фото», «документ:
        счёт.pdf»), then its text or caption."""
        if not self.media:
            return self.text
        return texts.render("attachment", media=self.media, text=self.text)


def incoming(message: Message) -> Incoming:
    assert message.from_user is not None
    media: list[dict[str, Any]] = []
    for kind in MEDIA_TYPES:
        value = getattr(message, kind, None)
        if value:
            item = value[-1] if isinstance(value, list) else value
            entry = {"kind": kind, "file_id": item.file_id}
            name = getattr(item, "file_name", None)
            if name:  # a document's (or an audio's, a video's) name: shown in histories
                entry["name"] = name
            media.append(entry)
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


def chat_of(query: CallbackQuery) -> int:
    """The chat a button was pressed in: answers go there (a person bound on two
    messengers hears where they pressed, desk.channels)."""
    if query.message is not None:
        return query.message.chat.id
    return query.from_user.id
