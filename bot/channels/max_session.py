"""Bot API calls made to a MAX user: an aiogram session that speaks MAX.

The outbox and the handlers call an aiogram ``Bot``; for a MAX chat (its key,
``desk.channels``) that bot's session is this one.  Each call it supports is
made by ``maxapi`` (the MAX Bot API client) and its answer given back in the
Bot API's shape, so the sender's policy (429 waits, 5xx retries, 403 and other
4xx fail) holds unchanged:

    sendMessage, editMessageText     POST/PUT /messages (HTML; an inline keyboard
                                     becomes an ``inline_keyboard`` attachment)
    editMessageReplyMarkup           PUT /messages with the new keyboard
    sendPhoto, sendDocument          upload, then POST /messages (maxapi retries
                                     ``attachment.not.ready``)
    answerCallbackQuery              POST /answers (only when it has a text)
    deleteMessage, getMe             DELETE /messages, GET /me
    sendChatAction                   nothing (MAX has no such call we need)

A message is known to the desk by an integer (its ``seq``) and to MAX by its
``mid``, a string: every message sent is remembered (``storage.channels``) so
an edit finds its ``mid``.  Anything else (a forum topic, copyMessage across
messengers) is refused as a 400: the desk never asks it of a MAX chat.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.base import BaseSession
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    SendChatAction,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import BufferedInputFile, Chat, InlineKeyboardMarkup, Message, User
from maxapi import Bot as MaxBot
from maxapi.enums.parse_mode import TextFormat
from maxapi.enums.upload_type import UploadType
from maxapi.exceptions.max import InvalidToken, MaxApiError, MaxConnection
from maxapi.types.attachments.attachment import ButtonsPayload
from maxapi.types.attachments.buttons.callback_button import CallbackButton
from maxapi.types.attachments.buttons.link_button import LinkButton
from maxapi.types.input_media import InputMediaBuffer

from desk.channels import Address, Channel

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)

# MAX's limit on a message's text (Telegram's is 4096): maxapi takes fewer than 4000
TEXT_LIMIT = 3999

# What MAX's HTML format shows; other tags are dropped, their text kept.
_KEPT_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "a"}
)
_MENTION = re.compile(r"<a\s[^>]*href=\"tg://[^\"]*\"[^>]*>(.*?)</a>", re.DOTALL)
_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*>")


def max_html(html: str) -> str:
    """Telegram HTML as MAX shows it: spoilers, quotes, custom emoji and mentions of
    Telegram users lose their tags (their text stays)."""

    def keep(match: re.Match[str]) -> str:
        return match.group(0) if match.group(1).lower() in _KEPT_TAGS else ""

    # a Telegram mention means nothing on MAX: its name stays
    return _TAG.sub(keep, _MENTION.sub(r"\1", html))


def max_keyboard(markup: InlineKeyboardMarkup | None) -> list[Any]:
    """A Bot API inline keyboard as MAX's ``inline_keyboard`` attachment (none: [])."""
    if markup is None:
        return []
    rows: list[list[Any]] = []
    for row in markup.inline_keyboard:
        buttons: list[Any] = []
        for button in row:
            if button.callback_data is not None:
                buttons.append(CallbackButton(text=button.text, payload=button.callback_data))
            elif button.url is not None:
                buttons.append(LinkButton(text=button.text, url=button.url))
        if buttons:
            rows.append(buttons)
    return [ButtonsPayload(buttons=rows).pack()] if rows else []  # type: ignore[no-untyped-call]


MidBook = Callable[[int, int, str | None], Awaitable[str | None]]
"""``(chat_key, seq, mid)``: with a ``mid``, remember it for that message and
return it; without, return the ``mid`` remembered (None: never seen)."""


