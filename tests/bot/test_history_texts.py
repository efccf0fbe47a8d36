"""How /history words the audit trail: Russian names for events and values, staff
names for owners, the client's time with its МСК offset, and no raw English reasons."""

from __future__ import annotations

import inspect
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot import texts
from bot.jobs import watcher
from bot.services import csat, history, incidents, reasons
from bot.services.actors import Actor
from bot.services.history import Line
from bot.services.reasons import Reason
from bot.services.reasons import read as reason_of
from bot.services.tickets import TicketService
from desk.enums import Category, Priority
from desk.timefmt import msk_offset
from storage.uow import UnitOfWorkFactory

AT = datetime(2026, 11, 28, 9, 5, tzinfo=UTC)


def _line(what: str, old: object = None, new: object = None, **kw: object) -> Line:
    fields: dict[str, object] = {
        "at": AT.astimezone(ZoneInfo("Europe/Moscow")),
        "msk_offset": 0,
        "actor": "staff",
        "actor_name": "Анна Смирнова",
        "reason": None,
    }
    fields.update(kw)
    return Line(what=what, old=old, new=new, **fields)  # type: ignore[arg-type]


def _render(*events: Line) -> list[str]:
    return texts.render("staff_history", number="DEMO-7", events=list(events)).splitlines()[1:]


def test_every_kind_of_event_reads_in_russian() -> None:
    """Each event kind the product records has its own Russian words, values included."""
    lines = _render(
        _line(
            "created",
            new={"priority": 2, "category": "incident", "owner": "Борис Ким"},
            actor="user",
            actor_name="Иван",
        ),
        _line("status", "new", "in_progress"),
        _line("priority", 3, 1),
        _line("category", "incident", "access"),
        _line("owner", "Борис Ким", "Анна Смирнова"),
        _line("escalated", False, True),
        _line("reaction"),
        _line("sla breach", new="resolution", actor="system", actor_name=None),
        _line("rating", new=5, actor="user", actor_name="Иван"),
        _line("rating comment", new="Спасибо", actor="user", actor_name="Иван"),
        _line("mass", new="outage", actor="system", actor_name=None),
        _line("linked", new="DEMO-3", actor="system", actor_name=None),
        _line("unlinked", old="DEMO-3", actor="user", actor_name="Иван"),
        _line("report linked", new="DEMO-9"),
        _line("report unlinked", old="DEMO-9"),
    )
    assert lines == [
        "28.11 12:05 МСК · клиент Иван · создана: P2 · высокий, инцидент, "
        "ответственный — Борис Ким",
        "28.11 12:05 МСК · Анна Смирнова · статус: новая → в работе",
        "28.11 12:05 МСК · Анна Смирнова · приоритет: P3 · средний → P1 · критический",
        "28.11 12:05 МСК · Анна Смирнова · категория: инцидент → права и доступ",
        "28.11 12:05 МСК · Анна Смирнова · ответственный: Борис Ким → Анна Смирнова",
        "28.11 12:05 МСК · Анна Смирнова · передана на 2-ю линию",
        "28.11 12:05 МСК · Анна Смирнова · первый ответ клиенту",
        "28.11 12:05 МСК · бот · нарушен срок решения",
        "28.11 12:05 МСК · клиент Иван · оценка клиента: 5",
        "28.11 12:05 МСК · клиент Иван · комментарий к оценке: «Спасибо»",
        "28.11 12:05 МСК · бот · объявлена массовым инцидентом "
        "(о сбое написал второй пользователь)",
        "28.11 12:05 МСК · бот · привязана к массовому инциденту DEMO-3",
        "28.11 12:05 МСК · клиент Иван · отвязана от массового инцидента DEMO-3 — отдельная заявка",
        "28.11 12:05 МСК · Анна Смирнова · привязана заявка DEMO-9",
        "28.11 12:05 МСК · Анна Смирнова · отвязана заявка DEMO-9",
    ]


def test_times_are_the_clients_with_the_offset_from_moscow() -> None:
    """A Yekaterinburg client sees its own clock, marked МСК+2."""
    local = AT.astimezone(ZoneInfo("Asia/Yekaterinburg"))
    (line,) = _render(_line("reaction", at=local, msk_offset=msk_offset(local)))
    assert line.startswith("28.11 14:05 МСК+2 · ")
    assert msk_offset(AT.astimezone(ZoneInfo("Europe/Kaliningrad"))) == -1


