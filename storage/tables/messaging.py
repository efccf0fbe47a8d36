"""Tables of the Telegram side: outbox, topics, message links,
drafts waiting for the FAQ step, conversation state, ratings and the FAQ log.

They sit on the core ``Base`` (revision ``0002_messaging`` on top of ``0001_core``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables._base import Base, BigId


class OutboxRow(Base):
    """One outgoing Telegram call, written with the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "state", "chat_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sent|failed
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)  # what Telegram gave back
    error: Mapped[str | None] = mapped_column(Text)


class TicketTopicRow(Base):
    """Where a ticket lives in its team's staff group."""

    __tablename__ = "ticket_topics"
    __table_args__ = (Index("ix_ticket_topics_thread", "chat_id", "thread_id"),)

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    thread_id: Mapped[int | None] = mapped_column(BigInteger)  # None: a plain group
    card_message_id: Mapped[int | None] = mapped_column(BigInteger)
    topic_name: Mapped[str | None] = mapped_column(String(128))  # as last applied
    card_text: Mapped[str | None] = mapped_column(Text)  # as last applied
    user_blocked_at: Mapped[datetime | None]  # the user blocked the bot (403)
    undelivered: Mapped[int] = mapped_column(default=0)  # user messages staff never got


class MessageLinkRow(Base):
    """A message in some chat that belongs to a ticket, and its counterpart."""

    __tablename__ = "message_links"
    __table_args__ = (Index("ix_message_links_ticket", "ticket_id"),)

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    # user | staff | engineer | bot | note
    author: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int | None] = mapped_column(BigInteger)
    public: Mapped[bool] = mapped_column(Boolean, default=False)  # seen by the user
    text: Mapped[str | None] = mapped_column(Text)  # for the ticket's public history
    at: Mapped[datetime]


class DraftRow(Base):
    """A user's message not yet turned into a ticket (FAQ step or "which ticket?")."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    media: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"kind", "file_id"}]
    state: Mapped[str] = mapped_column(String(16))  # faq | choose | done
    faq_log_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class ConversationRow(Base):
    """What the bot waits for from a user next (e.g. a CSAT comment)."""

    __tablename__ = "conversations"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    awaiting: Mapped[str] = mapped_column(String(32))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    since: Mapped[datetime]


class ResolutionRow(Base):
    """A resolved ticket waiting for the user's confirmation, rating and comment."""

    __tablename__ = "resolutions"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    asked_at: Mapped[datetime]
    close_at: Mapped[datetime] = mapped_column(index=True)  # silence closes it then
    answer: Mapped[str | None] = mapped_column(String(16))  # confirmed | reopened | silent
    rating: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(Text)


class FaqLogRow(Base):
    """Every FAQ step: what was asked, what was shown, and how it ended."""

    __tablename__ = "faq_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    user_id: Mapped[int] = mapped_column(BigInteger)
    client_code: Mapped[str | None] = mapped_column(String(16))
    query: Mapped[str] = mapped_column(Text)
    shown: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"id", "score"}]
    # shown | helped | not_it | unanswered
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    chosen: Mapped[str | None] = mapped_column(String(128))  # the entry opened / that helped
    ticket_id: Mapped[int | None] = mapped_column(BigInteger)
