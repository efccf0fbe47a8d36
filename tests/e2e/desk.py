"""Driving the whole product through the sandbox, as people would.

``Desk`` wraps the sandbox's control API with waits on the sandbox's own
change notifications (no sleeps): ``await desk.wait_for(chat, predicate)``
returns once a message matching the predicate is in the chat.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.server import SandboxHandle

USER = 1001
CONSULTANT = 2001
SECOND_CONSULTANT = 2002
STAFF_CHAT = -1001000000001
STRANGER = 3001

Message = dict[str, Any]


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on now (for a server a test starts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def text_of(message: Message) -> str:
    return str(message.get("text") or message.get("caption") or "")


def buttons(message: Message) -> list[tuple[str, str]]:
    """(label, callback_data) of every inline button of a message."""
    markup = message.get("reply_markup") or {}
    return [
        (b["text"], b.get("callback_data", ""))
        for row in markup.get("inline_keyboard", [])
        for b in row
    ]


def button(message: Message, label_part: str) -> str:
    for label, data in buttons(message):
        if label_part in label:
            return data
    raise AssertionError(f"no button with {label_part!r} in {buttons(message)}")


@dataclass
class Desk:
    handle: SandboxHandle
    timeout: float = 15.0

    @property
    def control(self) -> Any:
        return self.handle.control

    async def until(self, check: Callable[[], Any], what: str, within: float | None = None) -> Any:
        """Re-run the async ``check`` on every sandbox change until it returns something truthy."""
        deadline = time.monotonic() + (within or self.timeout)
        while True:
            result = await check()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {what}")
            await self.handle.sandbox.state.changed.wait(min(remaining, 0.5))

    async def wait_for(
        self,
        chat_id: int,
        predicate: Callable[[Message], bool],
        *,
        thread_id: int | None = None,
        after: int = 0,
        what: str = "a message",
    ) -> Message:
        async def check() -> Message | None:
            found = await self.control.messages(chat_id, message_thread_id=thread_id, after=after)
            return next((m for m in found if predicate(m)), None)

        result: Message = await self.until(check, f"{what} in chat {chat_id}")
        return result

    async def bot_says(
        self, chat_id: int, part: str, *, after: int = 0, thread_id: int | None = None
    ) -> Message:
        return await self.wait_for(
            chat_id,
            lambda m: m["from"]["is_bot"] and part in text_of(m),
            after=after,
            thread_id=thread_id,
            what=f"the bot saying {part!r}",
        )

    async def topic_of(self, number: str) -> dict[str, Any]:
        async def check() -> dict[str, Any] | None:
            topics = await self.control.topics(STAFF_CHAT)
            return next((t for t in topics if number in t["name"]), None)

        result: dict[str, Any] = await self.until(check, f"the topic of {number}")
        return result

    async def say(self, user_id: int, chat_id: int, text: str = "", **kwargs: Any) -> int:
        message_id: int = await self.control.send(user_id, chat_id, text, **kwargs)
        return message_id

    async def press(
        self, user_id: int, chat_id: int, message: Message, label_part: str
    ) -> dict[str, Any]:
        result: dict[str, Any] = await self.control.click(
            user_id, chat_id, message["message_id"], button(message, label_part), wait=self.timeout
        )
        return result


def forge_click(
    handle: SandboxHandle, user_id: int, chat_id: int, message_id: int, data: str
) -> str:
    """A callback query with any data, as a modified client could send: no button check.

    Returns the query id; the bot's answer lands in ``handle.sandbox.state.callbacks``.
    """
    import secrets

    from sandbox.model import CallbackRecord
    from sandbox.serialize import user_dict

    state = handle.sandbox.state
    message = state.message(chat_id, message_id)
    assert message is not None
    record = CallbackRecord(str(secrets.randbits(63)), user_id, chat_id, message_id, data)
    state.callbacks[record.id] = record
    query = {
        "id": record.id,
        "from": user_dict(state.users[user_id]),
        "message": message,
        "chat_instance": str(abs(chat_id)),
        "data": data,
    }
    state.add_update("callback_query", query)
    return record.id


def inject_message(
    handle: SandboxHandle, user_id: int, chat_id: int, content: dict[str, Any]
) -> int:
    """A person sends content the control API has no field for (a sticker, a location...)."""
    from sandbox._conversation import post

    state = handle.sandbox.state
    message = post(state, state.chats[chat_id], state.users[user_id], content)
    return int(message["message_id"])
