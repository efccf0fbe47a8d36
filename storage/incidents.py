"""Mass incidents and their reports: which tickets are incidents, which are reports of
which, the lines and resolution notices still due, and the merges proposed.

A repository on the unit of work (``uow.incidents``); it never commits.  A report is a
ticket of its user; its row here (``incident_reports``) names the incident and what
its user was told (``desk.incidents``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from desk.alerts import SYSTEM_USER_CEILING
from desk.enums import OPEN_STATUSES, Status
from desk.incidents import Origin, ReportState
from storage._dialect import insert_new
from storage.tables import TicketRow, UserRow
from storage.tables.incidents import IncidentProposalRow, IncidentReportRow, MassIncidentRow

_OPEN = sorted(s.value for s in OPEN_STATUSES)
_DONE = (Status.RESOLVED.value, Status.CLOSED.value)
_PART = (ReportState.LINKED.value, ReportState.TOLD.value)  # counted with the incident


@dataclass(frozen=True)
class Mass:
    """A ticket that is a mass incident."""

    ticket_id: int
    client_code: str
    origin: Origin
    declared_by: str
    declared_at: datetime
    wide_id: int | None
    last_line_at: datetime | None
    resolved_at: datetime | None
    resolution: str | None


@dataclass(frozen=True)
class Report:
    """A ticket linked to a mass incident (or once linked: ``state`` separate)."""

    report_id: int
    incident_id: int
    user_id: int
    state: ReportState
    linked_at: datetime
    linked_by: str
    told_at: datetime | None


@dataclass(frozen=True)
class Open:
    """An open ticket of a client a new request may report on."""

    ticket_id: int
    number: str
    subject: str
    text: str
    requester_id: int
    created_at: datetime
    declared: bool  # a mass incident (else an outage candidate of the window)


@dataclass(frozen=True)
class Count:
    """An incident's reports (linked or told) and the distinct users behind them."""

    reports: int = 0
    users: int = 0


@dataclass(frozen=True)
class Line:
    """A report waiting for its line in the incident's topic."""

    report_id: int
    number: str
    name: str
    subject: str


def _mass(row: MassIncidentRow) -> Mass:
    return Mass(
        row.ticket_id,
        row.client_code,
        Origin(row.origin),
        row.declared_by,
        row.declared_at,
        row.wide_id,
        row.last_line_at,
        row.resolved_at,
        row.resolution,
    )


def _report(row: IncidentReportRow) -> Report:
    return Report(
        row.report_id,
        row.incident_id,
        row.user_id,
        ReportState(row.state),
        row.linked_at,
        row.linked_by,
        row.told_at,
    )


# -- incidents ----------------------------------------------------------------------


# -- reports ------------------------------------------------------------------------


def is_part() -> Any:
    """A condition on ``tickets``: the ticket is a report that counts with its incident
    (for SLA figures and the watcher: an incident counts once)."""
    return exists().where(
        IncidentReportRow.report_id == TicketRow.id, IncidentReportRow.state.in_(_PART)
    )


# -- what a new request may report on -------------------------------------------------


def _open_tickets(client_code: str) -> Select[int, str, str, str, int, datetime]:
    return select(
        TicketRow.id,
        TicketRow.number,
        TicketRow.subject,
        TicketRow.text,
        TicketRow.requester_id,
        TicketRow.created_at,
    ).where(TicketRow.client_code == client_code, TicketRow.status.in_(_OPEN))


def _open(row: Any, *, declared: bool) -> Open:
    ticket_id, number, subject, text, requester_id, created_at = tuple(row)[:6]
    return Open(ticket_id, number, subject, text, requester_id, created_at, declared)


# -- lines in the incident's topic ------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    incident_id: int
    oldest: datetime  # the oldest pending report's link
    last_line_at: datetime | None


# -- the resolution, told to each report once ----------------------------------------------


# -- merges the bot proposed ---------------------------------------------------------------


# -- the client's view ----------------------------------------------------------------------


@dataclass(frozen=True)
class ClientIncident:
    ticket_id: int
    number: str
    subject: str
    status: Status
    declared_at: datetime
    reports: int
    users: int


# -- the card ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardFacts:
    """What a ticket's card says of mass incidents: it is one (with its reports, the users
    affected, the other clients' parts of a contractor-wide one), or a report of ``parent``."""

    mass: bool = False
    reports: int = 0
    users: int = 0
    wide: tuple[str, ...] = ()
    parent: str | None = None


