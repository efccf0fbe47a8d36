"""Outsiders in a staff group: members who are not its staff and type commands.

The choice (issue 18): an outsider is answered in the group at most once an hour
per chat, and that answer says that further commands go unanswered.  Every
reply costs one of the group's 20 messages a minute, which ticket cards need;
answering privately would not reach someone who never started the bot, and
silence would leave a new member guessing why nothing happens.  The one caller
is ``bot.handlers.staff.outsiders``, reached by what the staff handlers left.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot import texts
from bot.outbox import enqueue
from desk.model import Ticket
from storage.uow import UnitOfWork

QUIET = timedelta(hours=1)


async def refuse(
    uow: UnitOfWork, chat_id: int, user_id: int, now: datetime, ticket: Ticket | None = None
) -> None:
    """Tell the outsider that commands are for staff, unless told within ``QUIET``
    (in the ticket's topic if the command was typed in one)."""
    if await uow.outsiders.claim_reply(chat_id, user_id, now, QUIET):
        enqueue.send(
            uow,
            chat_id,
            texts.render("staff_not_staff", hours=int(QUIET.total_seconds()) // 3600),
            ticket_id=ticket.id if ticket else None,
            topic=ticket is not None,
        )
