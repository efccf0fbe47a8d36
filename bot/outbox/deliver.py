"""Turning one outbox row into Telegram calls: one method per kind
(``bot.outbox.kinds.OutboxKind``), found through one dispatch table.

Each method gets the row and its payload, decoded by that kind's payload
class; an unknown kind or a payload that does not fit raises ``ValueError``.

Errors are left to the sender (``bot.outbox.sender``), which decides between
retrying and giving up.  Each call here is safe to repeat after a crash except
for the forum topic, which is recorded right after it is created.

A ticket's topic that someone deleted in the staff group is opened again
(a new topic, the card and a line saying why) the first time a row for it
finds the thread gone, and the row then goes there: nothing meant for the
ticket is lost with the old topic.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import aiohttp
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramNetworkError
from aiogram.methods import GetFile
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, ReplyParameters

from bot import texts
from bot.channels import Bots
from bot.outbox.kinds import (
    Card,
    Carry,
    Copy,
    Document,
    Edit,
    OpenTopic,
    OutboxKind,
    Payload,
    Refresh,
    Send,
    SetMarkup,
    TopicState,
)
from storage import messaging
from storage.outbox import OutboxItem
from storage.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CardView:
    """A ticket's card and topic name as they should look now."""

    text: str
    markup: InlineKeyboardMarkup
    topic_name: str
    topic: messaging.TicketTopic | None  # the ticket's topic as the view was read with


CardSource = Callable[[UnitOfWork, int], Awaitable[CardView]]
Record = Callable[[UnitOfWork], Awaitable[None]]


@dataclass(frozen=True)
class Delivered:
    """What a row's delivery created, and what to write down about it.

    ``record`` runs in the transaction that marks the row sent (one
    transaction instead of two; a crash before it commits repeats the row,
    as a crash between two transactions would)."""

    message_id: int | None
    record: Record | None = None


_P = TypeVar("_P", bound=Payload)
_Way = Callable[[OutboxItem], Awaitable[Delivered]]


def _way(
    payload: type[_P], perform: Callable[[OutboxItem, _P], Awaitable[Delivered | int | None]]
) -> _Way:
    """``perform`` a row with its payload decoded as ``payload``."""

    async def way(item: OutboxItem) -> Delivered:
        result = await perform(item, payload.from_json(item.payload))
        return result if isinstance(result, Delivered) else Delivered(result)

    return way


def _not_modified(exc: TelegramBadRequest) -> bool:
    return "not modified" in exc.message


def _thread_gone(exc: TelegramBadRequest) -> bool:
    """A forum topic that was deleted (Telegram: «message thread not found» for a
    message into it, TOPIC_ID_INVALID or TOPIC_DELETED for the topic's own methods)."""
    text = exc.message.upper()
    return any(s in text for s in ("MESSAGE THREAD NOT FOUND", "TOPIC_ID_INVALID", "TOPIC_DELETED"))


def _topic_not_modified(exc: TelegramBadRequest) -> bool:
    """Closing a closed topic (or reopening an open one), e.g. a row repeated after a crash."""
    return "TOPIC_NOT_MODIFIED" in exc.message.upper()


