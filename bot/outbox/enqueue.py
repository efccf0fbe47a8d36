"""Writing outgoing messages into the outbox (same transaction as the change).

Kinds, and what the sender does with each (``bot.outbox.deliver``):

- ``send``     sendMessage (HTML); ``topic``: into the ticket's topic
- ``copy``     copyMessage (media included) with an optional HTML caption
- ``topic``    create the ticket's forum topic (plain group: none) and post its card
- ``refresh``  bring the card and the topic name up to date (edit in place)
- ``topic_state`` close (``closed``) or reopen the ticket's forum topic
- ``markup``   replace or remove the inline keyboard of a sent message
- ``edit``     replace the text (and keyboard) of a sent message
- ``document`` send a saved report file as a document (``file_id`` in ``report_files``)

A ``link`` in the payload ties the sent message to the ticket (``message_links``)
so that a reply to it finds the ticket.  A ``relay`` marks the rows that carry
a person's message across (a user's into the topic, a consultant's to the
user): if one fails for good, the sender says so to whoever wrote it.
"""

from __future__ import annotations

from typing import Any

from aiogram.types import InlineKeyboardMarkup

from bot.outbox.deliver import CardView
from bot.texts import CAPTION_LIMIT, split_html
from storage.outbox import enqueue
from storage.uow import Session


def _markup(markup: InlineKeyboardMarkup | None) -> dict[str, Any] | None:
    return None if markup is None else markup.model_dump(mode="json", exclude_none=True)


def link(author: str, author_id: int | None, *, public: bool, text: str | None) -> dict[str, Any]:
    return {"author": author, "author_id": author_id, "public": public, "text": text}


def relay(origin: str, chat_id: int, message_id: int) -> dict[str, Any]:
    """Marks the rows carrying the message ``message_id`` of ``chat_id`` across:
    ``origin`` ``user`` (into the ticket's topic) or ``staff`` (to the user)."""
    return {"from": origin, "chat_id": chat_id, "message_id": message_id}


def send(
    session: Session,
    chat_id: int,
    html: str,
    *,
    ticket_id: int | None = None,
    topic: bool = False,
    markup: InlineKeyboardMarkup | None = None,
    link_as: dict[str, Any] | None = None,
    relay_of: dict[str, Any] | None = None,
) -> None:
    """Send ``html`` (split at Telegram's limit; the keyboard goes on the last piece)."""
    pieces = split_html(html)
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        payload: dict[str, Any] = {
            "text": piece,
            "topic": topic,
            "markup": _markup(markup) if last else None,
            "link": link_as,
        }
        if relay_of is not None:
            payload["relay"] = relay_of
        enqueue(session, chat_id, "send", payload, ticket_id=ticket_id)


def copy(
    session: Session,
    chat_id: int,
    from_chat_id: int,
    message_id: int,
    *,
    caption: str | None,
    ticket_id: int | None,
    topic: bool = False,
    link_as: dict[str, Any] | None = None,
    relay_of: dict[str, Any] | None = None,
) -> None:
    """Copy a message (with its media); a caption past 1024 characters follows as text."""
    overflow = None
    if caption is not None and len(caption) > CAPTION_LIMIT:
        caption, overflow = None, caption
    payload: dict[str, Any] = {
        "from_chat_id": from_chat_id,
        "message_id": message_id,
        "caption": caption,
        "topic": topic,
        "link": link_as,
    }
    if relay_of is not None:
        payload["relay"] = relay_of
    enqueue(session, chat_id, "copy", payload, ticket_id=ticket_id)
    if overflow is not None:
        send(
            session,
            chat_id,
            overflow,
            ticket_id=ticket_id,
            topic=topic,
            link_as=link_as,
            relay_of=relay_of,
        )


def open_topic(
    session: Session, chat_id: int, ticket_id: int, card: CardView | None = None
) -> None:
    """Create the ticket's topic and post its card: ``card`` as given (a registration
    has everything it shows at hand), or as the ticket is when the row is sent."""
    payload = {}
    if card is not None:
        payload["card"] = {
            "text": card.text,
            "markup": _markup(card.markup),
            "name": card.topic_name,
        }
    enqueue(session, chat_id, "topic", payload, ticket_id=ticket_id)


def refresh(session: Session, chat_id: int, ticket_id: int) -> None:
    enqueue(session, chat_id, "refresh", {}, ticket_id=ticket_id)


def topic_state(session: Session, chat_id: int, ticket_id: int, *, closed: bool) -> None:
    enqueue(session, chat_id, "topic_state", {"closed": closed}, ticket_id=ticket_id)


def set_markup(
    session: Session, chat_id: int, message_id: int, markup: InlineKeyboardMarkup | None
) -> None:
    enqueue(session, chat_id, "markup", {"message_id": message_id, "markup": _markup(markup)})


def edit(
    session: Session,
    chat_id: int,
    message_id: int,
    html: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Replace a sent message's text (cut to one message) and keyboard."""
    enqueue(
        session,
        chat_id,
        "edit",
        {"message_id": message_id, "text": split_html(html)[0], "markup": _markup(markup)},
    )


def document(session: Session, chat_id: int, file_id: int, caption: str | None) -> None:
    """Send a saved report file (``storage.report_files.save_report_file``) as a document."""
    enqueue(session, chat_id, "document", {"file_id": file_id, "caption": caption})
