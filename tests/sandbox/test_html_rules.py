"""The sandbox reads parse_mode=HTML by Telegram's rules, row by row of the shared table."""

from __future__ import annotations

import pytest

from sandbox._errors import BadRequest
from sandbox._html_text import parse_html
from tests.html_conformance import CASES, Case


@pytest.mark.parametrize("case", CASES, ids=[case.markup for case in CASES])
def test_markup_is_accepted_and_read_as_telegram_documents(case: Case) -> None:
    """Accepted markup gives the table's plain text; refused markup is a 400."""
    if case.accepted:
        text, _ = parse_html(case.markup)
        assert text == case.text
    else:
        with pytest.raises(BadRequest) as caught:
            parse_html(case.markup)
        assert caught.value.description.startswith("Bad Request: can't parse entities: ")
