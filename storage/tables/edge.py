"""Tables of the edge, where the outside world reaches the product: update
claims, updates that could not be read, revoked client-page links, replies to
outsiders in staff groups and offers to move a user to another client.

They sit on the core ``Base`` (revision ``0006_edge`` on top of ``0005_owner_load``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables._base import Base, BigId


class UpdateClaimRow(Base):
    """An update applied, keyed by the bot and what identifies its content
    (``bot.updates.identity``), kept only while Telegram might deliver it again."""

    __tablename__ = "update_claims"
    __table_args__ = (Index("ix_update_claims_claimed_at", "claimed_at"),)

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    claimed_at: Mapped[datetime]


class BadUpdateRow(Base):
    """An update the bot could not read, kept as it came for staff to look at."""

    __tablename__ = "bad_updates"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bot_id: Mapped[int] = mapped_column(BigInteger)
    update_id: Mapped[int | None] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(index=True)
    error: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)


class LinkRevocationRow(Base):
    """A manager's client-page links issued up to ``revoked_at`` open no more."""

    __tablename__ = "link_revocations"

    client_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    manager_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    revoked_at: Mapped[datetime]
    revoked_by: Mapped[int | None] = mapped_column(BigInteger)


class OutsiderReplyRow(Base):
    """When a non-staff member of a staff group was last answered there."""

    __tablename__ = "outsider_replies"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    replied_at: Mapped[datetime]


class RebindOfferRow(Base):
    """A user bound to one client who opened another client's invite: asked first."""

    __tablename__ = "rebind_offers"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    client_code: Mapped[str] = mapped_column(String(16))
    offered_at: Mapped[datetime]