class MaxSession(BaseSession):
    def __init__(self, max_bot: MaxBot, mids: MidBook) -> None:
        super().__init__()
        self.max_bot = max_bot
        self._mids = mids

    async def close(self) -> None:
        await self.max_bot.close_session()

    async def __call__(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (aiogram's signature)
    ) -> TelegramType:
        # a call MAX is never asked (a chat action, a callback answer without a
        # text) skips the middlewares: the rate limiter counts every MAX request
        if isinstance(method, SendChatAction) or (
            isinstance(method, AnswerCallbackQuery) and not method.text
        ):
            return cast(TelegramType, True)
        return await super().__call__(bot, method, timeout)

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 (aiogram's signature)
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        session = await self.max_bot.ensure_session()
        async with session.get(url, headers=headers, raise_for_status=raise_for_status) as resp:
            async for chunk in resp.content.iter_chunked(chunk_size):
                yield chunk

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (aiogram's signature)
    ) -> TelegramType:
        try:
            return cast(TelegramType, await self._perform(method))
        except TelegramAPIError:
            raise
        except InvalidToken as exc:
            raise TelegramUnauthorizedError(method=method, message=str(exc)) from exc
        except MaxApiError as exc:
            raise _error(method, exc) from exc
        except MaxConnection as exc:
            raise TelegramNetworkError(method=method, message=str(exc)) from exc
        except RuntimeError as exc:  # maxapi gave up waiting for an upload to be ready
            raise TelegramNetworkError(method=method, message=str(exc)) from exc
        except ValueError as exc:  # maxapi refused the call before sending it: never retried
            raise TelegramBadRequest(method=method, message=f"maxapi: {exc}") from exc

    async def _perform(self, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, SendMessage):
            return await self._send(method.chat_id, method.text, method.reply_markup)
        if isinstance(method, SendPhoto | SendDocument):
            return await self._send_file(method)
        if isinstance(method, EditMessageText):
            mid = await self._mid(method, method.chat_id, method.message_id)
            await self.max_bot.edit_message(
                mid,
                text=max_html(method.text or "")[:TEXT_LIMIT],
                attachments=max_keyboard(_markup(method.reply_markup)),
                format=TextFormat.HTML,
            )
            return True
        if isinstance(method, EditMessageReplyMarkup):
            mid = await self._mid(method, method.chat_id, method.message_id)
            await self.max_bot.edit_message(
                mid, attachments=max_keyboard(_markup(method.reply_markup))
            )
            return True
        if isinstance(method, AnswerCallbackQuery):
            if method.text:
                await self.max_bot.send_callback(method.callback_query_id, notification=method.text)
            return True
        if isinstance(method, DeleteMessage):
            mid = await self._mid(method, method.chat_id, method.message_id)
            await self.max_bot.delete_message(mid)
            return True
        if isinstance(method, GetMe):
            me = await self.max_bot.get_me()
            return User(id=me.user_id, is_bot=True, first_name=me.first_name, username=me.username)
        if isinstance(method, SendChatAction):
            return True
        raise TelegramBadRequest(method=method, message=f"{method.__api_method__} is not on MAX")

    async def _send(
        self, chat_id: int | str, html: str, markup: Any, files: list[Any] | None = None
    ) -> Message:
        key = _key(chat_id)
        user_id = Address.of_key(key).id
        text = max_html(html)
        pieces = _pieces(text) if text else [None]
        sent: Any = None
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            attachments = [*(files or [])] if i == 0 else []
            if last:
                attachments += max_keyboard(_markup(markup))
            sent = await self.max_bot.send_message(
                user_id=user_id,
                text=piece,
                attachments=attachments or None,
                format=TextFormat.HTML if piece else None,
            )
        assert sent is not None
        body = sent.message.body
        await self._mids(key, body.seq, body.mid)
        when = datetime.fromtimestamp(sent.message.timestamp / 1000, UTC)
        return Message(
            message_id=body.seq,
            date=when,
            chat=Chat(id=key, type="private"),
            text=body.text or None,
        )

    async def _send_file(self, method: SendPhoto | SendDocument) -> Message:
        source = method.photo if isinstance(method, SendPhoto) else method.document
        if not isinstance(source, BufferedInputFile):
            raise TelegramBadRequest(method=method, message="MAX takes a file's bytes only")
        kind = UploadType.IMAGE if isinstance(method, SendPhoto) else UploadType.FILE
        media = InputMediaBuffer(buffer=source.data, filename=source.filename, type=kind)
        return await self._send(method.chat_id, method.caption or "", method.reply_markup, [media])

    async def _mid(self, method: TelegramMethod[Any], chat_id: Any, message_id: Any) -> str:
        if chat_id is None or message_id is None:
            raise TelegramBadRequest(method=method, message="inline messages are not on MAX")
        mid = await self._mids(_key(chat_id), int(message_id), None)
        if mid is None:
            raise TelegramBadRequest(method=method, message="message to edit not found")
        return mid


def _key(chat_id: int | str) -> int:
    key = int(chat_id)
    if Address.of_key(key).channel is not Channel.MAX:
        raise ValueError(f"chat {key} is not a MAX chat")
    return key


def _markup(markup: Any) -> InlineKeyboardMarkup | None:
    return markup if isinstance(markup, InlineKeyboardMarkup) else None


def _pieces(text: str) -> list[str]:
    """``text`` in pieces MAX takes (cut at a line break where there is one)."""
    pieces: list[str] = []
    while len(text) > TEXT_LIMIT:
        cut = text.rfind("\n", 0, TEXT_LIMIT)
        cut = cut if cut > TEXT_LIMIT // 2 else TEXT_LIMIT
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*pieces, text]


def _error(method: TelegramMethod[Any], exc: MaxApiError) -> TelegramAPIError:
    raw = exc.raw if isinstance(exc.raw, dict) else {}
    message = f"MAX {exc.code}: {raw.get('code', '')} {raw.get('message', exc.raw)}".strip()
    if exc.code == 429:
        return TelegramRetryAfter(method=method, message=message, retry_after=1)
    if exc.code == 403:
        return TelegramForbiddenError(method=method, message=message)
    if exc.code == 404:
        return TelegramNotFound(method=method, message=message)
    if exc.code >= 500:
        return TelegramServerError(method=method, message=message)
    return TelegramBadRequest(method=method, message=message)
