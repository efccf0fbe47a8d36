import pytest

from knowledge.entry import Entry, parse_entry, render_entry
from knowledge.errors import EntryError

GOOD = """---
id: close-month-cost
title: "Не закрывается месяц: ошибка расчёта себестоимости"
questions:
  - Не закрывается месяц, ошибка при расчете себестоимости
  - При закрытии месяца ошибка себестоимость
tags: [закрытие месяца, себестоимость]
products: [БП, УТ, ERP]
category: consultation
---
<b>Что проверить</b>
Откройте <a href="https://its.1c.ru">ИТС</a>.
"""


def test_entry_file_is_parsed() -> None:
    """Every front-matter field and the answer body are read."""
    entry = parse_entry(GOOD, "close.md")
    assert entry.id == "close-month-cost"
    assert entry.title.startswith("Не закрывается месяц")
    assert len(entry.questions) == 2
    assert entry.products == ("БП", "УТ", "ERP")
    assert entry.answer.startswith("<b>Что проверить</b>")
    assert entry.variants[0] == entry.title


def test_rendered_entry_reads_back_the_same() -> None:
    """What save_entry/import write is what loading reads."""
    entry = parse_entry(GOOD, "close.md")
    assert parse_entry(render_entry(entry), "again.md") == entry


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("id: x\n---\nответ", "начинаться со строки «---»"),
        ("---\nid: x\ntitle: t\nответ", "не закрыт"),
        ("---\nid: [x\ntitle: t\n---\nответ", "YAML"),
        ("---\n- a\n- b\n---\nответ", "словарём"),
        ("---\ntitle: t\n---\nответ", "нет обязательного ключа «id»"),
        ("---\nid: x\n---\nответ", "нет обязательного ключа «title»"),
        ("---\nid: X Y\ntitle: t\n---\nответ", "id «X Y»"),
        ("---\nid: x\ntitle: t\n---\n", "пустой ответ"),
        ("---\nid: x\ntitle: t\ncategory: misc\n---\nответ", "неизвестная category"),
        ("---\nid: x\ntitle: t\nauthor: me\n---\nответ", "неизвестные ключи: author"),
        ("---\nid: x\ntitle: t\nquestions: {a: 1}\n---\nответ", "списком строк"),
        ("---\nid: x\ntitle: t\n---\n<h1>Ответ</h1>", "<h1> не поддерживается"),
        ("---\nid: x\ntitle: t\n---\n<b>Ответ", "<b> не закрыт"),
        ("---\nid: x\ntitle: t\n---\nОтвет</i>", "</i> без открывающего"),
        ("---\nid: x\ntitle: t\n---\n<b><i>Ответ</b></i>", "</b> без открывающего"),
        ("---\nid: x\ntitle: t\n---\nAT&T", "«&»"),
        ("---\nid: x\ntitle: t\n---\n<a>ссылка</a>", "href"),
        ("---\nid: x\ntitle: t\n---\n1 < 2", "«<»"),
    ],
)
def test_broken_entry_is_refused_with_file_and_reason(text: str, reason: str) -> None:
    """Each kind of broken file gives an error naming the file and what is wrong."""
    with pytest.raises(EntryError) as caught:
        parse_entry(text, "faq/broken.md")
    assert caught.value.source == "faq/broken.md"
    assert reason in caught.value.reason
    assert "faq/broken.md" in str(caught.value)


def test_entities_and_allowed_tags_pass() -> None:
    """Escaped characters and every Telegram tag are accepted."""
    body = "<b>a</b> <i>b</i> <u>c</u> <s>d</s> <code>1 &lt; 2</code> <pre>x</pre>"
    body += ' <blockquote>q</blockquote> <a href="https://x">y</a> &amp; 3 > 2'
    entry = parse_entry(f"---\nid: x\ntitle: t\n---\n{body}", "ok.md")
    assert entry.answer == body


def test_variants_drop_duplicates_of_the_title() -> None:
    """A question equal to the title is not indexed twice."""
    entry = Entry(id="a", title="Вопрос", answer="ответ", questions=("Вопрос", "Другой"))
    assert entry.variants == ("Вопрос", "Другой")
