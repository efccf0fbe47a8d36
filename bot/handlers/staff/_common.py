"""What the staff handlers share: the clock they are given and the answer in place."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram.types import Message

from bot.outbox import enqueue
from desk.model import Ticket
from storage.uow import UnitOfWork

Clock = Callable[[], datetime]


def reply(uow: UnitOfWork, message: Message, html: str, ticket: Ticket | None = None) -> None:
    """Answer where the command was written: in the ticket's topic, or the chat."""
    enqueue.send(
        uow,
        message.chat.id,
        html,
        ticket_id=ticket.id if ticket else None,
        topic=ticket is not None,
    )
