"""Writing outgoing messages into the outbox (same transaction as the change).

Each function queues one or more rows of a kind (``bot.outbox.kinds``, where
each kind says what the sender does with it); ``link`` and ``relay`` make the
marks that ``send`` and ``copy`` may carry. Nothing is queued for the
requester of a monitoring alert (``desk.alerts.is_system_user``): no chat is
theirs, so what would tell a user (registered, resolved, a staff reply) is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aiogram.types import InlineKeyboardMarkup

from bot.outbox import kinds
from bot.outbox.deliver import CardView
from bot.outbox.kinds import Link, Origin, Payload, Relay
from bot.texts import CAPTION_LIMIT, split_html
from desk.alerts import is_system_user
from desk.channels import channel_of
from storage.uow import UnitOfWork


def _put(uow: UnitOfWork, chat_id: int, payload: Payload, ticket_id: int | None = None) -> None:
    if is_system_user(chat_id):
        return  # a client's monitoring, the requester of its alerts, has no chat
    uow.outbox.enqueue(chat_id, payload.kind.value, payload.to_json(), ticket_id=ticket_id)


def link(author: str, author_id: int | None, *, public: bool, text: str | None) -> Link:
    return Link(author, author_id, public, text)


def relay(origin: Origin, chat_id: int, message_id: int) -> Relay:
    """Marks the rows carrying the message ``message_id`` of ``chat_id`` across:
    ``origin`` ``user`` (into the ticket's topic) or ``staff`` (to the user)."""
    return Relay(origin, chat_id, message_id)


def send(
    uow: UnitOfWork,
    chat_id: int,
    html: str,
    *,
    ticket_id: int | None = None,
    topic: bool = False,
    markup: InlineKeyboardMarkup | None = None,
    link_as: Link | None = None,
    relay_of: Relay | None = None,
) -> None:
    """Send ``html`` (split at Telegram's limit; the keyboard goes on the last piece)."""
    pieces = split_html(html)
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        payload = kinds.Send(piece, topic, markup if last else None, link_as, relay_of)
        _put(uow, chat_id, payload, ticket_id)


def copy(
    uow: UnitOfWork,
    chat_id: int,
    from_chat_id: int,
    message_id: int,
    *,
    caption: str | None,
    ticket_id: int | None,
    media: Sequence[Mapping[str, Any]] = (),
    topic: bool = False,
    link_as: Link | None = None,
    relay_of: Relay | None = None,
) -> None:
    """Copy a message (with its media); a caption past 1024 characters follows as text.

    Between messengers (``desk.channels``) nothing can be copied: the message's
    ``media`` (``Incoming.media``) is carried instead, file by file."""
    overflow = None
    if caption is not None and len(caption) > CAPTION_LIMIT:
        caption, overflow = None, caption
    payload: Payload
    if channel_of(chat_id) is channel_of(from_chat_id):
        payload = kinds.Copy(from_chat_id, message_id, caption, topic, link_as, relay_of)
    else:
        files = tuple((str(m["kind"]), str(m["file_id"]), m.get("name")) for m in media)
        if not files:  # its files are not known here: at least its words go
            if caption is not None:
                send(
                    uow,
                    chat_id,
                    caption,
                    ticket_id=ticket_id,
                    topic=topic,
                    link_as=link_as,
                    relay_of=relay_of,
                )
            return
        payload = kinds.Carry(files, caption, topic, link_as, relay_of)
    _put(uow, chat_id, payload, ticket_id)
    if overflow is not None:
        send(
            uow,
            chat_id,
            overflow,
            ticket_id=ticket_id,
            topic=topic,
            link_as=link_as,
            relay_of=relay_of,
        )


def open_topic(uow: UnitOfWork, chat_id: int, ticket_id: int, card: CardView | None = None) -> None:
    """Create the ticket's topic and post its card: ``card`` as given (a registration
    has everything it shows at hand), or as the ticket is when the row is sent."""
    queued = None if card is None else kinds.Card(card.text, card.markup, card.topic_name)
    _put(uow, chat_id, kinds.OpenTopic(queued), ticket_id)


def refresh(uow: UnitOfWork, chat_id: int, ticket_id: int) -> None:
    _put(uow, chat_id, kinds.Refresh(), ticket_id)


def topic_state(uow: UnitOfWork, chat_id: int, ticket_id: int, *, closed: bool) -> None:
    _put(uow, chat_id, kinds.TopicState(closed), ticket_id)


def set_markup(
    uow: UnitOfWork, chat_id: int, message_id: int, markup: InlineKeyboardMarkup | None
) -> None:
    _put(uow, chat_id, kinds.SetMarkup(message_id, markup))


def edit(
    uow: UnitOfWork,
    chat_id: int,
    message_id: int,
    html: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Replace a sent message's text (cut to one message) and keyboard."""
    _put(uow, chat_id, kinds.Edit(message_id, split_html(html)[0], markup))


def document(uow: UnitOfWork, chat_id: int, file_id: int, caption: str | None) -> None:
    """Send a saved report file (``storage.report_files.save_report_file``) as a document."""
    _put(uow, chat_id, kinds.Document(file_id, caption))
