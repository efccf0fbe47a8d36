"""A small client of the control API, for tests and tools (``SandboxControl``).

Calls that differ between the messengers take ``channel="telegram"`` (the
default) or ``channel="max"``; on MAX a user's dialog is addressed by the
user's id as ``chat_id`` and messages by their ``mid`` (a string).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Literal, overload

import aiohttp


class SandboxControlError(Exception):
    """The control API refused a request (status and the sandbox's explanation)."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(f"{status}: {error}")
        self.status = status
        self.error = error


Channel = Literal["telegram", "max"]


class SandboxControl:
    def __init__(self, base_url: str, session: aiohttp.ClientSession) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        url = f"{self.base_url}/sandbox/api/{path}"
        async with self.session.request(method, url, **kwargs) as resp:
            data = await resp.json()
            if resp.status >= 400:
                raise SandboxControlError(resp.status, data.get("error", ""))
            return data

    @staticmethod
    def _query(**values: Any) -> dict[str, str]:
        return {k: str(v) for k, v in values.items() if v is not None}

    async def state(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._request("GET", "state")
        return result

    async def create_user(
        self,
        user_id: int,
        first_name: str,
        *,
        username: str | None = None,
        started: bool = True,
        last_name: str | None = None,
        channel: Channel = "telegram",
    ) -> dict[str, Any]:
        """A Telegram (or MAX) user; ``started=False``: one who never wrote to the bot."""
        body = {
            "id": user_id,
            "first_name": first_name,
            "last_name": last_name,
            "username": username,
            "started": started,
            "channel": channel,
        }
        result: dict[str, Any] = await self._request("POST", "users", json=body)
        return result

    async def create_chat(
        self,
        chat_id: int,
        title: str,
        *,
        is_forum: bool = False,
        bot_is_admin: bool = True,
        members: dict[int, str] | list[int] | None = None,
        chat_type: str = "supergroup",
    ) -> dict[str, Any]:
        if isinstance(members, dict):
            members_json: Any = {str(k): v for k, v in members.items()}
        else:
            members_json = members or []
        body = {
            "id": chat_id,
            "title": title,
            "type": chat_type,
            "is_forum": is_forum,
            "bot_is_admin": bot_is_admin,
            "members": members_json,
        }
        result: dict[str, Any] = await self._request("POST", "chats", json=body)
        return result

    async def block_bot(
        self, user_id: int, blocked: bool = True, *, channel: Channel = "telegram"
    ) -> None:
        """The user blocks the bot (on MAX: stops it, and the bot gets bot_stopped)."""
        body = {"blocked": blocked, "channel": channel}
        await self._request("POST", f"users/{user_id}/block", json=body)

    @overload
    async def send(
        self,
        user_id: int,
        chat_id: int,
        text: str = "",
        *,
        message_thread_id: int | None = None,
        reply_to_message_id: int | None = None,
        file: Path | None = None,
        content: dict[str, Any] | None = None,
        channel: Literal["telegram"] = "telegram",
    ) -> int: ...

    @overload
    async def send(
        self,
        user_id: int,
        chat_id: int,
        text: str = "",
        *,
        reply_to_message_id: str | None = None,
        file: Path | None = None,
        content: dict[str, Any] | None = None,
        channel: Literal["max"],
    ) -> str: ...

    async def send(
        self,
        user_id: int,
        chat_id: int,
        text: str = "",
        *,
        message_thread_id: int | None = None,
        reply_to_message_id: int | str | None = None,
        file: Path | None = None,
        content: dict[str, Any] | None = None,
        channel: Channel = "telegram",
    ) -> int | str:
        """A person writes into a chat; returns the new message's id (on MAX its mid).

        ``content`` sends Message fields the web chat cannot make (a sticker, a
        location; on MAX: MessageBody fields such as ``attachments``). On MAX a
        text ``/start`` or ``/start CODE`` is a press of Start or a deep link:
        the bot gets ``bot_started`` (payload CODE), no message is made, and
        "" is returned.
        """
        fields = self._query(
            user_id=user_id,
            chat_id=chat_id,
            text=text,
            message_thread_id=message_thread_id,
            reply_to_message_id=reply_to_message_id,
            channel=channel if channel != "telegram" else None,
        )
        if content is not None:
            body: dict[str, Any] = {**fields, "content": content}
            data: dict[str, Any] = await self._request("POST", "send", json=body)
        elif file is None:
            data = await self._request("POST", "send", json=fields)
        else:
            form = aiohttp.FormData(fields, quote_fields=False)
            form.add_field("file", await asyncio.to_thread(file.read_bytes), filename=file.name)
            data = await self._request("POST", "send", data=form)
        if channel == "max":
            return str(data["message_id"] or "")
        return int(data["message_id"])

    async def click(
        self,
        user_id: int,
        chat_id: int,
        message_id: int | str,
        data: str,
        *,
        wait: float = 0,
        check_button: bool = True,
        channel: Channel = "telegram",
    ) -> dict[str, Any]:
        """A person presses an inline button; waits up to ``wait`` s for the bot's answer.

        ``check_button=False`` sends any data, as a modified client could. On
        MAX ``message_id`` is the mid and ``data`` the callback button's
        payload; the answer is ``{"callback_id", "answered", "answer"
        (the notification), "message_replaced"}``.
        """
        body = {
            "user_id": user_id,
            "chat_id": chat_id,
            "message_id": message_id,
            "data": data,
            "wait": wait,
            "check_button": check_button,
            "channel": channel,
        }
        result: dict[str, Any] = await self._request("POST", "click", json=body)
        return result

    async def messages(
        self,
        chat_id: int,
        *,
        message_thread_id: int | None = None,
        after: int | str | None = None,
        wait: float | None = None,
        channel: Channel = "telegram",
    ) -> list[dict[str, Any]]:
        """The chat's messages; with ``wait``, waits for one newer than ``after``.

        On MAX ``chat_id`` is the user's id, ``after`` a mid, and each message
        is ``sandbox.max.control.message_json`` (sandbox/README.md, "MAX").
        """
        query = self._query(
            chat_id=chat_id,
            message_thread_id=message_thread_id,
            after=after,
            wait=wait,
            channel=channel if channel != "telegram" else None,
        )
        result: list[dict[str, Any]] = await self._request("GET", "messages", params=query)
        return result

    async def topics(self, chat_id: int) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._request(
            "GET", "topics", params={"chat_id": str(chat_id)}
        )
        return result

    async def delete_topic(self, user_id: int, chat_id: int, thread_id: int) -> None:
        """``user_id``, an admin of ``chat_id``, deletes the forum topic ``thread_id``."""
        await self._request(
            "POST",
            "delete_topic",
            json={"user_id": user_id, "chat_id": chat_id, "message_thread_id": thread_id},
        )

    async def set_flood_limits(self, enabled: bool) -> None:
        await self._request("POST", "flood", json={"enabled": enabled})

    async def add_fault(
        self,
        method: str,
        kind: str,
        *,
        count: int = 1,
        chat_id: int | None = None,
        retry_after: int | None = None,
        hang_seconds: float | None = None,
        channel: Channel = "telegram",
    ) -> dict[str, Any]:
        """Make ``method`` fail (on MAX: an operation name such as sendMessage;
        ``chat_id``: the user whose dialog it is)."""
        body = {
            k: v
            for k, v in {
                "method": method,
                "kind": kind,
                "count": count,
                "chat_id": chat_id,
                "retry_after": retry_after,
                "hang_seconds": hang_seconds,
                "channel": channel,
            }.items()
            if v is not None
        }
        result: dict[str, Any] = await self._request("POST", "faults", json=body)
        return result

    async def clear_faults(self) -> None:
        await self._request("DELETE", "faults")

    async def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._request("GET", "stats")
        return result
