"""The catalogue's pure rules: reading answers, the subject, which type a message asks
for, who may approve and when an approval is decided, the resolution clock at approval."""

from __future__ import annotations

from datetime import UTC, date, datetime

from desk.catalogue import (
    Approval,
    Catalogue,
    ClientPeople,
    FieldKind,
    FormField,
    Person,
    Refusal,
    RequestType,
    Verdict,
    asked_first,
    attachment_answer,
    build_subject,
    form_text,
    initials,
    match_type,
    may_decide,
    read_answer,
    start_resolution,
    verdict,
)
from desk.clock import clock_of
from desk.enums import Category
from desk.model import ScheduleSpec, SlaState, TimeRange
from desk.sla import spent

TODAY = date(2027, 3, 10)
WHO = FormField("who", "Кому", "Кому?")
BASE = FormField("base", "База", "База?", FieldKind.CHOICE, options=("БП", "ЗУП"))
FROM = FormField("from", "С", "С какой даты?", FieldKind.DATE)
UNTIL = FormField("until", "По", "По какую?", FieldKind.DATE, required=False, after="from")
ACCESS = RequestType(
    "access",
    "Доступ и права",
    Category.ACCESS,
    fields=(WHO, BASE, FROM, UNTIL),
    approval=Approval.ANY,
    subject="Доступ: {who:initials} — {base}, с {from}",
    match=("заведите пользователя", "добавьте права"),
)
STORE = RequestType(
    "master_data",
    "Изменение НСИ",
    Category.MASTER_DATA,
    fields=(FormField("what", "Что", "Что?"),),
    match=("новый склад",),
)
FREE = RequestType("incident", "Ошибка", Category.INCIDENT, match=("ошибка",))
CATALOGUE = Catalogue((ACCESS, STORE, FREE))


def test_dates_are_read_in_the_ways_people_write_them() -> None:
    for typed in ("15.03.2027", "15.03.27", "15.03", "2027-03-15", "15/03/2027"):
        assert read_answer(FROM, typed, {}, TODAY) == "2027-03-15", typed
    assert read_answer(FROM, "завтра", {}, TODAY) == "2027-03-11"
    assert read_answer(FROM, "31.02.2027", {}, TODAY) == Refusal("bad_date")
    assert read_answer(FROM, "скоро", {}, TODAY) == Refusal("bad_date")


def test_an_end_date_before_the_start_is_refused_naming_the_start() -> None:
    answers = {"from": "2027-03-15"}
    assert read_answer(UNTIL, "14.03.2027", answers, TODAY) == Refusal("date_before", "from")
    assert read_answer(UNTIL, "15.03.2027", answers, TODAY) == "2027-03-15"


def test_a_choice_takes_an_option_in_any_case_and_other_text_only_when_allowed() -> None:
    assert read_answer(BASE, "бп", {}, TODAY) == "БП"
    assert read_answer(BASE, "Розница", {}, TODAY) == Refusal("bad_choice")
    other = FormField("base", "База", "База?", FieldKind.CHOICE, options=("БП",), other=True)
    assert read_answer(other, "Розница", {}, TODAY) == "Розница"


def test_empty_long_numeric_and_yes_no_answers() -> None:
    assert read_answer(WHO, "   ", {}, TODAY) == Refusal("required")
    assert read_answer(WHO, "я" * 501, {}, TODAY) == Refusal("too_long")
    number = FormField("n", "Сколько", "Сколько?", FieldKind.NUMBER)
    assert read_answer(number, "12,5", {}, TODAY) == "12.5"
    assert read_answer(number, "двенадцать", {}, TODAY) == Refusal("bad_number")
    yes_no = FormField("ok", "Срочно", "Срочно?", FieldKind.YESNO)
    assert read_answer(yes_no, "Да", {}, TODAY) == "да"
    assert read_answer(yes_no, "может быть", {}, TODAY) == Refusal("bad_yesno")


def test_an_attachment_is_a_document_or_a_photo() -> None:
    file = FormField("file", "Файл", "Файл?", FieldKind.ATTACHMENT)
    assert read_answer(file, "вот", {}, TODAY) == Refusal("need_file")
    media = [{"kind": "document", "file_id": "F1", "name": "цены.xlsx"}]
    assert attachment_answer(media, 1001, 7) == {
        "kind": "document",
        "file_id": "F1",
        "name": "цены.xlsx",
        "chat_id": 1001,
        "message_id": 7,
    }
    assert attachment_answer([{"kind": "voice", "file_id": "V"}], 1001, 8) == Refusal("need_file")


