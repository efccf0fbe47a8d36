"""A small client of the control API, for tests and tools (``SandboxControl``)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp


class SandboxControlError(Exception):
    """The control API refused a request (status and the sandbox's explanation)."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(f"{status}: {error}")
        self.status = status
        self.error = error


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
        self, user_id: int, first_name: str, *, username: str | None = None, started: bool = True
    ) -> dict[str, Any]:
        """A Telegram user; ``started=False``: one who never wrote to the bot."""
        body = {"id": user_id, "first_name": first_name, "username": username, "started": started}
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

    async def block_bot(self, user_id: int, blocked: bool = True) -> None:
        await self._request("POST", f"users/{user_id}/block", json={"blocked": blocked})

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
    ) -> int:
        """A person writes into a chat; returns the new message's id.

        ``content`` sends Message fields the web chat cannot make (a sticker, a location).
        """
        fields = self._query(
            user_id=user_id,
            chat_id=chat_id,
            text=text,
            message_thread_id=message_thread_id,
            reply_to_message_id=reply_to_message_id,
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
        return int(data["message_id"])

    async def click(
        self,
        user_id: int,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        wait: float = 0,
        check_button: bool = True,
    ) -> dict[str, Any]:
        """A person presses an inline button; waits up to ``wait`` s for the bot's answer.

        ``check_button=False`` sends any data, as a modified client could.
        """
        body = {
            "user_id": user_id,
            "chat_id": chat_id,
            "message_id": message_id,
            "data": data,
            "wait": wait,
            "check_button": check_button,
        }
        result: dict[str, Any] = await self._request("POST", "click", json=body)
        return result

    async def messages(
        self,
        chat_id: int,
        *,
        message_thread_id: int | None = None,
        after: int | None = None,
        wait: float | None = None,
    ) -> list[dict[str, Any]]:
        """The chat's messages; with ``wait``, waits for one newer than ``after``."""
        query = self._query(
            chat_id=chat_id, message_thread_id=message_thread_id, after=after, wait=wait
        )
        result: list[dict[str, Any]] = await self._request("GET", "messages", params=query)
        return result

    async def topics(self, chat_id: int) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._request(
            "GET", "topics", params={"chat_id": str(chat_id)}
        )
        return result

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
    ) -> dict[str, Any]:
        body = {
            k: v
            for k, v in {
                "method": method,
                "kind": kind,
                "count": count,
                "chat_id": chat_id,
                "retry_after": retry_after,
                "hang_seconds": hang_seconds,
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
