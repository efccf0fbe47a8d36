"""Repositories of the Telegram side: update claims, ticket topics and
message links.  A repository on the unit of work (``uow.messaging``); it never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage._dialect import Prebuilt
from storage.tables import Base, MessageLinkRow, TicketTopicRow, UpdateClaimRow

_UPDATES = Base.metadata.tables["update_claims"]
_LINKS = Base.metadata.tables["message_links"]
_TOPICS = Base.metadata.tables["ticket_topics"]

_CLAIM = Prebuilt(lambda insert: insert(_UPDATES).on_conflict_do_nothing())
_ADD_LINK = Prebuilt(lambda insert: insert(_LINKS).on_conflict_do_nothing())
_SAVE_TOPIC = Prebuilt(
    lambda insert: (
        stmt := insert(_TOPICS).values(
            ticket_id=bindparam("p_ticket"),
            chat_id=bindparam("p_chat"),
            thread_id=bindparam("p_thread"),
            topic_name=bindparam("p_name"),
        )
    ).on_conflict_do_update(
        index_elements=[_TOPICS.c.ticket_id],
        set_={
            "chat_id": stmt.excluded.chat_id,
            "thread_id": stmt.excluded.thread_id,
            "topic_name": stmt.excluded.topic_name,
        },
    )
)
_SAVE_CARD = (
    update(_TOPICS)
    .where(_TOPICS.c.ticket_id == bindparam("p_ticket"))
    .values(card_message_id=bindparam("p_message"), card_text=bindparam("p_text"))
)


@dataclass(frozen=True)
class TicketTopic:
    ticket_id: int
    chat_id: int
    thread_id: int | None  # None: a plain group, threads are replies to the card
    card_message_id: int | None
    topic_name: str | None
    card_text: str | None
    user_blocked_at: datetime | None
    undelivered: int = 0  # the user's messages that never reached the topic


@dataclass(frozen=True)
class MessageLink:
    chat_id: int
    message_id: int
    ticket_id: int
    author: str  # user | staff | engineer | bot | note
    author_id: int | None
    public: bool
    text: str | None
    at: datetime


def _topic(row: TicketTopicRow) -> TicketTopic:
    return TicketTopic(
        ticket_id=row.ticket_id,
        chat_id=row.chat_id,
        thread_id=row.thread_id,
        card_message_id=row.card_message_id,
        topic_name=row.topic_name,
        card_text=row.card_text,
        user_blocked_at=row.user_blocked_at,
        undelivered=row.undelivered,
    )


def _link(row: MessageLinkRow) -> MessageLink:
    return MessageLink(
        chat_id=row.chat_id,
        message_id=row.message_id,
        ticket_id=row.ticket_id,
        author=row.author,
        author_id=row.author_id,
        public=row.public,
        text=row.text,
        at=row.at,
    )


class MessagingRepository:
    """Messaging: what the unit of work offers as ``uow.messaging``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim_update(
        self,
        bot_id: int,
        key: str,
        update_id: int,
        chat_id: int | None,
        now: datetime,
    ) -> bool:
        """Claim the update ``key`` names for ``bot_id``; False if an earlier,
        committed transaction already did.

        Called first in an update's transaction: a re-delivery of the same update
        (after a crash before the offset was confirmed) then changes nothing.  The
        key names the update's content (``bot.updates.identity``), not its id
        alone, so a new update that reuses an old id is applied.
        """
        result = await self._session.execute(
            _CLAIM.on(self._session),
            {
                "bot_id": bot_id,
                "key": key,
                "update_id": update_id,
                "chat_id": chat_id,
                "claimed_at": now,
            },
        )
        return bool(getattr(result, "rowcount", 0))

    async def prune_claims(self, before: datetime) -> int:
        """Forget claims made before ``before`` (Telegram no longer re-delivers them)."""
        result = await self._session.execute(
            delete(UpdateClaimRow).where(UpdateClaimRow.claimed_at < before)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def topic_of(self, ticket_id: int) -> TicketTopic | None:
        row = await self._session.get(TicketTopicRow, ticket_id)
        return None if row is None else _topic(row)

    async def ticket_by_thread(self, chat_id: int, thread_id: int) -> int | None:
        """The ticket whose forum topic is ``thread_id`` in ``chat_id``."""
        value: int | None = await self._session.scalar(
            select(TicketTopicRow.ticket_id).where(
                TicketTopicRow.chat_id == chat_id, TicketTopicRow.thread_id == thread_id
            )
        )
        return value

    async def save_topic(
        self, ticket_id: int, chat_id: int, thread_id: int | None, name: str | None
    ) -> None:
        """Record the topic a ticket got (created before its card is posted)."""
        await self._session.execute(
            _SAVE_TOPIC.on(self._session),
            {"p_ticket": ticket_id, "p_chat": chat_id, "p_thread": thread_id, "p_name": name},
        )

    async def move_topic(self, ticket_id: int, thread_id: int, name: str) -> None:
        """The ticket's topic was deleted and opened again as ``thread_id``; its old
        card went with the old topic."""
        await self._session.execute(
            update(TicketTopicRow)
            .where(TicketTopicRow.ticket_id == ticket_id)
            .values(thread_id=thread_id, topic_name=name, card_message_id=None, card_text=None)
        )

    async def save_card(self, ticket_id: int, message_id: int, text: str) -> None:
        await self._session.execute(
            _SAVE_CARD, {"p_ticket": ticket_id, "p_message": message_id, "p_text": text}
        )

    async def save_card_text(self, ticket_id: int, text: str) -> None:
        await self._session.execute(
            update(TicketTopicRow)
            .where(TicketTopicRow.ticket_id == ticket_id)
            .values(card_text=text)
        )

    async def save_topic_name(self, ticket_id: int, name: str) -> None:
        await self._session.execute(
            update(TicketTopicRow)
            .where(TicketTopicRow.ticket_id == ticket_id)
            .values(topic_name=name)
        )

    async def mark_user_blocked(self, ticket_id: int, at: datetime | None) -> None:
        """Record (or clear, with None) that the ticket's user blocked the bot."""
        await self._session.execute(
            update(TicketTopicRow)
            .where(TicketTopicRow.ticket_id == ticket_id)
            .values(user_blocked_at=at)
        )

    async def add_undelivered(self, ticket_id: int) -> None:
        """Count one more of the user's messages that never reached the ticket's topic."""
        await self._session.execute(
            update(TicketTopicRow)
            .where(TicketTopicRow.ticket_id == ticket_id)
            .values(undelivered=TicketTopicRow.undelivered + 1)
        )

    async def add_link(self, link: MessageLink) -> None:
        """Tie a message to a ticket; a second call for the same message is ignored."""
        values = {
            "chat_id": link.chat_id,
            "message_id": link.message_id,
            "ticket_id": link.ticket_id,
            "author": link.author,
            "author_id": link.author_id,
            "public": link.public,
            "text": link.text,
            "at": link.at,
        }
        await self._session.execute(_ADD_LINK.on(self._session), values)

    async def add_user_message(
        self,
        ticket_id: int,
        chat_id: int,
        message_id: int,
        user_id: int,
        text: str | None,
        at: datetime,
    ) -> None:
        """A user's message as part of the ticket's public history."""
        link = MessageLink(chat_id, message_id, ticket_id, "user", user_id, True, text, at)
        await self.add_link(link)

    async def link_of(self, chat_id: int, message_id: int) -> MessageLink | None:
        row = await self._session.get(MessageLinkRow, (chat_id, message_id))
        return None if row is None else _link(row)

    async def first_bot_message(self, ticket_id: int, chat_id: int) -> int | None:
        """The id of the bot's first message about a ticket in ``chat_id`` (in its user's
        chat: the registration); None before it is delivered."""
        found: int | None = await self._session.scalar(
            select(MessageLinkRow.message_id)
            .where(
                MessageLinkRow.ticket_id == ticket_id,
                MessageLinkRow.chat_id == chat_id,
                MessageLinkRow.author == "bot",
            )
            .order_by(MessageLinkRow.message_id)
            .limit(1)
        )
        return found

    async def public_history(self, ticket_id: int, limit: int = 30) -> list[MessageLink]:
        """The last ``limit`` messages the user saw or wrote on a ticket, oldest first."""
        rows = await self._session.scalars(
            select(MessageLinkRow)
            .where(MessageLinkRow.ticket_id == ticket_id, MessageLinkRow.public.is_(True))
            .order_by(MessageLinkRow.at.desc(), MessageLinkRow.message_id.desc())
            .limit(limit)
        )
        return [_link(row) for row in reversed(list(rows))]
