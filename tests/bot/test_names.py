"""People's names in the genitive («была у Бориса Кима»), and the fallback where unsure."""

from __future__ import annotations

import pytest

from bot import texts
from bot.names import genitive, inflect


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Борис Ким", "Бориса Кима"),
        ("Анна Смирнова", "Анны Смирновой"),
        ("Олег", "Олега"),
        ("Мария", "Марии"),
        ("Жанна Ли", "Жанны Ли"),
        ("Жанна Ким", "Жанны Ким"),  # a woman's surname in -м does not change
        ("Оксана Шевченко", "Оксаны Шевченко"),
        ("Мария Ивановна Петрова", "Марии Ивановны Петровой"),
        ("Никита Кузнецов", "Никиты Кузнецова"),  # a man's name in -а
        ("Джон Смит", "Джона Смита"),
        ("Жанна Мюллер", "Жанны Мюллер"),
        ("Анна-Мария Смирнова", "Анны-Марии Смирновой"),
    ],
)
def test_names_of_both_genders_and_foreign_ones_take_the_genitive(name: str, expected: str) -> None:
    """Men's and women's names, Russian and foreign, indeclinable ones kept as they are."""
    assert inflect(name, "gent") == expected


@pytest.mark.parametrize(
    "name",
    ["Женя Ким", "Саша Белый", "Олег Волк", "boris", "Борис (2 линия)", "", "Борис Ким Ли Цой"],
)
def test_an_unsure_name_is_not_inflected(name: str) -> None:
    """A name of unclear gender, a surname that is also a common word, a nickname or
    anything else pymorphy3 does not know as a name is left to the fallback wording."""
    assert inflect(name, "gent") is None
    assert genitive(name) == ""


def test_the_template_filter_gives_the_fallback_where_unsure() -> None:
    """``|genitive`` inflects a known name and gives "" for an unsure one."""
    env = texts.environment()
    template = env.from_string(
        "{% set g = name|genitive %}{% if g %}была у {{ g }}{% else %}"
        "предыдущий ответственный: {{ name }}{% endif %}"
    )
    assert template.render(name="Борис Ким") == "была у Бориса Кима"
    assert template.render(name="Саша Белый") == "предыдущий ответственный: Саша Белый"
