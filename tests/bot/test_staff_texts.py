"""What the staff topic reads when a ticket changes hands: one wording of ownership
(«ответственный»), names in the nominative, the new owner mentioned; whom /assign
finds; due times with their zone in the right place."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import texts
from bot.services.notify import Person
from bot.services.staff import matching
from desk.model import Line, Staff
from desk.timefmt import due_words

ANNA, BORIS, VERA = "Анна Смирнова", "Борис Ким", "Вера Ли"


def _note(by: str, owner: str, previous: str, status: str = "in_progress") -> str:
    return texts.render(
        "staff_assigned",
        number="DEMO-1",
        by=by,
        owner=Person(2002, owner),
        previous=previous,
        status=status,
    )


def test_the_assign_note_names_who_handed_the_ticket_to_whom() -> None:
    """The owner handing it on is named once; handing someone else's ticket also names
    the previous owner; the new owner is a mention; a new ticket says it is not taken."""
    mention = f'<a href="tg://user?id=2002">{BORIS}</a>'
    assert _note(ANNA, BORIS, ANNA) == f"Ответственный теперь — {mention}: назначил(а) {ANNA}."
    assert _note(ANNA, BORIS, VERA) == (
        f"Ответственный теперь — {mention}: назначил(а) {ANNA}, предыдущий ответственный — {VERA}."
    )
    assert _note(ANNA, BORIS, ANNA, "new").endswith(
        "назначил(а) Анна Смирнова. В работу заявка ещё не взята."
    )


def test_a_takeover_note_names_the_previous_owner_in_the_right_case() -> None:
    """«была у Бориса Кима», not «была у Борис Ким»; where pymorphy3 is unsure of
    a name's case the note needs none («предыдущий ответственный — Ли Мин»)."""
    html = texts.render("staff_taken_over", number="DEMO-1", taker=ANNA, previous=BORIS)
    assert html == f"{ANNA} взял(а) заявку в работу (была у Бориса Кима)."
    unsure = texts.render("staff_taken_over", number="DEMO-1", taker=ANNA, previous="Ли Мин")
    assert unsure == f"{ANNA} взял(а) заявку в работу (предыдущий ответственный — Ли Мин)."


def test_an_overdue_time_keeps_its_zone_inside_the_brackets() -> None:
    """«срок прошёл (7 декабря 12:59 МСК)», not «срок прошёл (7 декабря 12:59) МСК»;
    a due time still to come reads «сегодня до 14:30 МСК»."""
    now = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
    past = due_words(datetime(2026, 12, 7, 9, 59, tzinfo=UTC), now, "Europe/Moscow")
    assert texts.render("due_words", w=past) == "срок прошёл (7 декабря 12:59 МСК)"
    east = due_words(datetime(2026, 12, 7, 9, 59, tzinfo=UTC), now, "Asia/Yekaterinburg")
    assert texts.render("due_words", w=east) == "срок прошёл (7 декабря 14:59 МСК+2)"
    soon = due_words(datetime(2026, 12, 8, 11, 30, tzinfo=UTC), now, "Europe/Moscow")
    assert texts.render("due_words", w=soon) == "сегодня до 14:30 МСК"


def test_assign_finds_a_username_a_name_or_a_word_of_it() -> None:
    """@boris, boris, «Борис Ким», «ким», «Ким Борис» name Boris; «Вася» nobody; a word two
    people share names both (the handler then lists the team)."""
    anna = Staff(2001, "Анна Смирнова", "demo", username="anna")
    boris = Staff(2002, "Борис Ким", "demo", username="boris")
    alena = Staff(2003, "Алёна Ким", "demo", line=Line.TWO)
    gone = Staff(2004, "Борис Старый", "demo", active=False)
    team = [anna, boris, alena, gone]
    for wanted in ("@boris", "boris", "@Boris", "Борис Ким", "борис", "Ким Борис"):
        assert matching(team, wanted) == [boris], wanted
    assert matching(team, "алена") == [alena]
    assert matching(team, "Вася") == []
    assert matching(team, "@") == []
    assert matching(team, "Ким") == [boris, alena]


def _card(**changes: object) -> list[str]:
    context: dict[str, object] = {
        "status": "new",
        "number": "DEMO-7",
        "escalated": False,
        "client": "Демо",
        "user": "Ольга",
        "username": None,
        "category": "incident",
        "priority": 3,
        "initial": 3,
        "priority_reason": None,
        "owner": Person(2001, "Анна Смирнова"),
        "reaction": None,
        "reacted": False,
        "resolution": None,
        "routed_to": None,
        "blocked": False,
        "undelivered": 0,
        "attachments": 0,
        "text": "Не проводится реализация",
        "truncated": False,
        "messenger": "Telegram",
        "form": None,
    }
    context.update(changes)
    return texts.render("card", **context).splitlines()


def test_the_card_keeps_priority_and_owner_on_their_own_lines() -> None:
    """With or without a reason or a changed priority, «Ответственный» starts its
    own line (an ``{% endif %}`` at a line's end once glued them together)."""
    for changes in ({}, {"priority": 1, "initial": 3}, {"priority_reason": "стоит отгрузка"}):
        lines = _card(**changes)
        priority = next(line for line in lines if line.startswith("Приоритет:"))
        assert "Ответственный" not in priority
        assert any(line.startswith("Ответственный:") for line in lines)
