"""The directory: schedules, contracts (and their operating terms and request types),
teams, clients (and their managers, people and monitoring API keys), staff and invites.

Reads return ``desk.model`` objects; writes are what ``config apply`` syncs.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from desk.alerts import AlertKey
from desk.catalogue import Catalogue, ClientPeople
from desk.config import DeskConfig
from desk.enums import Priority
from desk.errors import NotFound
from desk.model import Client, Contract, Invite, ScheduleSpec, SlaTarget, Staff, Team
from desk.terms import ContractTerms, terms_from_json, terms_to_json
from storage._mapping import (
    client_from_row,
    client_to_row,
    schedule_from_row,
    schedule_to_row,
    staff_from_row,
    staff_to_row,
    team_from_row,
    team_to_row,
)
from storage.catalogue import CatalogueRepository
from storage.errors import StillReferenced
from storage.tables import (
    ApiKeyRow,
    AssignmentCursorRow,
    Base,
    ClientManagerRow,
    ClientRow,
    ContractRow,
    ContractTargetRow,
    ContractTermsRow,
    InviteRow,
    ScheduleRow,
    StaffRow,
    TeamRow,
    TicketCounterRow,
)

_AUDIT = Base.metadata.tables["audit_events"]
_VERSION = select(func.max(_AUDIT.c.id)).where(  # (Core: asked on every registration)
    _AUDIT.c.ticket_id.is_(None), _AUDIT.c.actor == "config"
)


_UNREAD: Final = object()

_Write = TypeVar("_Write", bound=Callable[..., Awaitable[None]])


def _changes(method: _Write) -> _Write:
    """A write: the version read earlier in this transaction no longer holds."""

    @functools.wraps(method)
    async def write(self: DirectoryRepository, *args: Any, **kwargs: Any) -> None:
        self._version = _UNREAD
        await method(self, *args, **kwargs)

    return write  # type: ignore[return-value]


class DirectoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._version: object = _UNREAD  # read once per transaction

    # -- reads ---------------------------------------------------------------

    async def load(self) -> DeskConfig:
        """Everything, as one snapshot (what ``config apply`` compares against);
        inactive staff included."""
        s = self._session
        schedules = {r.name: schedule_from_row(r) for r in await s.scalars(select(ScheduleRow))}
        targets: dict[str, dict[Priority, SlaTarget]] = {}
        for t in await s.scalars(select(ContractTargetRow)):
            targets.setdefault(t.contract, {})[Priority(t.priority)] = _target_from_row(t)
        contracts = {
            r.name: Contract(r.name, r.schedule, targets.get(r.name, {}), dict(r.contacts))
            for r in await s.scalars(select(ContractRow))
        }
        clients = {r.code: client_from_row(r) for r in await s.scalars(select(ClientRow))}
        managers: dict[str, list[int]] = {code: [] for code in clients}
        rows = await s.scalars(select(ClientManagerRow).order_by(ClientManagerRow.telegram_id))
        for m in rows:
            managers.setdefault(m.client_code, []).append(m.telegram_id)
        keys: dict[str, list[AlertKey]] = {}
        for k in await s.scalars(select(ApiKeyRow).order_by(ApiKeyRow.name)):
            keys.setdefault(k.client_code, []).append(AlertKey(k.name, k.sha256))
        return DeskConfig(
            schedules=schedules,
            contracts=contracts,
            teams={r.name: team_from_row(r) for r in await s.scalars(select(TeamRow))},
            clients=clients,
            staff={r.telegram_id: staff_from_row(r) for r in await s.scalars(select(StaffRow))},
            invites={r.code: Invite(r.code, r.client) for r in await s.scalars(select(InviteRow))},
            terms={
                r.contract: terms_from_json(dict(r.terms))
                for r in await s.scalars(select(ContractTermsRow))
            },
            managers={code: tuple(ids) for code, ids in managers.items()},
            alert_keys={code: tuple(found) for code, found in keys.items()},
            catalogues=await CatalogueRepository(s).load_catalogues(),
            people=await CatalogueRepository(s).load_people(),
        )

    async def version(self) -> int | None:
        """The id of the newest config audit event: it changes whenever ``config
        apply`` changes anything, so callers may cache ``load()`` under it."""
        if self._version is _UNREAD:
            self._version = await self._session.scalar(_VERSION)
        return self._version  # type: ignore[return-value]

    async def client(self, code: str) -> Client:
        row = await self._session.get(ClientRow, code)
        if row is None:
            raise NotFound(f"client {code}")
        return client_from_row(row)

    async def schedule(self, name: str) -> ScheduleSpec:
        row = await self._session.get(ScheduleRow, name)
        if row is None:
            raise NotFound(f"schedule {name}")
        return schedule_from_row(row)

    async def contract(self, name: str) -> Contract:
        row = await self._session.get(ContractRow, name)
        if row is None:
            raise NotFound(f"contract {name}")
        rows = await self._session.scalars(
            select(ContractTargetRow).where(ContractTargetRow.contract == name)
        )
        targets = {Priority(t.priority): _target_from_row(t) for t in rows}
        return Contract(row.name, row.schedule, targets, dict(row.contacts))

    async def team(self, name: str) -> Team:
        row = await self._session.get(TeamRow, name)
        if row is None:
            raise NotFound(f"team {name}")
        return team_from_row(row)

    async def team_of_chat(self, chat_id: int) -> Team | None:
        row = await self._session.scalar(select(TeamRow).where(TeamRow.chat_id == chat_id))
        return None if row is None else team_from_row(row)

    async def team_staff(self, team: str) -> list[Staff]:
        """Active staff of ``team`` in Telegram id order."""
        rows = await self._session.scalars(
            select(StaffRow)
            .where(StaffRow.team == team, StaffRow.active)
            .order_by(StaffRow.telegram_id)
        )
        return [staff_from_row(r) for r in rows]

    async def staff(self, telegram_id: int) -> Staff | None:
        """A staff member, active or not (``Staff.active`` says which)."""
        row = await self._session.get(StaffRow, telegram_id)
        return None if row is None else staff_from_row(row)

    async def invite(self, code: str) -> Invite | None:
        row = await self._session.get(InviteRow, code)
        return None if row is None else Invite(row.code, row.client)

    # -- writes (config apply) -----------------------------------------------

    @_changes
    async def put_schedule(self, spec: ScheduleSpec) -> None:
        await self._session.merge(schedule_to_row(spec))

    @_changes
    async def put_contract(self, contract: Contract) -> None:
        s = self._session
        row = ContractRow(
            name=contract.name, schedule=contract.schedule, contacts=dict(contract.contacts)
        )
        await s.merge(row)
        await s.execute(
            delete(ContractTargetRow).where(ContractTargetRow.contract == contract.name)
        )
        s.add_all(
            ContractTargetRow(
                contract=contract.name,
                priority=int(priority),
                reaction_minutes=t.reaction_minutes,
                resolution_minutes=t.resolution_minutes,
                round_the_clock=t.round_the_clock,
            )
            for priority, t in sorted(contract.targets.items())
        )

    @_changes
    async def put_team(self, team: Team) -> None:
        await self._session.merge(team_to_row(team))
        if await self._session.get(AssignmentCursorRow, team.name) is None:
            self._session.add(AssignmentCursorRow(team=team.name, last_assigned=None))

    @_changes
    async def put_client(self, client: Client) -> None:
        await self._session.merge(client_to_row(client))
        if await self._session.get(TicketCounterRow, client.code) is None:
            self._session.add(TicketCounterRow(client_code=client.code, last_number=0))

    @_changes
    async def put_staff(self, staff: Staff) -> None:
        await self._session.merge(staff_to_row(staff))

    @_changes
    async def put_invite(self, invite: Invite) -> None:
        await self._session.merge(InviteRow(code=invite.code, client=invite.client))

    @_changes
    async def put_terms(self, contract: str, terms: ContractTerms) -> None:
        await self._session.merge(ContractTermsRow(contract=contract, terms=terms_to_json(terms)))

    @_changes
    async def remove_terms(self, contract: str) -> None:
        await self._session.execute(
            delete(ContractTermsRow).where(ContractTermsRow.contract == contract)
        )

    @_changes
    async def put_managers(self, client: str, telegram_ids: tuple[int, ...]) -> None:
        """The client's managers are exactly ``telegram_ids``."""
        await self.remove_managers(client)
        if telegram_ids:  # Core, as the delete: rows load() read stay out of the way
            rows = [{"client_code": client, "telegram_id": tid} for tid in sorted(telegram_ids)]
            await self._session.execute(insert(ClientManagerRow), rows)

    @_changes
    async def remove_managers(self, client: str) -> None:
        await self._session.execute(
            delete(ClientManagerRow).where(ClientManagerRow.client_code == client)
        )

    @_changes
    async def put_alert_keys(self, client: str, keys: tuple[AlertKey, ...]) -> None:
        """The client's API keys are exactly ``keys`` (a key left out is revoked)."""
        await self._session.execute(delete(ApiKeyRow).where(ApiKeyRow.client_code == client))
        if keys:
            rows = [{"client_code": client, "name": k.name, "sha256": k.sha256} for k in keys]
            await self._session.execute(insert(ApiKeyRow), rows)

    @_changes
    async def put_catalogue(self, contract: str, catalogue: Catalogue) -> None:
        await CatalogueRepository(self._session).put_catalogue(contract, catalogue)

    @_changes
    async def remove_catalogue(self, contract: str) -> None:
        await CatalogueRepository(self._session).remove_catalogue(contract)

    @_changes
    async def put_people(self, client: str, people: ClientPeople) -> None:
        await CatalogueRepository(self._session).put_people(client, people)

    @_changes
    async def remove_people(self, client: str) -> None:
        await CatalogueRepository(self._session).remove_people(client)

    @_changes
    async def remove_invite(self, code: str) -> None:
        await self._session.execute(delete(InviteRow).where(InviteRow.code == code))

    @_changes
    async def remove_staff(self, telegram_id: int) -> None:
        """Delete a staff member who never owned a ticket; deactivate one who did."""
        try:
            async with self._session.begin_nested():
                await self._session.execute(
                    delete(StaffRow).where(StaffRow.telegram_id == telegram_id)
                )
        except IntegrityError:
            row = await self._session.get(StaffRow, telegram_id)
            if row is not None:
                row.active = False

    @_changes
    async def remove_client(self, code: str) -> None:
        await self._remove(
            "client",
            code,
            delete(TicketCounterRow).where(TicketCounterRow.client_code == code),
            delete(ClientRow).where(ClientRow.code == code),
        )

    @_changes
    async def remove_team(self, name: str) -> None:
        await self._remove(
            "team",
            name,
            delete(AssignmentCursorRow).where(AssignmentCursorRow.team == name),
            delete(TeamRow).where(TeamRow.name == name),
        )

    @_changes
    async def remove_contract(self, name: str) -> None:
        await self._remove("contract", name, delete(ContractRow).where(ContractRow.name == name))

    @_changes
    async def remove_schedule(self, name: str) -> None:
        await self._remove("schedule", name, delete(ScheduleRow).where(ScheduleRow.name == name))

    async def _remove(self, kind: str, key: str, *statements: object) -> None:
        """Run the deletes; rows still referenced (tickets, users...) refuse."""
        try:
            async with self._session.begin_nested():
                for statement in statements:
                    await self._session.execute(statement)  # type: ignore[call-overload]
        except IntegrityError as exc:
            raise StillReferenced(kind, key) from exc


def _target_from_row(row: ContractTargetRow) -> SlaTarget:
    return SlaTarget(row.reaction_minutes, row.resolution_minutes, row.round_the_clock)
