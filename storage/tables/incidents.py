"""Mass incidents (revision ``0010_incidents``): which tickets are mass incidents,
the reports linked to each (and whether their users were told the resolution),
and the merges the bot proposed.

A report is an ordinary ticket of its user (number, history, audit) whose row
here names its incident; it has no topic and no card of its own
(``desk.incidents``, ARCHITECTURE.md "Mass incidents").
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables._base import Base, BigId


class MassIncidentRow(Base):
    """A ticket that is a mass incident: how it became one, its report lines, and its
    resolution as told to the reports' users."""

    __tablename__ = "mass_incidents"

    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("tickets.id"), primary_key=True)
    client_code: Mapped[str] = mapped_column(String(16), ForeignKey("clients.code"), index=True)
    origin: Mapped[str] = mapped_column(String(16))  # desk.incidents.Origin
    declared_by: Mapped[str] = mapped_column(String(64))  # the actor, as the audit trail
    declared_at: Mapped[datetime]
    # a contractor-wide incident: the id of the first of its tickets (one per client)
    wide_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    last_line_at: Mapped[datetime | None]  # the last «+N сообщений о проблеме» line
    resolved_at: Mapped[datetime | None]  # resolved: its reports are told from then on
    resolution: Mapped[str | None] = mapped_column(Text)  # the words staff resolved it with


class IncidentReportRow(Base):
    """A ticket linked to a mass incident as a report of it."""

    __tablename__ = "incident_reports"

    report_id: Mapped[int] = mapped_column(BigId, ForeignKey("tickets.id"), primary_key=True)
    incident_id: Mapped[int] = mapped_column(BigId, ForeignKey("tickets.id"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger)  # the report's requester
    state: Mapped[str] = mapped_column(String(16), index=True)  # desk.incidents.ReportState
    linked_at: Mapped[datetime]
    linked_by: Mapped[str] = mapped_column(String(64))
    line_pending: Mapped[bool] = mapped_column(Boolean, index=True)  # not yet in a topic line
    told_at: Mapped[datetime | None]  # the resolution was queued to its user (once)


class IncidentProposalRow(Base):
    """The bot proposed merging ``members`` into a mass incident, in the first one's topic
    (once per ticket: a ticket named in a proposal is never proposed again)."""

    __tablename__ = "incident_proposals"

    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("tickets.id"), primary_key=True)
    client_code: Mapped[str] = mapped_column(String(16), ForeignKey("clients.code"))
    members: Mapped[list[int]] = mapped_column(JSON)  # ticket ids, the first one first
    proposed_at: Mapped[datetime] = mapped_column(index=True)
    accepted_at: Mapped[datetime | None]