class Deliverer:
    def __init__(
        self,
        bot: Bot,
        uow_factory: UnitOfWorkFactory,
        cards: CardSource,
        max_bot: Bot | None = None,
    ) -> None:
        self._bot = bot  # Telegram's: the staff side and Telegram users
        self._bots = Bots(bot, max_bot)  # by chat: Telegram's or MAX's (desk.channels)
        self._uow = uow_factory
        self._cards = cards
        self._forum: dict[int, bool] = {}
        self._places: dict[int, tuple[int | None, int]] = {}  # ticket -> (thread, card)
        self._first_tries_after: int | None = None
        self._ways: dict[OutboxKind, _Way] = {
            OutboxKind.SEND: _way(Send, self._send),
            OutboxKind.COPY: _way(Copy, self._copy),
            OutboxKind.TOPIC: _way(OpenTopic, self._topic),
            OutboxKind.REFRESH: _way(Refresh, self._refresh),
            OutboxKind.TOPIC_STATE: _way(TopicState, self._topic_state),
            OutboxKind.MARKUP: _way(SetMarkup, self._set_markup),
            OutboxKind.EDIT: _way(Edit, self._edit),
            OutboxKind.DOCUMENT: _way(Document, self._document),
            OutboxKind.CARRY: _way(Carry, self._carry),
        }

    def first_tries_after(self, last_id: int) -> None:
        """Rows with a larger id were queued after this sender started, so a row of
        them not yet attempted has never been tried by anyone (see ``_card_to_post``)."""
        self._first_tries_after = last_id

    async def deliver(self, item: OutboxItem) -> Delivered:
        """Perform ``item``; the message it created, if any, and what to record."""
        try:
            way = self._ways[OutboxKind(item.kind)]
        except ValueError:
            raise ValueError(f"unknown outbox kind {item.kind!r}") from None
        try:
            return await way(item)
        except TelegramBadRequest as exc:
            if not (_thread_gone(exc) and await self._open_again(item)):
                raise
        return await way(item)  # into the topic opened again

    async def _open_again(self, item: OutboxItem) -> bool:
        """Open a new topic for the ticket whose topic ``item`` found deleted, with
        its card and a line saying why; False if the ticket had no topic there."""
        if item.ticket_id is None:
            return False
        ticket_id = item.ticket_id
        async with self._uow() as uow:
            view = await self._cards(uow, ticket_id)
        old = view.topic
        if old is None or old.thread_id is None or old.chat_id != item.chat_id:
            return False
        self._places.pop(ticket_id, None)
        created = await self._bot.create_forum_topic(chat_id=old.chat_id, name=view.topic_name)
        thread = created.message_thread_id
        # recorded at once, as a first topic is: creating one is not safe to repeat
        async with self._uow() as uow:
            await uow.messaging.move_topic(ticket_id, thread, view.topic_name)
        log.warning(
            "the topic of ticket %s (thread %s in chat %s) was deleted: opened again as %s",
            ticket_id, old.thread_id, old.chat_id, thread,
        )  # fmt: skip
        posted = await self._post_card(ticket_id, old.chat_id, thread, view)
        assert posted.record is not None
        async with self._uow() as uow:
            await posted.record(uow)
        await self._bot.send_message(
            chat_id=old.chat_id, text=texts.render("topic_opened_again"), message_thread_id=thread
        )
        return True

    async def is_forum(self, chat_id: int) -> bool:
        if chat_id not in self._forum:
            chat = await self._bot.get_chat(chat_id)
            self._forum[chat_id] = bool(chat.is_forum)
        return self._forum[chat_id]

    async def _place(
        self, item: OutboxItem, topic_wanted: bool
    ) -> tuple[int | None, ReplyParameters | None]:
        """Where a topic message goes: the topic's thread, or a reply to the card."""
        if not topic_wanted or item.ticket_id is None:
            return None, None
        topic: messaging.TicketTopic | None
        if item.ticket_id in self._places:  # a posted card's place never changes
            thread_id, card_id = self._places[item.ticket_id]
            topic = messaging.TicketTopic(
                item.ticket_id, item.chat_id, thread_id, card_id, None, None, None
            )
        else:
            async with self._uow() as uow:
                topic = await uow.messaging.topic_of(item.ticket_id)
        if topic is None:
            return None, None
        if topic.card_message_id is not None:
            self._places[item.ticket_id] = (topic.thread_id, topic.card_message_id)
        if topic.thread_id is not None:
            return topic.thread_id, None
        if topic.card_message_id is not None:
            return None, ReplyParameters(
                message_id=topic.card_message_id, allow_sending_without_reply=True
            )
        return None, None

    async def _send(self, item: OutboxItem, send: Send) -> int:
        thread, reply = await self._place(item, send.topic)
        message = await self._bots.for_chat(item.chat_id).send_message(
            chat_id=item.chat_id,
            text=send.text,
            message_thread_id=thread,
            reply_parameters=reply,
            reply_markup=send.markup,
        )
        return message.message_id

    async def _copy(self, item: OutboxItem, copy: Copy) -> int:
        thread, reply = await self._place(item, copy.topic)
        result = await self._bots.for_chat(item.chat_id).copy_message(
            chat_id=item.chat_id,
            from_chat_id=copy.from_chat_id,
            message_id=copy.message_id,
            caption=copy.caption,
            message_thread_id=thread,
            reply_parameters=reply,
        )
        return result.message_id

    async def _set_markup(self, item: OutboxItem, change: SetMarkup) -> None:
        try:
            await self._bots.for_chat(item.chat_id).edit_message_reply_markup(
                chat_id=item.chat_id, message_id=change.message_id, reply_markup=change.markup
            )
        except TelegramBadRequest as exc:
            if not _not_modified(exc):
                raise

    async def _document(self, item: OutboxItem, document: Document) -> int:
        """A saved report file (``storage.report_files``) sent as a document."""
        async with self._uow() as uow:
            found = await uow.report_files.report_content(document.file_id)
        if found is None:
            raise ValueError(f"report file {document.file_id} is gone")
        meta, content = found
        message = await self._bots.for_chat(item.chat_id).send_document(
            chat_id=item.chat_id,
            document=BufferedInputFile(content, filename=meta.filename),
            caption=document.caption,
        )
        return message.message_id

    async def _edit(self, item: OutboxItem, edit: Edit) -> None:
        try:
            await self._bots.for_chat(item.chat_id).edit_message_text(
                chat_id=item.chat_id,
                message_id=edit.message_id,
                text=edit.text,
                reply_markup=edit.markup,
            )
        except TelegramBadRequest as exc:
            if not _not_modified(exc):
                raise

    async def _carry(self, item: OutboxItem, carry: Carry) -> int:
        """Each file fetched from its messenger and sent to this chat's; the id of the first."""
        thread, reply = await self._place(item, carry.topic)
        bot = self._bots.for_chat(item.chat_id)
        first: int | None = None
        for kind, file_id, name in carry.media:
            data = await self._fetch(file_id)
            caption = carry.caption if first is None else None
            if kind == "photo":
                sent = await bot.send_photo(
                    chat_id=item.chat_id,
                    photo=BufferedInputFile(data, filename=name or "photo.jpg"),
                    caption=caption,
                    message_thread_id=thread,
                    reply_parameters=reply,
                )
            else:
                sent = await bot.send_document(
                    chat_id=item.chat_id,
                    document=BufferedInputFile(data, filename=name or "file"),
                    caption=caption,
                    message_thread_id=thread,
                    reply_parameters=reply,
                )
            first = sent.message_id if first is None else first
        assert first is not None
        return first

    async def _fetch(self, file_id: str) -> bytes:
        """A file's bytes: a MAX download URL through MAX's session, else a Telegram file."""
        if file_id.startswith(("http://", "https://")):
            if self._bots.max is None:
                raise ValueError("a MAX file, and no MAX bot here")
            try:
                chunks = [c async for c in self._bots.max.session.stream_content(file_id)]
            except aiohttp.ClientResponseError as exc:  # gone (4xx) fails; 429 and 5xx retry
                gone = 400 <= exc.status < 500 and exc.status != 429
                failed = TelegramBadRequest if gone else TelegramNetworkError
                message = f"the MAX file could not be fetched: {exc.status} {exc.message}"
                raise failed(method=GetFile(file_id=file_id), message=message) from exc
            except aiohttp.ClientError as exc:
                message = f"the MAX file could not be fetched: {exc!r}"
                raise TelegramNetworkError(
                    method=GetFile(file_id=file_id), message=message
                ) from exc
            return b"".join(chunks)
        found = await self._bot.download(file_id)
        if found is None:
            raise ValueError(f"file {file_id} could not be downloaded")
        return found.read()

    async def _card_to_post(self, item: OutboxItem, card: Card | None) -> CardView:
        """The card to post, with the ticket's topic if it has one already.

        A registration queues its card with the row.  A row queued after this
        sender started that nobody has tried yet cannot have a topic, so its
        card is posted as queued, without a read.  Any other row (an earlier
        try, here or before a restart, may have made the topic) gets the
        ticket's card and topic as they are now.
        """
        assert item.ticket_id is not None
        after = self._first_tries_after
        if card is not None and after is not None and item.id > after and item.attempts == 0:
            return CardView(card.text, card.markup, card.name, topic=None)
        async with self._uow() as uow:
            return await self._cards(uow, item.ticket_id)

    async def _topic(self, item: OutboxItem, open_topic: OpenTopic) -> Delivered:
        assert item.ticket_id is not None
        view = await self._card_to_post(item, open_topic.card)
        topic = view.topic
        if topic is None:
            thread = None
            if await self.is_forum(item.chat_id):
                created = await self._bot.create_forum_topic(
                    chat_id=item.chat_id, name=view.topic_name
                )
                thread = created.message_thread_id
            # recorded at once: creating a topic is the one call not safe to repeat
            async with self._uow() as uow:
                await uow.messaging.save_topic(
                    item.ticket_id, item.chat_id, thread, view.topic_name
                )
            topic = messaging.TicketTopic(
                item.ticket_id, item.chat_id, thread, None, view.topic_name, None, None
            )
        if topic.card_message_id is not None:
            return Delivered(topic.card_message_id)
        return await self._post_card(item.ticket_id, item.chat_id, topic.thread_id, view)

    async def _post_card(
        self, ticket_id: int, chat_id: int, thread: int | None, view: CardView
    ) -> Delivered:
        """Post the ticket's card; recording it names the ticket for a reply to the
        card (the only way in a group without topics)."""
        card = await self._bot.send_message(
            chat_id=chat_id, text=view.text, message_thread_id=thread, reply_markup=view.markup
        )

        async def record(uow: UnitOfWork) -> None:
            await uow.messaging.save_card(ticket_id, card.message_id, view.text)
            await uow.messaging.add_link(
                messaging.MessageLink(
                    chat_id=chat_id,
                    message_id=card.message_id,
                    ticket_id=ticket_id,
                    author="card",
                    author_id=None,
                    public=False,
                    text=None,
                    at=card.date,
                ),
            )

        return Delivered(card.message_id, record)

    async def _refresh(self, item: OutboxItem, _refresh: Refresh) -> None:
        assert item.ticket_id is not None
        async with self._uow() as uow:
            view = await self._cards(uow, item.ticket_id)
        topic = view.topic
        if topic is None or topic.card_message_id is None:
            return  # no card yet: a refresh queued after its topic row (same chat) updates it
        if view.text != topic.card_text:
            try:
                await self._bot.edit_message_text(
                    chat_id=topic.chat_id,
                    message_id=topic.card_message_id,
                    text=view.text,
                    reply_markup=view.markup,
                )
            except TelegramBadRequest as exc:
                if not _not_modified(exc):
                    raise
            async with self._uow() as uow:
                await uow.messaging.save_card_text(item.ticket_id, view.text)
        if topic.thread_id is not None and view.topic_name != topic.topic_name:
            await self._bot.edit_forum_topic(
                chat_id=topic.chat_id, message_thread_id=topic.thread_id, name=view.topic_name
            )
            async with self._uow() as uow:
                await uow.messaging.save_topic_name(item.ticket_id, view.topic_name)

    async def _topic_state(self, item: OutboxItem, state: TopicState) -> None:
        """Close or reopen the topic; in a plain group there is none and nothing to do."""
        assert item.ticket_id is not None
        async with self._uow() as uow:
            topic = await uow.messaging.topic_of(item.ticket_id)
        if topic is None or topic.thread_id is None:
            return  # a plain group (no topics), or no topic was ever made
        try:
            if state.closed:
                await self._bot.close_forum_topic(
                    chat_id=topic.chat_id, message_thread_id=topic.thread_id
                )
            else:
                await self._bot.reopen_forum_topic(
                    chat_id=topic.chat_id, message_thread_id=topic.thread_id
                )
        except TelegramBadRequest as exc:
            if not _topic_not_modified(exc):
                raise
