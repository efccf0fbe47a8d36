"""FAQ answers are held to Telegram's HTML rules, row by row of the shared table."""

from __future__ import annotations

import pytest

from knowledge._html import html_problem, read_html
from tests.html_conformance import CASES, Case


@pytest.mark.parametrize("case", CASES, ids=[case.markup for case in CASES])
def test_an_answer_is_accepted_and_read_as_telegram_documents(case: Case) -> None:
    """Accepted markup gives the table's plain text; refused markup gives a reason."""
    reading = read_html(case.markup)
    if case.accepted:
        assert reading.problem is None
        assert reading.text == case.text
    else:
        assert reading.problem
        assert html_problem(case.markup) == reading.problem


@pytest.mark.parametrize(
    ("markup", "reason"),
    [
        ("ООО «Рога & Копыта»", "символ «&» вне сущности: пишите &amp;"),
        ("цена&nbsp;100", "сущность «&nbsp;» Telegram не знает"),
        ("&#0;", "«&#0;» не задаёт символ"),
        ("<span>x</span>", '<span class="tg-spoiler">'),
        ('<b class="x">y</b>', "у тега <b> не бывает атрибута «class»"),
        ('<code class="language-bsl">x</code>', '<pre><code class="language-…">'),
        ('<tg-time unix="1" format="x">y</tg-time>', "формат «x»"),
    ],
)
def test_a_refusal_tells_the_author_what_to_write(markup: str, reason: str) -> None:
    """The reason names the character, entity, tag or attribute to change."""
    assert reason in (html_problem(markup) or "")