def test_reasons_the_product_writes_are_translated_and_unknown_english_is_hidden() -> None:
    """Known reasons get Russian words, a Russian destination stays as written, an
    English note of unknown origin is not shown to staff."""
    assert reason_of("confirmed by the user") == Reason(key="confirmed")
    assert reason_of("target 60 min, spent 75 min") == Reason(
        key="sla_spent", args={"target": 60, "spent": 75}
    )
    assert reason_of("ИТ-служба клиента: it@demo.example") == Reason(
        text="ИТ-служба клиента: it@demo.example"
    )
    assert reason_of("reassigned by script") is None
    assert reason_of(None) is None
    lines = _render(
        _line("status", "resolved", "closed", reason=reason_of("no answer from the user")),
        _line("status", "resolved", "in_progress", reason=reason_of("not solved, says the user")),
        _line("sla breach", new="reaction", reason=reason_of("target 60 min, spent 75 min")),
        _line("status", "new", "routed_out", reason=reason_of("ИТ-служба: it@x.example")),
        _line("status", "new", "cancelled", reason=reason_of("reassigned by script")),
        _line("status", "waiting", "resolved", reason=reason_of("no answer from the customer")),
    )
    assert lines[0].endswith("статус: решена → закрыта (клиент не ответил — закрыта автоматически)")
    assert lines[1].endswith("(клиент ответил, что не решено)")
    assert lines[2].endswith("нарушен срок реакции (норматив 60 мин, прошло 75 мин)")
    assert lines[3].endswith("статус: новая → передана вовне (ИТ-служба: it@x.example)")
    assert lines[4].endswith("статус: новая → отменена")
    assert lines[5].endswith("(клиент не ответил на запрос — решена автоматически)")


def test_user_text_in_the_history_is_escaped() -> None:
    """A rating comment is the user's text: its HTML is shown literally."""
    (line,) = _render(_line("rating comment", new="<b>{{ x }}</b>", actor="user"))
    assert "«&lt;b&gt;{{ x }}&lt;/b&gt;»" in line


def test_reasons_already_in_trails_keep_their_meaning() -> None:
    """The reasons are written exactly as before the constants existed, so events
    recorded then and now read the same."""
    assert reasons.KEYS == {
        "confirmed by the user": "confirmed",
        "not solved, says the user": "not_solved",
        "no answer from the user": "silent",
        "no answer from the customer": "no_answer_waiting",
        "resolved with its mass incident": "with_incident",
        "still not working, says the user": "still_broken",
    }
    assert reasons.sla_spent(60, 75) == "target 60 min, spent 75 min"
    assert reason_of(reasons.sla_spent(60, 75)) == reason_of("target 60 min, spent 75 min")


def test_every_reason_the_product_writes_reads_in_russian() -> None:
    """Each reason the writers take from ``bot.services.reasons`` has its own Russian
    words in /history (a new reason without them would show nothing)."""
    written = [*reasons.KEYS, reasons.sla_spent(60, 75)]
    lines = _render(*(_line("status", "resolved", "closed", reason=reason_of(w)) for w in written))
    words = [line.partition("закрыта (")[2] for line in lines]
    assert all(re.fullmatch(r"[а-яё].*\)", w) for w in words), words
    assert len(set(words)) == len(written)


def test_the_known_reasons_are_the_ones_the_product_writes() -> None:
    """The auto-close, the user's answer and the watcher write the module's reasons
    (not a copy of their text), and every reason /history knows is written by one."""
    sources = inspect.getsource(csat) + inspect.getsource(watcher) + inspect.getsource(incidents)
    for name, value in vars(reasons).items():
        if isinstance(value, str) and value in reasons.KEYS:
            assert f"reasons.{name}" in sources, name
            assert f'"{value}"' not in sources, value
    assert "reasons.sla_spent(" in sources


async def test_owners_are_named_from_the_directory(demo_uow_factory: UnitOfWorkFactory) -> None:
    """A recorded owner change (Telegram ids in the trail) reads with the staff's names."""
    service = TicketService()
    async with demo_uow_factory() as uow:
        ticket = await service.create_ticket(
            uow,
            requester_id=1001,
            subject="Не закрывается месяц",
            text="Ошибка при закрытии месяца",
            priority=Priority.HIGH,
            category=Category.INCIDENT,
        )
        first = ticket.owner_id
        other = 2002 if first == 2001 else 2001
        ticket = await service.assign(uow, ticket.number, Actor.staff(2001), other)
    async with demo_uow_factory() as uow:
        events = await history.lines(uow, ticket)
    names = {2001: "Анна Смирнова", 2002: "Борис Ким"}
    lines = _render(*events)
    assert lines[0].endswith(f"ответственный — {names[first]}")
    assert lines[-1].endswith(f"Анна Смирнова · ответственный: {names[first]} → {names[other]}")
