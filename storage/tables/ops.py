"""Tables of SLA operations: the watcher's schedule and claims, contract terms,
client managers, report files and sending, and satisfaction surveys.

They sit on the core ``Base`` (revision ``0003_sla_ops`` on top of ``0002_messaging``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables._base import Base, BigId


class ContractTermsRow(Base):
    """A contract's operating terms (``desk.terms.ContractTerms`` as JSON)."""

    __tablename__ = "contract_terms"

    contract: Mapped[str] = mapped_column(String(64), primary_key=True)
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)


class ClientManagerRow(Base):
    """A client manager: sees all tickets and reports of their company."""

    __tablename__ = "client_managers"

    client_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, index=True)


class SlaWatchRow(Base):
    """When the watcher must look at a ticket next (computed from the ticket as
    it was at ``seen_updated_at``; a ticket changed since is looked at anew)."""

    __tablename__ = "sla_watch"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    seen_updated_at: Mapped[datetime]
    next_at: Mapped[datetime | None] = mapped_column(index=True)


class AlertSentRow(Base):
    """An alert claimed for a ticket: inserted in the transaction that writes its
    outbox rows, so each alert is sent once whatever restarts or other instances."""

    __tablename__ = "alerts_sent"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    sent_at: Mapped[datetime]


class ReportFileRow(Base):
    """A rendered report (HTML or XLSX) kept for sending as a document and downloading."""

    __tablename__ = "report_files"
    __table_args__ = (Index("ix_report_files_client", "client_code", "period"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    client_code: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(16))  # "2026-11" | "2026-W47"
    format: Mapped[str] = mapped_column(String(8))  # html | xlsx
    filename: Mapped[str] = mapped_column(String(128))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class ReportSentRow(Base):
    """A scheduled report sent for a client and period: never twice."""

    __tablename__ = "reports_sent"

    client_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    sent_at: Mapped[datetime]
    file_id: Mapped[int | None] = mapped_column(BigInteger)


class SurveyRow(Base):
    """A half-year satisfaction survey of one client's users."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    client_code: Mapped[str] = mapped_column(String(16), index=True)
    started_at: Mapped[datetime]
    questions: Mapped[int]  # how many questions (texts live in templates)


class SurveyAnswerRow(Base):
    """One user's 1-5 answer to one question of a survey."""

    __tablename__ = "survey_answers"

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    question: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    score: Mapped[int]
    answered_at: Mapped[datetime]