class IncidentsRepository:
    """Incidents: what the unit of work offers as ``uow.incidents``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def declare(
        self,
        ticket_id: int,
        client_code: str,
        origin: Origin,
        actor: str,
        now: datetime,
        *,
        wide_id: int | None = None,
    ) -> bool:
        """Make the ticket a mass incident; False if it is one already."""
        values = {
            "ticket_id": ticket_id,
            "client_code": client_code,
            "origin": origin.value,
            "declared_by": actor,
            "declared_at": now,
            "wide_id": wide_id,
            "last_line_at": None,
            "resolved_at": None,
            "resolution": None,
        }
        return await insert_new(self._session, MassIncidentRow, values)

    async def mass_of(self, ticket_id: int) -> Mass | None:
        row = await self._session.get(MassIncidentRow, ticket_id)
        return None if row is None else _mass(row)

    async def wide_part(self, wide_id: int) -> list[int]:
        """The tickets of a contractor-wide incident, the first one first."""
        ids = await self._session.scalars(
            select(MassIncidentRow.ticket_id)
            .where(MassIncidentRow.wide_id == wide_id)
            .order_by(MassIncidentRow.ticket_id)
        )
        return list(ids)

    async def mark_resolved(self, ticket_id: int, now: datetime, resolution: str | None) -> None:
        """The incident is resolved: its linked reports are to be told ``resolution``."""
        await self._session.execute(
            update(MassIncidentRow)
            .where(MassIncidentRow.ticket_id == ticket_id)
            .values(resolved_at=now, resolution=resolution)
        )

    async def report_of(self, ticket_id: int) -> Report | None:
        """The ticket's report row (linked, told or separate again), if it ever was one."""
        row = await self._session.get(IncidentReportRow, ticket_id)
        return None if row is None else _report(row)

    async def link(
        self,
        report_id: int,
        incident_id: int,
        user_id: int,
        actor: str,
        now: datetime,
    ) -> None:
        """Link the ticket to the incident as a report (again, if it was one before); its
        line in the incident's topic is pending."""
        values: dict[str, Any] = {
            "incident_id": incident_id,
            "user_id": user_id,
            "state": ReportState.LINKED.value,
            "linked_at": now,
            "linked_by": actor,
            "line_pending": True,
            "told_at": None,
        }
        if not await insert_new(
            self._session, IncidentReportRow, {"report_id": report_id, **values}
        ):
            await self._session.execute(
                update(IncidentReportRow)
                .where(IncidentReportRow.report_id == report_id)
                .values(values)
            )

    async def set_state(
        self, report_id: int, state: ReportState, *, told_at: datetime | None = None
    ) -> None:
        values: dict[str, Any] = {"state": state.value, "line_pending": False}
        if told_at is not None:
            values["told_at"] = told_at
        await self._session.execute(
            update(IncidentReportRow).where(IncidentReportRow.report_id == report_id).values(values)
        )

    async def linked_numbers(self, ticket_ids: Iterable[int]) -> dict[int, str]:
        """Those of ``ticket_ids`` that are reports (linked or told): their incident's number."""
        ids = list(ticket_ids)
        if not ids:
            return {}
        rows = await self._session.execute(
            select(IncidentReportRow.report_id, TicketRow.number)
            .join(TicketRow, TicketRow.id == IncidentReportRow.incident_id)
            .where(IncidentReportRow.report_id.in_(ids), IncidentReportRow.state.in_(_PART))
        )
        return {int(report_id): str(number) for report_id, number in rows}

    async def counts(self, incident_ids: Iterable[int]) -> dict[int, Count]:
        """Reports (linked or told) and their distinct users, per incident."""
        ids = list(incident_ids)
        if not ids:
            return {}
        rows = await self._session.execute(
            select(
                IncidentReportRow.incident_id,
                func.count(),
                func.count(func.distinct(IncidentReportRow.user_id)),
            )
            .where(IncidentReportRow.incident_id.in_(ids), IncidentReportRow.state.in_(_PART))
            .group_by(IncidentReportRow.incident_id)
        )
        return {incident: Count(int(n), int(users)) for incident, n, users in rows}

    async def report_texts(self, incident_id: int, limit: int) -> list[str]:
        """What the incident's newest reports said (their tickets' texts)."""
        texts = await self._session.scalars(
            select(TicketRow.text)
            .join(IncidentReportRow, IncidentReportRow.report_id == TicketRow.id)
            .where(IncidentReportRow.incident_id == incident_id, IncidentReportRow.state.in_(_PART))
            .order_by(IncidentReportRow.linked_at.desc())
            .limit(limit)
        )
        return list(texts)

    async def candidates(self, client_code: str, since: datetime) -> list[Open]:
        """The client's open mass incidents, and its open tickets registered since ``since``
        that are neither incidents nor reports (outage candidates), oldest first."""
        declared = await self._session.execute(
            _open_tickets(client_code).join(
                MassIncidentRow, MassIncidentRow.ticket_id == TicketRow.id
            )
        )
        found = [_open(row, declared=True) for row in declared]
        recent = await self._session.execute(
            _open_tickets(client_code).where(
                TicketRow.created_at >= since,
                ~exists().where(MassIncidentRow.ticket_id == TicketRow.id),
                ~exists().where(
                    IncidentReportRow.report_id == TicketRow.id,
                    IncidentReportRow.state.in_(_PART),
                ),
            )
        )
        found += [_open(row, declared=False) for row in recent]
        return sorted(found, key=lambda o: o.ticket_id)

    async def recent_requests(self, since: datetime) -> list[Open]:
        """Open tickets of people (not of a monitoring) registered since ``since``, neither
        incidents nor reports: what a merge may be proposed for."""
        rows = await self._session.execute(
            select(
                TicketRow.id,
                TicketRow.number,
                TicketRow.subject,
                TicketRow.text,
                TicketRow.requester_id,
                TicketRow.created_at,
                TicketRow.client_code,
            ).where(
                TicketRow.created_at >= since,
                TicketRow.status.in_(_OPEN),
                TicketRow.requester_id > SYSTEM_USER_CEILING,
                ~exists().where(MassIncidentRow.ticket_id == TicketRow.id),
                ~exists().where(IncidentReportRow.report_id == TicketRow.id),
            )
        )
        return [_open(row, declared=False) for row in rows]

    async def client_of_tickets(self, ids: Iterable[int]) -> dict[int, str]:
        rows = await self._session.execute(
            select(TicketRow.id, TicketRow.client_code).where(TicketRow.id.in_(list(ids)))
        )
        return {int(ticket_id): str(code) for ticket_id, code in rows}

    async def pending_lines(self) -> list[Pending]:
        """Incidents with reports whose line is not posted yet."""
        rows = await self._session.execute(
            select(
                IncidentReportRow.incident_id,
                func.min(IncidentReportRow.linked_at),
                MassIncidentRow.last_line_at,
            )
            .join(MassIncidentRow, MassIncidentRow.ticket_id == IncidentReportRow.incident_id)
            .where(
                IncidentReportRow.line_pending.is_(True),
                IncidentReportRow.state == ReportState.LINKED.value,
            )
            .group_by(IncidentReportRow.incident_id, MassIncidentRow.last_line_at)
        )
        return [Pending(incident, oldest, last) for incident, oldest, last in rows]

    async def take_lines(self, incident_id: int, now: datetime) -> list[Line]:
        """The incident's pending reports, oldest first, marked posted (with the line's time)."""
        rows = (
            await self._session.execute(
                select(IncidentReportRow.report_id, TicketRow.number, UserRow.first_name)
                .join(TicketRow, TicketRow.id == IncidentReportRow.report_id)
                .outerjoin(UserRow, UserRow.telegram_id == IncidentReportRow.user_id)
                .add_columns(TicketRow.subject)
                .where(
                    IncidentReportRow.incident_id == incident_id,
                    IncidentReportRow.line_pending.is_(True),
                    IncidentReportRow.state == ReportState.LINKED.value,
                )
                .order_by(IncidentReportRow.linked_at, IncidentReportRow.report_id)
            )
        ).all()
        if rows:
            await self._session.execute(
                update(IncidentReportRow)
                .where(IncidentReportRow.report_id.in_([r[0] for r in rows]))
                .values(line_pending=False)
            )
        await self._session.execute(
            update(MassIncidentRow)
            .where(MassIncidentRow.ticket_id == incident_id)
            .values(last_line_at=now)
        )
        return [
            Line(report_id, number, name or "", subject)
            for report_id, number, name, subject in rows
        ]

    async def to_tell(self, limit: int) -> list[tuple[int, int]]:
        """``(report, incident)`` of linked reports whose incident was resolved (and still
        is, or is closed): their users are to be told, oldest link first."""
        rows = await self._session.execute(
            select(IncidentReportRow.report_id, IncidentReportRow.incident_id)
            .join(MassIncidentRow, MassIncidentRow.ticket_id == IncidentReportRow.incident_id)
            .join(TicketRow, TicketRow.id == IncidentReportRow.incident_id)
            .where(
                IncidentReportRow.state == ReportState.LINKED.value,
                MassIncidentRow.resolved_at.is_not(None),
                TicketRow.status.in_(_DONE),
            )
            .order_by(IncidentReportRow.linked_at, IncidentReportRow.report_id)
            .limit(limit)
        )
        return [(report, incident) for report, incident in rows]

    async def lock_report(self, report_id: int) -> Report | None:
        """The report row locked until the transaction ends (another instance telling the
        same report waits, then sees it told)."""
        row = await self._session.scalar(
            select(IncidentReportRow)
            .where(IncidentReportRow.report_id == report_id)
            .with_for_update()
        )
        return None if row is None else _report(row)

    async def linked_left(self, incident_id: int) -> int:
        """How many of the incident's reports are still linked (not told, not separate)."""
        found = await self._session.scalar(
            select(func.count()).where(
                IncidentReportRow.incident_id == incident_id,
                IncidentReportRow.state == ReportState.LINKED.value,
            )
        )
        return int(found or 0)

    async def proposed_since(self, since: datetime) -> frozenset[int]:
        """Tickets named in a proposal made since ``since`` (each is proposed once)."""
        members = await self._session.scalars(
            select(IncidentProposalRow.members).where(IncidentProposalRow.proposed_at >= since)
        )
        return frozenset(ticket for group in members for ticket in group)

    async def propose(self, members: list[int], client_code: str, now: datetime) -> bool:
        """Record a proposal to merge ``members`` (the first one first); False if that
        ticket has one already."""
        values = {
            "ticket_id": members[0],
            "client_code": client_code,
            "members": members,
            "proposed_at": now,
            "accepted_at": None,
        }
        return await insert_new(self._session, IncidentProposalRow, values)

    async def accept_proposal(self, ticket_id: int, now: datetime) -> list[int] | None:
        """The members of the proposal made in the ticket's topic, marked accepted; None if
        there is none or it was accepted already."""
        row = await self._session.scalar(
            select(IncidentProposalRow)
            .where(IncidentProposalRow.ticket_id == ticket_id)
            .with_for_update()
        )
        if row is None or row.accepted_at is not None:
            return None
        row.accepted_at = now
        await self._session.flush()
        return [int(m) for m in row.members]

    async def client_incidents(self, client_code: str, limit: int = 20) -> list[ClientIncident]:
        """The client's mass incidents, newest first, with their reports and the users affected
        (the reports' users and the requester, if a person)."""
        rows = (
            await self._session.execute(
                select(
                    TicketRow.id,
                    TicketRow.number,
                    TicketRow.subject,
                    TicketRow.status,
                    MassIncidentRow.declared_at,
                    TicketRow.requester_id,
                )
                .join(MassIncidentRow, MassIncidentRow.ticket_id == TicketRow.id)
                .where(and_(TicketRow.client_code == client_code))
                .order_by(MassIncidentRow.declared_at.desc())
                .limit(limit)
            )
        ).all()
        found = await self.counts([r[0] for r in rows])
        result = []
        for tid, number, subject, status, at, requester in rows:
            count = found.get(tid, Count())
            users = count.users + (1 if requester > SYSTEM_USER_CEILING else 0)
            incident = ClientIncident(
                tid, number, subject, Status(status), at, count.reports, users
            )
            result.append(incident)
        return result

    async def card_facts(self, ticket_id: int, requester_id: int) -> CardFacts | None:
        """The card's incident line for the ticket; None for a ticket that is neither."""
        mass = await self.mass_of(ticket_id)
        if mass is not None:
            count = (await self.counts([ticket_id])).get(ticket_id, Count())
            requester = 0 if requester_id <= SYSTEM_USER_CEILING else 1
            wide: tuple[str, ...] = ()
            if mass.wide_id is not None:
                others = [t for t in await self.wide_part(mass.wide_id) if t != ticket_id]
                numbers = await self._session.scalars(
                    select(TicketRow.number).where(TicketRow.id.in_(others)).order_by(TicketRow.id)
                )
                wide = tuple(numbers)
            return CardFacts(True, count.reports, count.users + requester, wide)
        parent = (await self.linked_numbers([ticket_id])).get(ticket_id)
        return None if parent is None else CardFacts(parent=parent)
