"""Channels (revision ``0009_channels``): a person's further addresses, MAX message ids,
and the one-time codes that tie a second messenger to a person (desk.channels)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables._base import Base


class UserAddressRow(Base):
    """A chat (key) a person writes from besides the one they are known by."""

    __tablename__ = "user_addresses"

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.telegram_id"), index=True)
    bound_at: Mapped[datetime]


class MaxMessageRow(Base):
    """A MAX message's id (``mid``, a string) by its dialog key and ``seq``: the
    desk refers to a message by an integer, MAX by its ``mid``."""

    __tablename__ = "max_messages"

    chat_key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    mid: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime]


class MaxMarkerRow(Base):
    """Where a MAX bot's long polling stands: the ``marker`` of the last batch handled
    (MAX without a marker sends only what is newest, so a restart needs it)."""

    __tablename__ = "max_markers"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    marker: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime]


class PairingCodeRow(Base):
    """A one-time code a person opens from their other messenger to be bound there too."""

    __tablename__ = "pairing_codes"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.telegram_id"), index=True)
    expires_at: Mapped[datetime]
