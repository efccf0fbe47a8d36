"""What the sandbox's MAX world is made of: the bot, users, uploads, callbacks.

Messages and updates are plain dicts in MAX's own JSON shape (as the Telegram
side keeps Bot API dicts), so they are stored, answered and shown as they are.

A user's dialog with the bot has its own chat id, as on MAX, where a dialog's
``chat_id`` is not the user's id: here it is ``DIALOG_OFFSET + user_id``
(user 1006 talks to the bot in chat 1000000001006). The control API
addresses the dialog by the user's id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DIALOG_OFFSET = 1_000_000_000_000

# Upload types POST /uploads accepts, and the attachment type each becomes.
UPLOAD_TYPES = ("image", "video", "audio", "file")


def dialog_chat_id(user_id: int) -> int:
    return DIALOG_OFFSET + user_id


def dialog_user_id(chat_id: int) -> int | None:
    """The user whose dialog with the bot ``chat_id`` is, if it is one."""
    user_id = chat_id - DIALOG_OFFSET
    return user_id if user_id > 0 else None


@dataclass
class MaxBot:
    user_id: int
    username: str
    first_name: str
    token: str
    last_name: str | None = None
    description: str | None = None
    commands: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class MaxUser:
    user_id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    # The user stopped the bot (blocked it): the bot's sends answer 403 chat.denied.
    blocked_bot: bool = False
    # The user has opened the dialog (pressed Start or written); until then the
    # bot cannot write first (403). Users made by the control API have, unless
    # created with "started": false.
    started: bool = True
    locale: str = "ru"
    last_activity_time: int = 0  # ms


@dataclass
class MaxMessage:
    """A message in a dialog, as MAX shapes it (file URLs relative to the server)."""

    mid: str
    user_id: int  # whose dialog with the bot it is in
    message: dict[str, Any]
    edited: bool = False

    @property
    def seq(self) -> int:
        return int(self.message["body"]["seq"])

    @property
    def from_bot(self) -> bool:
        return bool(self.message["sender"]["is_bot"])


@dataclass
class MaxUpload:
    """An uploaded file, known by the token a message attaches it with."""

    token: str
    type: str  # one of UPLOAD_TYPES
    file_id: str  # the StoredFile in the shared file store
    uploaded_at: float  # wall-clock seconds: attaching it earlier than the delay fails
    photo_id: int = 0


@dataclass
class UploadSlot:
    """An upload URL handed out by POST /uploads; it takes one file."""

    slot: str
    type: str
    token: str  # the token the file will have (given out at once for video and audio)
    used: bool = False


@dataclass
class MaxCallback:
    callback_id: str
    user_id: int
    mid: str
    payload: str
    answered: bool = False
    notification: str | None = None
    message_replaced: bool = False


@dataclass
class Subscription:
    url: str
    time: int  # ms
    update_types: list[str] | None = None
    secret: str | None = None
    last_error: str | None = None


@dataclass
class PendingUpdate:
    """An update waiting for the bot; ``number`` orders them (the marker counts these)."""

    number: int
    update: dict[str, Any]

    @property
    def type(self) -> str:
        return str(self.update["update_type"])
