"""The half-year satisfaction survey: a few 1-5 questions in the chat.

``start`` queues the first question to every user of the client through the
outbox (whose sender keeps Telegram's limits: about 30 messages a second in
all, one a second per chat); each answer edits the same message into the
next question, then into thanks.  Callback data is re-checked: the presser
must be a user of the survey's client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.callbacks import SurveyCb
from bot.outbox import enqueue
from bot.reports.html import survey_questions
from storage import surveys
from storage.uow import UnitOfWork

MIN_INTERVAL = timedelta(days=150)  # half-yearly: a new survey no sooner than this


class TooSoon(Exception):
    def __init__(self, last: surveys.Survey) -> None:
        super().__init__(f"survey {last.id} started {last.started_at:%Y-%m-%d}")
        self.last = last


@dataclass(frozen=True)
class Started:
    survey_id: int
    users: int


def _question(survey_id: int, number: int, total: int) -> tuple[str, InlineKeyboardMarkup]:
    html = texts.render(
        "client_survey_question", number=number, total=total, text=survey_questions()[number - 1]
    )
    row = [
        InlineKeyboardButton(
            text=str(score),
            callback_data=SurveyCb(survey=survey_id, question=number, score=score).pack(),
        )
        for score in range(1, 6)
    ]
    return html, InlineKeyboardMarkup(inline_keyboard=[row])


async def start(uow: UnitOfWork, client_code: str, now: datetime) -> Started:
    """Start a survey of the client's users (``NotFound`` for an unknown client,
    ``TooSoon`` if the last one is less than ``MIN_INTERVAL`` old)."""
    client = await uow.directory.client(client_code)
    last = await uow.surveys.latest(client.code)
    if last is not None and now - last.started_at < MIN_INTERVAL:
        raise TooSoon(last)
    total = len(survey_questions())
    survey = await uow.surveys.start(client.code, total, now)
    users = await uow.users.of_client(client.code)
    html, markup = _question(survey.id, 1, total)
    intro = texts.render("client_survey_intro", client=client.name)
    for user in users:
        enqueue.send(uow, user.telegram_id, intro + "\n\n" + html, markup=markup)
    return Started(survey.id, len(users))


async def answer(
    uow: UnitOfWork,
    user_id: int,
    data: SurveyCb,
    chat_id: int,
    message_id: int,
    now: datetime,
) -> bool:
    """Record an answer and show the next question (or thanks); False if the
    presser may not answer this survey or the button is not a valid one."""
    survey = await uow.surveys.get(data.survey)
    user = await uow.users.get(user_id)
    valid = 1 <= data.question <= (survey.questions if survey else 0) and 1 <= data.score <= 5
    if survey is None or user is None or user.client_code != survey.client_code or not valid:
        return False
    await uow.surveys.answer(survey.id, user_id, data.question, data.score, now)
    if data.question < survey.questions:
        html, markup = _question(survey.id, data.question + 1, survey.questions)
        enqueue.edit(uow, chat_id, message_id, html, markup)
    else:
        enqueue.edit(uow, chat_id, message_id, texts.render("client_survey_thanks"))
    return True
