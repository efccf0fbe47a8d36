"""The service catalogue (revision ``0011_catalogue``): each contract's request types
and each client's named people as the config states them, forms being filled in,
the answers a ticket was registered with, and approvals with their votes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables._base import Base, BigId


class CatalogueRow(Base):
    """A contract's request types (``desk.catalogue.Catalogue`` as JSON)."""

    __tablename__ = "catalogues"

    contract: Mapped[str] = mapped_column(String(64), primary_key=True)
    types: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class ClientPeopleRow(Base):
    """A client's named people and approvers (``desk.catalogue.ClientPeople`` as JSON)."""

    __tablename__ = "client_people"

    client_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    people: Mapped[dict[str, Any]] = mapped_column(JSON)


class FormDraftRow(Base):
    """A user's form: ``offered`` (a first message matched a type; the message is held as
    the draft ``draft_id``) or being filled in (``step``: the field asked, ``len(fields)``:
    the summary). One per user; gone once registered or cancelled."""

    __tablename__ = "form_drafts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    client_code: Mapped[str] = mapped_column(String(16))
    type_code: Mapped[str] = mapped_column(String(24))
    state: Mapped[str] = mapped_column(String(16))  # offered | filling
    step: Mapped[int] = mapped_column(default=0)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    draft_id: Mapped[int | None] = mapped_column(BigInteger)  # the held first message
    first_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(index=True)


class TicketFormRow(Base):
    """What a ticket's form said: its type and the answers as the card lists them."""

    __tablename__ = "ticket_forms"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    type_code: Mapped[str] = mapped_column(String(24))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    lines: Mapped[list[list[str]]] = mapped_column(JSON)  # [[label, shown answer], ...]


class ApprovalRow(Base):
    """One approval round of a ticket: of the request itself, or of a functional design
    (``/design``; a new design supersedes the round before). The ticket waits in status
    ``approval`` (its SLA paused) while ``state`` is ``pending``."""

    __tablename__ = "approvals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # request | design
    type_code: Mapped[str] = mapped_column(String(24))
    rule: Mapped[str] = mapped_column(String(8))  # any | all
    asked: Mapped[list[int]] = mapped_column(JSON)  # telegram ids asked first
    state: Mapped[str] = mapped_column(String(16), index=True)
    # pending | approved | refused | superseded
    resume_status: Mapped[str] = mapped_column(String(16))  # the ticket's status before
    requested_at: Mapped[datetime]
    reminded_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(Text)
    waited_minutes: Mapped[int | None]  # business minutes from request to decision
    design_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    design_message_id: Mapped[int | None] = mapped_column(BigInteger)
    design_name: Mapped[str | None] = mapped_column(String(200))


class ApprovalVoteRow(Base):
    """One person's decision in an approval round (``all`` needs everyone's)."""

    __tablename__ = "approval_votes"

    approval_id: Mapped[int] = mapped_column(
        ForeignKey("approvals.id", ondelete="CASCADE"), primary_key=True
    )
    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    decision: Mapped[str] = mapped_column(String(16))  # approved | refused
    at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(Text)
