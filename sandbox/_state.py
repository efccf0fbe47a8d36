"""The sandbox's whole world in memory, with change tracking for persistence.

Every mutation goes through a ``State`` method, which marks the changed row
dirty (the persistence layer writes dirty rows in batches) and wakes anyone
waiting for a change (the web chat, control-API long polls).
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from sandbox.model import (
    BotIdentity,
    CallbackRecord,
    Chat,
    StoredFile,
    Topic,
    User,
    WebhookConfig,
)

Message = dict[str, Any]
Update = dict[str, Any]
RowKey = tuple[str, str]


class Notifier:
    """Wakes every waiter once per ``notify``."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> bool:
        """Wait for the next notification; False when ``seconds`` passed first."""
        event = self._event
        try:
            # not wait_for: on Python 3.11 it loses a cancellation that comes
            # with a notification (the waiter then never stops)
            async with asyncio.timeout(seconds):
                await event.wait()
        except TimeoutError:
            return False
        return True


class State:
    def __init__(self, bot: BotIdentity) -> None:
        self.bot = bot
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.topics: dict[tuple[int, int], Topic] = {}
        self.files: dict[str, StoredFile] = {}
        self.messages: dict[int, dict[int, Message]] = {}
        self.updates: deque[Update] = deque()
        self.next_update_id = 1
        self.webhook = WebhookConfig()
        self.allowed_updates: list[str] | None = None
        self.callbacks: dict[str, CallbackRecord] = {}
        self.chat_actions: dict[int, tuple[str, float]] = {}
        self.version = 0
        self.dirty: set[RowKey] = set()
        self.changed = Notifier()
        self.new_update = Notifier()

    # -- change tracking -------------------------------------------------

    def _touch(self, kind: str, key: str) -> None:
        self.dirty.add((kind, key))
        self.version += 1
        self.changed.notify()

    def touch_bot(self) -> None:
        self._touch("bot", "bot")

    def touch_meta(self) -> None:
        self._touch("meta", "meta")

    def put_user(self, user: User) -> None:
        self.users[user.id] = user
        self._touch("user", str(user.id))

    def put_chat(self, chat: Chat) -> None:
        self.chats[chat.id] = chat
        self.messages.setdefault(chat.id, {})
        self._touch("chat", str(chat.id))

    def put_topic(self, topic: Topic) -> None:
        self.topics[(topic.chat_id, topic.message_thread_id)] = topic
        self._touch("topic", topic.key)

    def drop_topic(self, topic: Topic) -> None:
        self.topics.pop((topic.chat_id, topic.message_thread_id), None)
        self._touch("topic", topic.key)

    def put_file(self, stored: StoredFile) -> None:
        self.files[stored.file_id] = stored
        self._touch("file", stored.file_id)

    def put_message(self, message: Message) -> None:
        chat_id = message["chat"]["id"]
        self.messages.setdefault(chat_id, {})[message["message_id"]] = message
        self._touch("message", f"{chat_id}:{message['message_id']}")

    def drop_message(self, chat_id: int, message_id: int) -> None:
        self.messages.get(chat_id, {}).pop(message_id, None)
        self._touch("message", f"{chat_id}:{message_id}")

    def add_update(self, kind: str, payload: dict[str, Any]) -> Update:
        update: Update = {"update_id": self.next_update_id, kind: payload}
        self.next_update_id += 1
        self.updates.append(update)
        self._touch("update", str(update["update_id"]))
        self.touch_meta()
        self.new_update.notify()
        return update

    def confirm_updates(self, below: int) -> None:
        """Forget updates with ids below ``below`` (the bot has seen them)."""
        while self.updates and self.updates[0]["update_id"] < below:
            gone = self.updates.popleft()
            self._touch("update", str(gone["update_id"]))

    def forget_update(self, update: Update) -> None:
        """Forget one update the webhook took (pushes finish in any order)."""
        if self.updates and self.updates[0] is update:
            self.updates.popleft()
        else:
            try:
                self.updates.remove(update)
            except ValueError:
                return  # gone already (deleteWebhook dropped it, an offset confirmed it)
        self._touch("update", str(update["update_id"]))

    # -- lookups -----------------------------------------------------------

    def message(self, chat_id: int, message_id: int) -> Message | None:
        return self.messages.get(chat_id, {}).get(message_id)

    def chat_messages(self, chat_id: int) -> list[Message]:
        return list(self.messages.get(chat_id, {}).values())

    def chat_topics(self, chat_id: int) -> list[Topic]:
        return [t for (cid, _), t in self.topics.items() if cid == chat_id]

    def allocate_message_id(self, chat: Chat) -> int:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        self._touch("chat", str(chat.id))
        return message_id
