"""Repositories of the service catalogue: the config's request types and client people
(synced by ``config apply``), forms in progress, a ticket's answers, approvals and
their votes. A repository on the unit of work (``uow.catalogue``); it never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from desk.catalogue import (
    Catalogue,
    ClientPeople,
    catalogue_from_json,
    catalogue_to_json,
    people_from_json,
    people_to_json,
)
from storage.tables import TicketRow
from storage.tables.catalogue import (
    ApprovalRow,
    ApprovalVoteRow,
    CatalogueRow,
    ClientPeopleRow,
    FormDraftRow,
    TicketFormRow,
)

# -- what the config says ----------------------------------------------------------


# -- forms -------------------------------------------------------------------------


@dataclass(frozen=True)
class FormDraft:
    id: int
    user_id: int
    chat_id: int
    client_code: str
    type_code: str
    state: str  # offered | filling
    step: int
    answers: dict[str, Any]
    draft_id: int | None
    first_text: str
    updated_at: datetime


def _form(row: FormDraftRow) -> FormDraft:
    return FormDraft(
        id=row.id,
        user_id=row.user_id,
        chat_id=row.chat_id,
        client_code=row.client_code,
        type_code=row.type_code,
        state=row.state,
        step=row.step,
        answers=dict(row.answers),
        draft_id=row.draft_id,
        first_text=row.first_text,
        updated_at=row.updated_at,
    )


@dataclass(frozen=True)
class TicketForm:
    ticket_id: int
    type_code: str
    answers: dict[str, Any]
    lines: list[tuple[str, str]]


# -- approvals ---------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovalRecord:
    id: int
    ticket_id: int
    kind: str  # request | design
    type_code: str
    rule: str  # any | all
    asked: tuple[int, ...]
    state: str  # pending | approved | refused | superseded
    resume_status: str
    requested_at: datetime
    reminded_at: datetime | None
    escalated_at: datetime | None
    decided_at: datetime | None
    decided_by: int | None
    reason: str | None
    waited_minutes: int | None
    design_chat_id: int | None
    design_message_id: int | None
    design_name: str | None


def _approval(row: ApprovalRow) -> ApprovalRecord:
    return ApprovalRecord(
        id=row.id,
        ticket_id=row.ticket_id,
        kind=row.kind,
        type_code=row.type_code,
        rule=row.rule,
        asked=tuple(row.asked),
        state=row.state,
        resume_status=row.resume_status,
        requested_at=row.requested_at,
        reminded_at=row.reminded_at,
        escalated_at=row.escalated_at,
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        reason=row.reason,
        waited_minutes=row.waited_minutes,
        design_chat_id=row.design_chat_id,
        design_message_id=row.design_message_id,
        design_name=row.design_name,
    )


class CatalogueRepository:
    """Catalogue: what the unit of work offers as ``uow.catalogue``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def load_catalogues(self) -> dict[str, Catalogue]:
        rows = await self._session.scalars(select(CatalogueRow))
        return {r.contract: catalogue_from_json(list(r.types)) for r in rows}

    async def put_catalogue(self, contract: str, catalogue: Catalogue) -> None:
        await self._session.merge(
            CatalogueRow(contract=contract, types=catalogue_to_json(catalogue))
        )

    async def remove_catalogue(self, contract: str) -> None:
        await self._session.execute(delete(CatalogueRow).where(CatalogueRow.contract == contract))

    async def load_people(self) -> dict[str, ClientPeople]:
        rows = await self._session.scalars(select(ClientPeopleRow))
        return {r.client_code: people_from_json(dict(r.people)) for r in rows}

    async def put_people(self, client: str, people: ClientPeople) -> None:
        await self._session.merge(
            ClientPeopleRow(client_code=client, people=people_to_json(people))
        )

    async def remove_people(self, client: str) -> None:
        await self._session.execute(
            delete(ClientPeopleRow).where(ClientPeopleRow.client_code == client)
        )

    async def form_of(self, user_id: int) -> FormDraft | None:
        """The user's form (offered or being filled), if any."""
        row = await self._session.scalar(
            select(FormDraftRow).where(FormDraftRow.user_id == user_id)
        )
        return None if row is None else _form(row)

    async def start_form(
        self,
        *,
        user_id: int,
        chat_id: int,
        client_code: str,
        type_code: str,
        state: str,
        now: datetime,
        draft_id: int | None = None,
        first_text: str = "",
    ) -> FormDraft:
        """A new form for the user (one they had is replaced)."""
        await self.drop_form(user_id)
        row = FormDraftRow(
            user_id=user_id,
            chat_id=chat_id,
            client_code=client_code,
            type_code=type_code,
            state=state,
            step=0,
            answers={},
            draft_id=draft_id,
            first_text=first_text,
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return _form(row)

    async def save_form(
        self,
        form_id: int,
        *,
        state: str,
        step: int,
        answers: dict[str, Any],
        now: datetime,
    ) -> None:
        row = await self._session.get(FormDraftRow, form_id, with_for_update=True)
        if row is not None:
            row.state, row.step, row.answers, row.updated_at = state, step, dict(answers), now

    async def drop_form(self, user_id: int) -> bool:
        """Forget the user's form; False if they had none (a second press, say)."""
        result = await self._session.execute(
            delete(FormDraftRow).where(FormDraftRow.user_id == user_id)
        )
        return bool(getattr(result, "rowcount", 0))

    async def idle_offers(self, before: datetime, limit: int = 100) -> list[FormDraft]:
        """Offers of a form nobody answered since before ``before``."""
        rows = await self._session.scalars(
            select(FormDraftRow)
            .where(FormDraftRow.state == "offered", FormDraftRow.updated_at <= before)
            .order_by(FormDraftRow.id)
            .limit(limit)
        )
        return [_form(r) for r in rows]

    async def save_ticket_form(
        self,
        ticket_id: int,
        type_code: str,
        answers: dict[str, Any],
        lines: list[tuple[str, str]],
    ) -> None:
        self._session.add(
            TicketFormRow(
                ticket_id=ticket_id,
                type_code=type_code,
                answers=dict(answers),
                lines=[[label, value] for label, value in lines],
            )
        )
        await self._session.flush()

    async def ticket_form(self, ticket_id: int) -> TicketForm | None:
        row = await self._session.get(TicketFormRow, ticket_id)
        if row is None:
            return None
        lines = [(str(a), str(b)) for a, b in row.lines]
        return TicketForm(row.ticket_id, row.type_code, dict(row.answers), lines)

    async def add_approval(
        self,
        *,
        ticket_id: int,
        kind: str,
        type_code: str,
        rule: str,
        asked: tuple[int, ...],
        resume_status: str,
        now: datetime,
        design: tuple[int, int, str | None] | None = None,
    ) -> ApprovalRecord:
        """A new pending round; ``design``: (chat id, message id, file name) of the document."""
        row = ApprovalRow(
            ticket_id=ticket_id,
            kind=kind,
            type_code=type_code,
            rule=rule,
            asked=list(asked),
            state="pending",
            resume_status=resume_status,
            requested_at=now,
            design_chat_id=design[0] if design else None,
            design_message_id=design[1] if design else None,
            design_name=design[2] if design else None,
        )
        self._session.add(row)
        await self._session.flush()
        return _approval(row)

    async def approval(
        self, approval_id: int, *, for_update: bool = False
    ) -> ApprovalRecord | None:
        row = await self._session.get(ApprovalRow, approval_id, with_for_update=for_update)
        return None if row is None else _approval(row)

    async def approvals_of(self, ticket_id: int) -> list[ApprovalRecord]:
        """A ticket's rounds, oldest first."""
        rows = await self._session.scalars(
            select(ApprovalRow).where(ApprovalRow.ticket_id == ticket_id).order_by(ApprovalRow.id)
        )
        return [_approval(r) for r in rows]

    async def pending(self, limit: int = 500) -> list[ApprovalRecord]:
        """Rounds still waiting for a decision, oldest first (the reminder job's work)."""
        rows = await self._session.scalars(
            select(ApprovalRow)
            .where(ApprovalRow.state == "pending")
            .order_by(ApprovalRow.id)
            .limit(limit)
        )
        return [_approval(r) for r in rows]

    async def vote(
        self,
        approval_id: int,
        telegram_id: int,
        decision: str,
        now: datetime,
        reason: str | None = None,
    ) -> bool:
        """Record a person's decision; False if they had decided already."""
        if await self._session.get(ApprovalVoteRow, (approval_id, telegram_id)) is not None:
            return False
        await self._session.execute(
            insert(ApprovalVoteRow).values(
                approval_id=approval_id,
                telegram_id=telegram_id,
                decision=decision,
                at=now,
                reason=reason,
            )
        )
        return True

    async def votes(self, approval_id: int) -> dict[int, str]:
        rows = await self._session.execute(
            select(ApprovalVoteRow.telegram_id, ApprovalVoteRow.decision).where(
                ApprovalVoteRow.approval_id == approval_id
            )
        )
        return {int(row[0]): str(row[1]) for row in rows}

    async def close_approval(
        self,
        approval_id: int,
        state: str,
        *,
        now: datetime,
        by: int | None = None,
        reason: str | None = None,
        waited_minutes: int | None = None,
    ) -> bool:
        """End a pending round (approved, refused or superseded); False if it was not pending."""
        row = await self._session.get(ApprovalRow, approval_id, with_for_update=True)
        if row is None or row.state != "pending":
            return False
        row.state, row.decided_at, row.decided_by = state, now, by
        row.reason, row.waited_minutes = reason, waited_minutes
        return True

    async def mark(self, approval_id: int, what: str, now: datetime) -> None:
        """Note that a round's approvers were ``reminded`` or its client's managers
        ``escalated`` to."""
        row = await self._session.get(ApprovalRow, approval_id)
        if row is None:
            return
        if what == "reminded":
            row.reminded_at = now
        else:
            row.escalated_at = now

    async def approval_minutes(
        self, client_codes: list[str], since: datetime, until: datetime
    ) -> tuple[int, int]:
        """How many rounds of these clients' tickets were decided in [since, until) and the
        business minutes they waited in all."""
        row = (
            await self._session.execute(
                select(
                    func.count(ApprovalRow.id),
                    func.coalesce(func.sum(ApprovalRow.waited_minutes), 0),
                )
                .join(TicketRow, TicketRow.id == ApprovalRow.ticket_id)
                .where(
                    TicketRow.client_code.in_(client_codes),
                    ApprovalRow.decided_at >= since,
                    ApprovalRow.decided_at < until,
                    ApprovalRow.waited_minutes.is_not(None),
                )
            )
        ).one()
        return int(row[0] or 0), int(row[1] or 0)
