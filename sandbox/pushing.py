"""A webhook pusher's life (both messengers): a background task, one HTTP session,
and one POST whose failure is said in a line (``Telegram``'s and MAX's pushers)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import aiohttp


class PushFailed(Exception):
    """The webhook took no push: ``answered`` (a status out of range) or no connection."""

    def __init__(self, detail: str, *, answered: bool) -> None:
        super().__init__(detail)
        self.detail = detail
        self.answered = answered


class Pusher:
    """Subclasses give ``_loop`` (what to push when); this starts and stops it."""

    name = "sandbox-webhook"

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._session is not None:
            await self._session.close()

    async def _loop(self) -> None:
        raise NotImplementedError

    async def _post(
        self, url: str, body: Any, headers: dict[str, str], ok: range = range(200, 201)
    ) -> bytes:
        """The answer's body; PushFailed for a status out of ``ok`` or no connection."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        try:
            async with self._session.post(url, json=body, headers=headers) as resp:
                answer = await resp.read()
                status, reason = resp.status, resp.reason
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise PushFailed(str(exc), answered=False) from exc
        if status not in ok:
            raise PushFailed(f"{status} {reason}", answered=True)
        return answer