def test_the_subject_is_built_from_the_answers() -> None:
    answers = {"who": "Иванова Анна Сергеевна", "base": "БП", "from": "2027-03-15"}
    assert build_subject(ACCESS, answers) == "Доступ: Иванова А. С. — БП, с 15.03.2027"
    assert initials("Иванова") == "Иванова"
    assert build_subject(STORE, {"what": "склад"}) == "Изменение НСИ"  # no pattern: the title


def test_the_ticket_text_lists_the_answers_then_the_first_message() -> None:
    answers = {"who": "Иванова Анна", "base": "БП", "from": "2027-03-15", "until": None}
    text = form_text(ACCESS, answers, "заведите пользователя")
    assert text == "Кому: Иванова Анна\nБаза: БП\nС: 15.03.2027\nПо: —\n\nзаведите пользователя"


def test_a_first_message_matches_one_type_with_a_form() -> None:
    assert match_type("Заведите, пожалуйста, пользователя Петрову", CATALOGUE) is ACCESS
    assert match_type("добавить права кассиру", CATALOGUE) is ACCESS
    assert match_type("Нужен новый склад в УТ", CATALOGUE) is STORE
    assert match_type("Нужно добавить пользователя Иванову в базу", CATALOGUE) is None
    assert match_type("ошибка при проведении", CATALOGUE) is None  # no form: the free path
    both = "заведите пользователя и новый склад"
    assert match_type(both, CATALOGUE) is None  # two types: not a clear match


PEOPLE = ClientPeople((Person(5002, "Олег"), Person(5003, "Ирина")), (("access", (5002, 5003)),))
MANAGERS = (5001,)


def test_only_the_clients_approvers_and_managers_decide_never_the_requester() -> None:
    assert may_decide(5002, "access", PEOPLE, MANAGERS, requester=1001)
    assert may_decide(5001, "access", PEOPLE, MANAGERS, requester=1001)
    assert not may_decide(9999, "access", PEOPLE, MANAGERS, requester=1001)  # someone else
    assert not may_decide(5002, "access", PEOPLE, MANAGERS, requester=5002)  # their own
    assert not may_decide(5002, "master_data", PEOPLE, (), requester=1001)  # not for that type


def test_the_request_goes_to_the_approvers_else_the_managers_never_to_the_requester() -> None:
    assert asked_first("access", PEOPLE, MANAGERS, 1001) == (5002, 5003)
    assert asked_first("access", PEOPLE, MANAGERS, 5002) == (5003,)
    only = ClientPeople((Person(5002, "Олег"),), (("access", (5002,)),))
    assert asked_first("access", only, MANAGERS, 5002) == (5001,)


def test_any_needs_one_approval_all_needs_everyone_a_refusal_ends_it() -> None:
    asked = (5002, 5003)
    assert (
        verdict(Approval.ANY, asked, MANAGERS, frozenset({5002}), frozenset()) is Verdict.APPROVED
    )
    assert verdict(Approval.ALL, asked, MANAGERS, frozenset({5002}), frozenset()) is None
    both = frozenset({5002, 5003})
    assert verdict(Approval.ALL, asked, MANAGERS, both, frozenset()) is Verdict.APPROVED
    assert (
        verdict(Approval.ALL, asked, MANAGERS, frozenset({5001}), frozenset()) is Verdict.APPROVED
    )
    refused = verdict(Approval.ALL, asked, MANAGERS, frozenset({5002}), frozenset({5003}))
    assert refused is Verdict.REFUSED


def test_the_resolution_clock_starts_at_the_design_approval() -> None:
    clock = clock_of(ScheduleSpec("office", hours=TimeRange(540, 1080), calendar=None))
    started = datetime(2027, 3, 8, 9, 0, tzinfo=clock.tz).astimezone(UTC)
    state = SlaState(None, None, started_at=started, reaction_target=480)
    approved = datetime(2027, 3, 10, 9, 0, tzinfo=clock.tz).astimezone(UTC)
    after = start_resolution(state, approved, 9 * 60, clock)
    assert after.reacted_at == approved  # the design was the answer
    assert after.resolution_target == 540
    assert after.resolution_due == datetime(2027, 3, 10, 18, 0, tzinfo=clock.tz).astimezone(UTC)
    assert spent(after, approved, clock) == 0
