"""The contract's SLA basis: read from ``[contracts.NAME.sla] measure``, kept through
JSON, and which of a ticket's priorities it picks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from desk.config import parse_config
from desk.enums import Category, Priority, Status
from desk.errors import ConfigError
from desk.model import Ticket
from desk.sla import measured_priority
from desk.terms import ContractTerms, SlaBasis, terms_from_json, terms_to_json
from tests.desk.test_config_terms import BASE


def test_the_default_basis_is_the_highest_priority() -> None:
    config = parse_config(BASE.format(extra="", client=""))
    assert config.terms["standard"].sla_basis is SlaBasis.PEAK


@pytest.mark.parametrize("measure", ["peak", "initial", "final"])
def test_a_contract_states_its_basis_and_it_survives_json(measure: str) -> None:
    extra = f'[contracts.standard.sla]\nmeasure = "{measure}"\n'
    terms = parse_config(BASE.format(extra=extra, client="")).terms["standard"]
    assert terms.sla_basis is SlaBasis(measure)
    assert terms_from_json(terms_to_json(terms)) == terms


def test_terms_stored_before_the_basis_existed_read_as_peak() -> None:
    stored = terms_to_json(ContractTerms())
    del stored["sla"]
    assert terms_from_json(stored).sla_basis is SlaBasis.PEAK


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ('[contracts.standard.sla]\nmeasure = "highest"\n', "неизвестная основа SLA «highest»"),
        ('[contracts.standard.sla]\nbasis = "peak"\n', "basis"),
    ],
)
def test_a_wrong_basis_is_refused_with_the_reason(extra: str, words: str) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_config(BASE.format(extra=extra, client=""))
    assert words in str(refused.value)


def test_each_basis_picks_its_priority_of_a_p3_raised_to_p1_then_lowered_to_p2() -> None:
    ticket = Ticket(
        id=1, number="ROGA-1", client_code="ROGA", requester_id=1, subject="s", text="t",
        priority=Priority.HIGH, category=Category.INCIDENT, status=Status.NEW,
        owner_id=2, created_at=datetime(2026, 11, 10, tzinfo=UTC),
        initial_priority=Priority.MEDIUM, peak_priority=Priority.CRITICAL,
    )  # fmt: skip
    assert measured_priority(ticket, SlaBasis.PEAK) is Priority.CRITICAL
    assert measured_priority(ticket, SlaBasis.INITIAL) is Priority.MEDIUM
    assert measured_priority(ticket, SlaBasis.FINAL) is Priority.HIGH
    assert ticket.lowered
    old = replace(ticket, initial_priority=None, peak_priority=None)  # a row from before
    assert {measured_priority(old, b) for b in SlaBasis} == {Priority.HIGH}
    assert not old.lowered
