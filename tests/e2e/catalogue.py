"""Helpers of the catalogue's e2e tests: the demo's approver and manager of «Демо»
joined, a form filled in step by step, the ticket's approval rounds read back."""

from __future__ import annotations

from bot.compose import App
from desk.model import Ticket
from storage.catalogue import ApprovalRecord
from tests.e2e.desk import USER, Desk, Message, text_of

APPROVER = 1005  # Алексей Морозов approves «Доступ и права» of «Демо» (bot/demo_config.toml)
MANAGER = 1003  # Светлана Иванова, the manager; approves «Доработка»


async def join_people(desk: Desk) -> None:
    await desk.control.create_user(APPROVER, "Алексей", username="alexey_econ")


async def bot_asks(desk: Desk, part: str, after: int, chat: int = USER) -> Message:
    return await desk.bot_says(chat, part, after=after)


async def answer(desk: Desk, question: Message, text: str, expect: str) -> Message:
    """Type ``text`` as the answer to ``question``; the bot's next message containing
    ``expect``."""
    sent = await desk.say(USER, USER, text)
    return await desk.bot_says(USER, expect, after=max(sent, question["message_id"]))


async def tap(desk: Desk, question: Message, label: str, expect: str, chat: int = USER) -> Message:
    await desk.press(chat, chat, question, label)
    return await desk.bot_says(chat, expect, after=question["message_id"])


async def start_form(desk: Desk, title: str, first_prompt: str) -> Message:
    sent = await desk.say(USER, USER, "/new")
    types = await desk.bot_says(USER, "Выберите вид заявки", after=sent)
    return await tap(desk, types, title, first_prompt)


async def fill_access(desk: Desk) -> Message:
    """The access form filled in the plain way; the summary."""
    who = await start_form(desk, "Доступ и права", "Кому нужен доступ")
    base = await answer(desk, who, "Иванова Анна Сергеевна", "В какой базе")
    roles = await tap(desk, base, "БП", "Какие роли")
    start = await answer(desk, roles, "Бухгалтер", "С какой даты")
    until = await answer(desk, start, "15.03.2030", "До какой даты")
    reason = await tap(desk, until, "Пропустить", "Для чего нужен доступ")
    return await answer(desk, reason, "Новая сотрудница бухгалтерии", "Проверьте заявку")


async def send(desk: Desk, summary: Message) -> Message:
    return await tap(desk, summary, "Отправить", "зарегистрирована")


async def rounds(app: App, number: str) -> tuple[Ticket, list[ApprovalRecord]]:
    async with app.db.uow() as uow:
        ticket = await uow.tickets.get(number)
        assert ticket.id is not None
        return ticket, await uow.catalogue.approvals_of(ticket.id)


def lines_of(message: Message) -> list[str]:
    return [line for line in text_of(message).splitlines() if line.strip()]
