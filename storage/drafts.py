"""Repositories of the user conversation: drafts (a message before it becomes a
ticket), what the bot awaits from a user, resolutions with their rating, and
the FAQ log.  A repository on the unit of work (``uow.drafts``); it never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.tables import Base, ConversationRow, DraftRow, FaqLogRow, ResolutionRow

# Statements asked on every message a user writes, built once (as Core: the ORM's
# unit of work and identity map cost more than these statements).
_FAQ_LOG = Base.metadata.tables["faq_log"]
_LOG_FAQ = insert(_FAQ_LOG).returning(_FAQ_LOG.c.id)
_CONVERSATIONS = Base.metadata.tables["conversations"]
_AWAITED = select(_CONVERSATIONS.c.awaiting, _CONVERSATIONS.c.ticket_id).where(
    _CONVERSATIONS.c.user_id == bindparam("p_user")
)


@dataclass(frozen=True)
class Draft:
    id: int
    user_id: int
    chat_id: int
    message_id: int
    text: str
    html: str
    media: list[dict[str, Any]]
    state: str  # faq | choose | queued | offer | picked | done
    faq_log_id: int | None
    created_at: datetime | None = None


@dataclass(frozen=True)
class Resolution:
    ticket_id: int
    asked_at: datetime
    close_at: datetime
    answer: str | None  # confirmed | reopened | silent
    rating: int | None
    comment: str | None


def _draft(row: DraftRow) -> Draft:
    return Draft(
        id=row.id,
        user_id=row.user_id,
        chat_id=row.chat_id,
        message_id=row.message_id,
        text=row.text,
        html=row.html,
        media=list(row.media),
        state=row.state,
        faq_log_id=row.faq_log_id,
        created_at=row.created_at,
    )


def _resolution(row: ResolutionRow) -> Resolution:
    return Resolution(
        ticket_id=row.ticket_id,
        asked_at=row.asked_at,
        close_at=row.close_at,
        answer=row.answer,
        rating=row.rating,
        comment=row.comment,
    )


@dataclass(frozen=True)
class FaqFeedback:
    rejections: list[tuple[str, str]]  # (query, entry id)
    helped: list[tuple[str, str]]


class DraftsRepository:
    """Drafts: what the unit of work offers as ``uow.drafts``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_draft(
        self,
        *,
        user_id: int,
        chat_id: int,
        message_id: int,
        text: str,
        html: str,
        media: list[dict[str, Any]],
        state: str,
        now: datetime,
    ) -> int:
        row = DraftRow(
            user_id=user_id,
            chat_id=chat_id,
            message_id=message_id,
            text=text,
            html=html,
            media=media,
            state=state,
            created_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def get_draft(self, draft_id: int) -> Draft | None:
        row = await self._session.get(DraftRow, draft_id)
        return None if row is None else _draft(row)

    async def drafts_of(
        self, user_id: int, state: str, *, since: datetime | None = None
    ) -> list[Draft]:
        """A user's drafts in ``state`` (created at ``since`` or later), oldest first."""
        query = select(DraftRow).where(DraftRow.user_id == user_id, DraftRow.state == state)
        if since is not None:
            query = query.where(DraftRow.created_at >= since)
        rows = await self._session.scalars(query.order_by(DraftRow.id))
        return [_draft(row) for row in rows]

    async def idle_faq(self, before: datetime, limit: int = 100) -> list[Draft]:
        """Drafts whose FAQ suggestions were shown before ``before`` and still wait for a press."""
        rows = await self._session.scalars(
            select(DraftRow)
            .join(FaqLogRow, FaqLogRow.id == DraftRow.faq_log_id)
            .where(DraftRow.state == "faq", FaqLogRow.at <= before)
            .order_by(DraftRow.id)
            .limit(limit)
        )
        return [_draft(row) for row in rows]

    async def set_draft_state(
        self, draft_id: int, state: str, faq_log_id: int | None = None
    ) -> None:
        row = await self._session.get(DraftRow, draft_id)
        if row is not None:
            row.state = state
            if faq_log_id is not None:
                row.faq_log_id = faq_log_id

    async def claim_draft(self, draft_id: int, from_states: tuple[str, ...], to_state: str) -> bool:
        """Move a draft from one of ``from_states`` to ``to_state``; False if it was not there.

        One conditional UPDATE: of two presses on the same prompt only one claims it,
        whatever the later steps set the state to.
        """
        result = await self._session.execute(
            update(DraftRow)
            .where(DraftRow.id == draft_id, DraftRow.state.in_(from_states))
            .values(state=to_state)
        )
        return bool(getattr(result, "rowcount", 0))

    async def await_from(
        self, user_id: int, awaiting: str, ticket_id: int | None, now: datetime
    ) -> None:
        """Remember what the bot waits for from ``user_id`` next (one thing at a time)."""
        row = await self._session.get(ConversationRow, user_id)
        if row is None:
            self._session.add(
                ConversationRow(user_id=user_id, awaiting=awaiting, ticket_id=ticket_id, since=now)
            )
        else:
            row.awaiting, row.ticket_id, row.since = awaiting, ticket_id, now

    async def awaited(self, user_id: int) -> tuple[str, int | None] | None:
        """What the bot waits for from ``user_id`` (asked on every message a user writes)."""
        row = (await self._session.execute(_AWAITED, {"p_user": user_id})).first()
        return None if row is None else (row.awaiting, row.ticket_id)

    async def stop_awaiting(self, user_id: int) -> None:
        await self._session.execute(
            delete(ConversationRow).where(ConversationRow.user_id == user_id)
        )

    async def ask_resolution(self, ticket_id: int, asked_at: datetime, close_at: datetime) -> None:
        """Start (or restart, after a reopen) waiting for the user's confirmation."""
        row = await self._session.get(ResolutionRow, ticket_id)
        if row is None:
            self._session.add(
                ResolutionRow(ticket_id=ticket_id, asked_at=asked_at, close_at=close_at)
            )
        else:
            row.asked_at, row.close_at, row.answer = asked_at, close_at, None
            row.rating, row.comment = None, None

    async def resolution_of(self, ticket_id: int) -> Resolution | None:
        row = await self._session.get(ResolutionRow, ticket_id)
        return None if row is None else _resolution(row)

    async def answer_resolution(
        self,
        ticket_id: int,
        *,
        answer: str | None = None,
        rating: int | None = None,
        comment: str | None = None,
    ) -> None:
        row = await self._session.get(ResolutionRow, ticket_id)
        if row is None:
            return
        if answer is not None:
            row.answer = answer
        if rating is not None:
            row.rating = rating
        if comment is not None:
            row.comment = comment

    async def unanswered_due(self, now: datetime, limit: int = 100) -> list[int]:
        """Tickets whose confirmation was not answered by their close time."""
        ids = await self._session.scalars(
            select(ResolutionRow.ticket_id)
            .where(ResolutionRow.answer.is_(None), ResolutionRow.close_at <= now)
            .order_by(ResolutionRow.close_at)
            .limit(limit)
        )
        return list(ids)

    async def log_faq(
        self,
        *,
        user_id: int,
        client_code: str | None,
        query: str,
        shown: list[dict[str, Any]],
        outcome: str,
        now: datetime,
        ticket_id: int | None = None,
    ) -> int:
        log_id: int = await self._session.scalar(
            _LOG_FAQ,
            {
                "at": now,
                "user_id": user_id,
                "client_code": client_code,
                "query": query,
                "shown": shown,
                "outcome": outcome,
                "ticket_id": ticket_id,
            },
        )
        return log_id

    async def close_faq(
        self,
        log_id: int,
        outcome: str,
        *,
        chosen: str | None = None,
        ticket_id: int | None = None,
    ) -> None:
        row = await self._session.get(FaqLogRow, log_id)
        if row is None:
            return
        row.outcome = outcome
        if chosen is not None:
            row.chosen = chosen
        if ticket_id is not None:
            row.ticket_id = ticket_id

    async def faq_shown(self, log_id: int) -> list[dict[str, Any]]:
        """The suggestions an FAQ step showed, in the order shown."""
        row = await self._session.get(FaqLogRow, log_id)
        return [] if row is None else list(row.shown)

    async def reject_faq(self, log_id: int, ticket_id: int) -> tuple[str, list[str]]:
        """«Не то»: the step ends ``not_it`` with its ticket; the entry the user had opened
        (or, if none, every entry shown) is marked ``rejected`` in ``shown``, and ``chosen``
        is left free for the entry a consultant later answers with. The query and the
        rejected entries' ids."""
        row = await self._session.get(FaqLogRow, log_id)
        if row is None:
            return "", []
        shown = [dict(item) for item in row.shown]
        ids = [str(item["id"]) for item in shown]
        rejected = [row.chosen] if row.chosen in ids else ids
        for item in shown:
            if item["id"] in rejected:
                item["rejected"] = True
        row.shown, row.outcome, row.chosen, row.ticket_id = shown, "not_it", None, ticket_id
        return row.query, [str(r) for r in rejected]

    async def note_faq_answer(self, ticket_id: int, entry_id: str) -> None:
        """The entry a consultant answered a ticket with (``/faq``) goes into ``chosen`` of the
        FAQ steps that ended in that ticket; their outcome stays."""
        await self._session.execute(
            update(FaqLogRow)
            .where(FaqLogRow.ticket_id == ticket_id, FaqLogRow.outcome != "helped")
            .values(chosen=entry_id)
        )

    async def faq_feedback(self, since: datetime, limit: int = 20_000) -> FaqFeedback:
        """What users did with the suggestions since ``since``, newest first: «Не то» per
        rejected entry, and «Помогло» or a consultant's answer per entry that helped."""
        rows = await self._session.execute(
            select(FaqLogRow.query, FaqLogRow.shown, FaqLogRow.outcome, FaqLogRow.chosen)
            .where(
                FaqLogRow.at >= since,
                FaqLogRow.outcome.in_(("helped", "unanswered", "not_it")),
                (FaqLogRow.outcome == "not_it") | FaqLogRow.chosen.is_not(None),
            )
            .order_by(FaqLogRow.id.desc())
            .limit(limit)
        )
        feedback = FaqFeedback([], [])
        for query, shown, outcome, chosen in rows:
            ids = [str(item["id"]) for item in shown]
            rejected: list[str] = []
            if outcome == "not_it":
                marked = [str(item["id"]) for item in shown if item.get("rejected")]
                if marked:  # ``chosen`` here is a consultant's answer
                    rejected = [i for i in marked if i != chosen]
                else:  # marked before rejections were: ``chosen`` is the entry opened
                    rejected, chosen = ([chosen] if chosen in ids else ids), None
            feedback.rejections.extend((query, entry_id) for entry_id in rejected)
            # on a step still open or left alone, ``chosen`` may be an entry merely opened
            if chosen is not None and outcome in ("helped", "unanswered", "not_it"):
                feedback.helped.append((query, chosen))
        return feedback

    async def faq_gap_queries(
        self, since: datetime, client_codes: list[str] | None = None
    ) -> list[str]:
        """Queries since ``since`` that found no answer or whose suggestions were rejected,
        became tickets, and were not answered with an FAQ entry since (``chosen`` empty)."""
        query = select(FaqLogRow.query).where(
            FaqLogRow.at >= since,
            FaqLogRow.outcome.in_(("unanswered", "not_it")),
            FaqLogRow.ticket_id.is_not(None),
            FaqLogRow.chosen.is_(None),
        )
        if client_codes is not None:
            query = query.where(FaqLogRow.client_code.in_(client_codes))
        return list(await self._session.scalars(query.order_by(FaqLogRow.id)))
