"""The aiogram client's session (``make_session``) and what every call passes through.

``LateAnswers``: a button press answered too late is logged, never an error.

``KeepResponseModels``: aiogram validates each answer with ``Response[T]``, a
pydantic model that pydantic builds on first use and caches only weakly.  A
garbage collection drops it, and the next call builds it again (a 400-user
burst rebuilt ``Response[Message]`` 18 times).  The middleware holds one
reference per method kind, so each is built once.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import AnswerCallbackQuery, Response
from aiogram.methods.base import TelegramType

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import TelegramMethod

log = logging.getLogger(__name__)


class KeepResponseModels(BaseRequestMiddleware):
    def __init__(self) -> None:
        self.kept: dict[type[Any], type[Any]] = {}

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        kind = type(method)
        if kind not in self.kept:
            self.kept[kind] = Response[method.__returning__]  # type: ignore[name-defined]
        return await make_request(bot, method)


class LateAnswers(BaseRequestMiddleware):
    """A button press the bot could not answer any more: Telegram refuses an answer
    after about 15 seconds or a second one («query is too old … or query ID is
    invalid»), as for a press delivered again after a restart; MAX, an unknown
    callback. The answer only stops the button's spinner: its refusal is logged and
    the press's work stands (raising would roll the whole update back)."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        answer = isinstance(method, AnswerCallbackQuery)  # (a flag: mypy keeps the type)
        try:
            return await make_request(bot, method)
        except TelegramBadRequest as exc:
            if not answer:
                raise
            press = getattr(method, "callback_query_id", "?")
            log.warning("press %s not answered: %s", press, exc.message)
            return cast(Response[TelegramType], True)  # what the call returns: its result


class Session(AiohttpSession):
    """aiogram's session; closing one to a plain-HTTP Bot API (the sandbox) skips
    the quarter second aiogram waits for TLS connections to close."""

    async def close(self) -> None:
        if self.api.base.startswith("https://"):
            await super().close()
        elif self._session is not None and not self._session.closed:
            await self._session.close()


def make_session(api_url: str | None, *middlewares: BaseRequestMiddleware) -> AiohttpSession:
    """A session for ``api_url`` (Telegram's own when None) with ``middlewares`` in order."""
    session = Session(api=TelegramAPIServer.from_base(api_url)) if api_url else Session()
    for middleware in middlewares:
        session.middleware(middleware)
    return session
