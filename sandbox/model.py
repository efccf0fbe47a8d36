"""What the sandbox's Telegram world is made of: the bot, users, chats, topics, files.

Messages and updates are kept as plain dicts in the Bot API's own shape: that
is the form in which they are stored, answered and shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Chat member statuses, as Telegram names them.
CREATOR = "creator"
ADMINISTRATOR = "administrator"
MEMBER = "member"
LEFT = "left"
KICKED = "kicked"
PRESENT = (CREATOR, ADMINISTRATOR, MEMBER)

# The six colours Telegram allows for forum topic icons.
TOPIC_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)


@dataclass
class BotIdentity:
    id: int
    username: str
    first_name: str
    token: str
    # "<scope JSON>|<language>" -> commands, as setMyCommands keeps them per scope and language.
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class User:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    # The user pressed "Stop and block bot": sends to them answer 403.
    blocked_bot: bool = False
    # The user has opened the private chat with the bot (written to it); until then
    # the bot cannot start the conversation (403). Users made by the control API have,
    # unless created with "started": false.
    started: bool = True


@dataclass
class Chat:
    id: int
    type: str  # "private", "group" or "supergroup"
    title: str | None = None
    is_forum: bool = False
    # user id -> status (see PRESENT); the bot is a member like anyone else.
    members: dict[int, str] = field(default_factory=dict)
    next_message_id: int = 1
    pinned_message_id: int | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chat:
        data = dict(data)
        data["members"] = {int(k): v for k, v in data.get("members", {}).items()}
        return cls(**data)

    def status_of(self, user_id: int) -> str:
        return self.members.get(user_id, LEFT)

    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")


@dataclass
class Topic:
    chat_id: int
    message_thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    closed: bool = False

    @property
    def key(self) -> str:
        return f"{self.chat_id}:{self.message_thread_id}"


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # "photo" or "document"
    file_size: int
    mime_type: str
    file_name: str
    path: str  # relative to the sandbox's file directory
    width: int = 0
    height: int = 0


@dataclass
class WebhookConfig:
    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class CallbackRecord:
    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False
    answer_text: str | None = None
    show_alert: bool = False
