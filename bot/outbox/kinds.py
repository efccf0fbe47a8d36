"""What an outbox row asks for: its kind (``OutboxKind``) and a typed payload per kind.

A row stores its kind as a string and its payload as a JSON object
(``storage.outbox``).  Each payload class turns itself into that object
(``to_json``) and back (``from_json``), checking every field once, here at
the edge; the deliverer (``bot.outbox.deliver``) and the sender trust what
they get.  The JSON keys are those the rows have always had, so a row queued
by an earlier version is delivered by this one (optional keys may be absent).

A ``Link`` ties the sent message to its ticket (``message_links``) so that a
reply to it finds the ticket.  A ``Relay`` marks the rows that carry a
person's message across (a user's into the topic, a consultant's to the
user): if one fails for good, the sender tells whoever wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Literal, Protocol, Self, TypeVar

from aiogram.types import InlineKeyboardMarkup

from storage.outbox import JsonObject, OutboxItem


class OutboxKind(StrEnum):
    """What the sender does with a row (the deliverer's dispatch table is keyed by it)."""

    SEND = "send"  # sendMessage (HTML); ``topic``: into the ticket's topic
    COPY = "copy"  # copyMessage (media included) with an optional HTML caption
    TOPIC = "topic"  # create the ticket's forum topic (plain group: none) and post its card
    REFRESH = "refresh"  # bring the card and the topic name up to date (edit in place)
    TOPIC_STATE = "topic_state"  # close or reopen the ticket's forum topic
    MARKUP = "markup"  # replace or remove the inline keyboard of a sent message
    EDIT = "edit"  # replace the text (and keyboard) of a sent message
    DOCUMENT = "document"  # send a saved report file (``storage.report_files``)
    CARRY = "carry"  # a message's media across messengers: fetched, then sent as a file


class BadPayload(ValueError):
    """A row's payload does not fit its kind (a field missing or of the wrong type)."""


class Payload(Protocol):
    """What every payload class offers."""

    kind: ClassVar[OutboxKind]

    def to_json(self) -> JsonObject: ...

    @classmethod
    def from_json(cls, data: JsonObject) -> Self: ...


Origin = Literal["user", "staff"]
_ORIGINS: dict[str, Origin] = {"user": "user", "staff": "staff"}

_T = TypeVar("_T", str, int, bool)


def _optional(data: JsonObject, key: str, kind: type[_T]) -> _T | None:
    value = data.get(key)
    if value is None:
        return None
    # bool is an int to Python, never to us
    if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
        return value
    raise BadPayload(f"{key!r} should be {kind.__name__}, not {value!r}")


def _required(data: JsonObject, key: str, kind: type[_T]) -> _T:
    value = _optional(data, key, kind)
    if value is None:
        raise BadPayload(f"{key!r} is missing")
    return value


def _object(data: JsonObject, key: str) -> JsonObject | None:
    value = data.get(key)
    if value is None or isinstance(value, dict):
        return value
    raise BadPayload(f"{key!r} should be an object, not {value!r}")


def _markup_json(markup: InlineKeyboardMarkup | None) -> JsonObject | None:
    return None if markup is None else markup.model_dump(mode="json", exclude_none=True)


def _markup(data: JsonObject, key: str) -> InlineKeyboardMarkup | None:
    value = _object(data, key)
    return None if value is None else InlineKeyboardMarkup.model_validate(value)


@dataclass(frozen=True)
class Link:
    """The sent message answers for the ticket: who wrote it, and what staff may see."""

    author: str  # "user", "staff", "bot"
    author_id: int | None
    public: bool
    text: str | None

    def to_json(self) -> JsonObject:
        return {
            "author": self.author,
            "author_id": self.author_id,
            "public": self.public,
            "text": self.text,
        }

    @classmethod
    def from_json(cls, data: JsonObject) -> Self:
        return cls(
            author=_required(data, "author", str),
            author_id=_optional(data, "author_id", int),
            public=bool(_optional(data, "public", bool)),
            text=_optional(data, "text", str),
        )


@dataclass(frozen=True)
class Relay:
    """The rows carrying message ``message_id`` of ``chat_id`` across: ``origin``
    ``user`` (into the ticket's topic) or ``staff`` (to the user)."""

    origin: Origin
    chat_id: int
    message_id: int

    def to_json(self) -> JsonObject:
        return {"from": self.origin, "chat_id": self.chat_id, "message_id": self.message_id}

    @classmethod
    def from_json(cls, data: JsonObject) -> Self:
        origin = _ORIGINS.get(_required(data, "from", str))
        if origin is None:
            raise BadPayload(f"relay from {data['from']!r}")
        return cls(origin, _required(data, "chat_id", int), _required(data, "message_id", int))


def _link(data: JsonObject) -> Link | None:
    value = _object(data, "link")
    return None if value is None else Link.from_json(value)


def _relay(data: JsonObject) -> Relay | None:
    value = _object(data, "relay")
    return None if value is None else Relay.from_json(value)


def link_of(item: OutboxItem) -> Link | None:
    """The row's link to its ticket, if it carries one (``send`` and ``copy`` may)."""
    return _link(item.payload)


def relay_of(item: OutboxItem) -> Relay | None:
    """The row's relay mark, if it carries one (``send`` and ``copy`` may)."""
    return _relay(item.payload)


def _carried(payload: JsonObject, link: Link | None, relay: Relay | None) -> JsonObject:
    payload["link"] = None if link is None else link.to_json()
    if relay is not None:  # absent rather than null, as rows have always had it
        payload["relay"] = relay.to_json()
    return payload


@dataclass(frozen=True)
class Send:
    """sendMessage: ``text`` (HTML), into the ticket's topic if ``topic``."""

    kind: ClassVar[OutboxKind] = OutboxKind.SEND
    text: str
    topic: bool = False
    markup: InlineKeyboardMarkup | None = None
    link: Link | None = None
    relay: Relay | None = None

    def to_json(self) -> JsonObject:
        payload: JsonObject = {
            "text": self.text,
            "topic": self.topic,
            "markup": _markup_json(self.markup),
        }
        return _carried(payload, self.link, self.relay)

    @classmethod
    def from_json(cls, data: JsonObject) -> Self:
        return cls(
            text=_required(data, "text", str),
            topic=bool(_optional(data, "topic", bool)),
            markup=_markup(data, "markup"),
            link=_link(data),
            relay=_relay(data),
        )


@dataclass(frozen=True)
class Copy:
    """copyMessage: message ``message_id`` of ``from_chat_id``, media included."""

    kind: ClassVar[OutboxKind] = OutboxKind.COPY
    from_chat_id: int
    message_id: int
    caption: str | None = None
    topic: bool = False
    link: Link | None = None
    relay: Relay | None = None

    def to_json(self) -> JsonObject:
        payload: JsonObject = {
            "from_chat_id": self.from_chat_id,
            "message_id": self.message_id,
            "caption": self.caption,
            "topic": self.topic,
        }
        return _carried(payload, self.link, self.relay)

    @classmethod
    def from_json(cls, data: JsonObject) -> Self:
        return cls(
            from_chat_id=_required(data, "from_chat_id", int),
            message_id=_required(data, "message_id", int),
            caption=_optional(data, "caption", str),
            topic=bool(_optional(data, "topic", bool)),
            link=_link(data),
            relay=_relay(data),
        )


@dataclass(frozen=True)
class Carry:
    """A message's photos and files carried to another messenger (a MAX user's into
    the topic, a consultant's to a MAX user): ``copyMessage`` cannot cross, so each
    file is fetched from where it is (``file_id``: a Telegram file id or a MAX
    download URL) and sent; the caption goes with the first."""

    kind: ClassVar[OutboxKind] = OutboxKind.CARRY
    media: tuple[tuple[str, str, str | None], ...]  # (kind, file_id, name)
    caption: str | None = None
    topic: bool = False
    link: Link | None = None
    relay: Relay | None = None

    def to_json(self) -> JsonObject:
        payload: JsonObject = {
            "media": [{"kind": k, "file_id": f, "name": n} for k, f, n in self.media],
            "caption": self.caption,
            "topic": self.topic,
        }
        return _carried(payload, self.link, self.relay)

    @classmethod
    def from_json(cls, data: JsonObject) -> Self:
        items = data.get("media")
        if not isinstance(items, list) or not items:
            raise BadPayload("'media' should be a list of files")
        media = []
        for item in items:
            if not isinstance(item, dict):
                raise BadPayload(f"a media item should be an object, not {item!r}")
            media.append(
                (
                    _required(item, "kind", str),
                    _required(item, "file_id", str),
                    _optional(item, "name", str),
                )
            )
        return cls(
            media=tuple(media),
            caption=_optional(data, "caption", str),
            topic=bool(_optional(data, "topic", bool)),
            link=_link(data),
            relay=_relay(data),
        )


@dataclass(frozen=True)
class Card:
    """A ticket's card as a registration rendered it (``bot.outbox.deliver.CardView``)."""

    text: str
    markup: InlineKeyboardMarkup
    name: str  # the topic's name

    def to_json(self) -> JsonObject:
        return {"text": self.text, "markup": _markup_json(self.markup), "name": self.name}

    @classmethod
    def from_json(cls, data: JsonObject) -> Self:
        markup = _markup(data, "markup")
        if markup is None:
            raise BadPayload("'markup' is missing")
        return cls(_required(data, "text", str), markup, _required(data, "name", str))


@dataclass(frozen=True)
class OpenTopic:
    """Create the ticket's topic and post its card: ``card`` as queued, or (None)
    as the ticket is when the row is sent."""

    kind: ClassVar[OutboxKind] = OutboxKind.TOPIC
    card: Card | None = None

    def to_json(self) -> JsonObject:
        return {} if self.card is None else {"card": self.card.to_json()}

    @classmethod
    def from_json(cls, data: JsonObject) -> Self:
        card = _object(data, "card")
        return cls(None if card is None else Card.from_json(card))


@dataclass(frozen=True)
class Refresh:
    """Bring the ticket's card and topic name up to date."""

    kind: ClassVar[OutboxKind] = OutboxKind.REFRESH

    def to_json(self) -> JsonObject:
        return {}

    @classmethod
    def from_json(cls, data: JsonObject) -> Self:
        return cls()


@dataclass(frozen=True)
class TopicState:
    """Close (``closed``) or reopen the ticket's forum topic."""

    kind: ClassVar[OutboxKind] = OutboxKind.TOPIC_STATE
    closed: bool

    def to_json(self) -> JsonObject:
        return {"closed": self.closed}

    @classmethod
    def from_json(cls, data: JsonObject) -> Self:
        return cls(_required(data, "closed", bool))


@dataclass(frozen=True)
class SetMarkup:
    """Replace (or, with None, remove) the inline keyboard of message ``message_id``."""

    kind: ClassVar[OutboxKind] = OutboxKind.MARKUP
    message_id: int
    markup: InlineKeyboardMarkup | None

    def to_json(self) -> JsonObject:
        return {"message_id": self.message_id, "markup": _markup_json(self.markup)}

    @classmethod
    def from_json(cls, data: JsonObject) -> Self:
        return cls(_required(data, "message_id", int), _markup(data, "markup"))


@dataclass(frozen=True)
class Edit:
    """Replace the text (HTML, one message) and keyboard of message ``message_id``."""

    kind: ClassVar[OutboxKind] = OutboxKind.EDIT
    message_id: int
    text: str
    markup: InlineKeyboardMarkup | None = None

    def to_json(self) -> JsonObject:
        return {
            "message_id": self.message_id,
            "text": self.text,
            "markup": _markup_json(self.markup),
        }

    @classmethod
    def from_json(cls, data: JsonObject) -> Self:
        return cls(
            _required(data, "message_id", int),
            _required(data, "text", str),
            _markup(data, "markup"),
        )


@dataclass(frozen=True)
class Document:
    """Send saved report file ``file_id`` (``storage.report_files``) as a document."""

    kind: ClassVar[OutboxKind] = OutboxKind.DOCUMENT
    file_id: int
    caption: str | None = None

    def to_json(self) -> JsonObject:
        return {"file_id": self.file_id, "caption": self.caption}

    @classmethod
    def from_json(cls, data: JsonObject) -> Self:
        return cls(_required(data, "file_id", int), _optional(data, "caption", str))
