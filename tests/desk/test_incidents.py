"""The pure rules of mass incidents: what an outage is, which incident a request reports
on, when merging is proposed, when a report line is posted, ``/mass`` for many clients."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desk.alerts import is_system_user, system_user_id
from desk.config import parse_config
from desk.errors import ConfigError
from desk.incidents import (
    LINE_EVERY,
    LINE_GATHER,
    SIMILAR,
    BadWide,
    Candidate,
    IncidentRules,
    Recent,
    contractor_user_id,
    fits,
    is_outage,
    line_due,
    parse_wide,
    pick,
    propose,
)
from desk.terms import terms_from_json, terms_to_json

NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "Не запускается 1С",
        "упала база",
        "База легла, никто не может работать",
        "1с не работает у всех!",
        "Не могу зайти в 1С с утра",
        "нет доступа к серверу",
        "Программа висит, ничего не нажимается",
        "всё зависло",
        "Ничего не работает",
        "Терминальный сервер недоступен",
    ],
)
def test_outages_are_recognised(text: str) -> None:
    assert is_outage(text)


@pytest.mark.parametrize(
    "text",
    [
        "Принтер не печатает",
        "Не проводится реализация товаров",
        "Как загрузить выписку из банка?",
        "Добавьте колонку в отчёт",
        "Не работает печать накладной",
        "1С тормозит при проведении",
        "",
    ],
)
def test_other_problems_are_not_outages(text: str) -> None:
    assert not is_outage(text)


def _c(
    ticket_id: int, *, declared: bool = True, outage: bool = False, sim: float = 0.0
) -> Candidate:
    return Candidate(ticket_id, declared, outage, sim)


def test_a_declared_incident_takes_alike_texts_and_outages_when_it_is_one() -> None:
    assert fits(_c(1, sim=SIMILAR), outage=False)
    assert not fits(_c(1, sim=SIMILAR - 0.1), outage=False)
    assert fits(_c(1, outage=True, sim=10), outage=True)
    # an outage does not join an incident that is not one (ЕГАИС is down, 1С is not)
    assert not fits(_c(1, outage=False, sim=40), outage=True)


def test_an_undeclared_ticket_takes_only_a_second_outage() -> None:
    assert fits(_c(1, declared=False, outage=True), outage=True)
    assert not fits(_c(1, declared=False, outage=True, sim=99), outage=False)
    assert not fits(_c(1, declared=False, outage=False, sim=99), outage=True)


def test_pick_prefers_declared_then_alike_then_oldest() -> None:
    outage_ticket = _c(1, declared=False, outage=True)
    declared = _c(5, outage=True, sim=30)
    assert pick([outage_ticket, declared], outage=True) == declared
    alike = _c(7, sim=90)
    assert pick([declared, alike], outage=True) == alike
    assert pick([_c(9, sim=80), _c(3, sim=80)], outage=False) == _c(3, sim=80)
    assert pick([_c(2, sim=10)], outage=False) is None
    assert pick([], outage=True) is None


def _recent(*ids_minutes_ago: tuple[int, int]) -> list[Recent]:
    return [Recent(i, NOW - timedelta(minutes=m)) for i, m in ids_minutes_ago]


def test_three_alike_requests_in_the_window_are_proposed_from_the_first() -> None:
    rules = IncidentRules(propose_after=3, propose_within_minutes=15)
    alike_pairs = {frozenset(p) for p in ((1, 2), (1, 4), (2, 4))}

    def alike(a: int, b: int) -> bool:
        return frozenset((a, b)) in alike_pairs

    recent = _recent((4, 1), (2, 10), (1, 12), (3, 5))
    assert propose(recent, alike, rules, NOW) == [1, 2, 4]
    # one of them older than the window: two are not enough
    assert propose(_recent((4, 1), (2, 10), (1, 16)), alike, rules, NOW) is None
    # proposed once: never again
    assert propose(recent, alike, rules, NOW, taken=frozenset({1, 2, 4})) is None
    # a lower bar from the contract
    two = IncidentRules(propose_after=2, propose_within_minutes=15)
    assert propose(_recent((2, 10), (1, 12)), alike, two, NOW) == [1, 2]


def test_a_line_waits_for_the_burst_and_one_a_minute() -> None:
    assert not line_due(NOW, None, NOW + LINE_GATHER - timedelta(seconds=1))
    assert line_due(NOW, None, NOW + LINE_GATHER)
    last = NOW - LINE_EVERY + timedelta(seconds=10)
    assert not line_due(NOW - timedelta(minutes=5), last, NOW)
    assert line_due(NOW - timedelta(minutes=5), NOW - LINE_EVERY, NOW)


def test_mass_for_several_clients_names_them_then_the_problem() -> None:
    codes = ["DEMO", "URAL", "VOST"]
    assert parse_wide("DEMO URAL: Не работает ЕГАИС", codes) == (
        ["DEMO", "URAL"],
        "Не работает ЕГАИС",
    )
    assert parse_wide("demo, ural — УТМ не отвечает", codes) == (
        ["DEMO", "URAL"],
        "УТМ не отвечает",
    )
    assert parse_wide("все: Оператор ЭДО недоступен", codes) == (codes, "Оператор ЭДО недоступен")
    # a code of another team's client is not one of ``codes``: it starts the text
    assert parse_wide("DEMO ROGA упал", codes) == (["DEMO"], "ROGA упал")
    for bad in ("", "DEMO URAL", "Не работает ЕГАИС", "all"):
        with pytest.raises(BadWide):
            parse_wide(bad, codes)


def test_contractor_requesters_have_no_chat_and_differ_from_monitoring() -> None:
    for code in ("DEMO", "URAL", "Я1"):
        user = contractor_user_id(code)
        assert is_system_user(user)
        assert user >= -(2**63)
        assert user != system_user_id(code)
    assert contractor_user_id("DEMO") != contractor_user_id("URAL")


CONFIG = """\
[schedules.office]
hours = "09:00-18:00"

[contracts.standard]
schedule = "office"
{extra}

[teams.t]
chat_id = -100

[[clients]]
code = "ROGA"
name = "Рога"
contract = "standard"
team = "t"
"""


def test_the_contract_sets_when_merging_is_proposed_and_refuses_nonsense() -> None:
    plain = parse_config(CONFIG.format(extra=""))
    assert plain.terms["standard"].incidents == IncidentRules(3, 15)
    rules = "[contracts.standard.incidents]\npropose_after = 5\npropose_within = '1h'"
    terms = parse_config(CONFIG.format(extra=rules)).terms["standard"]
    assert terms.incidents == IncidentRules(5, 60)
    assert terms_from_json(terms_to_json(terms)) == terms
    stored_before = terms_to_json(terms)
    del stored_before["incidents"]
    assert terms_from_json(stored_before).incidents == IncidentRules()
    for bad in ("propose_after = 1", "propose_after = true", "propose_within = 'soon'", "x = 1"):
        with pytest.raises(ConfigError):
            parse_config(CONFIG.format(extra=f"[contracts.standard.incidents]\n{bad}"))
