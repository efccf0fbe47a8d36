"""The fast front-matter reader gives exactly what YAML gives."""

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from knowledge._frontmatter import read_front_matter

# The loader entry loading falls back to (PyYAML's pure-Python and C loaders differ on a few
# malformed inputs, such as a colon at the end of a flow item).
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SAMPLES = [
    "id: a\ntitle: Простой заголовок\n",
    'id: a\ntitle: "Месяц: ошибка"\nquestions:\n  - Первый\n  - "Второй: с двоеточием"\n',
    "id: a\ntags: [закрытие месяца, себестоимость]\nproducts: []\n",
    "id: a\nquestions:\n",
    "id: 123\ntitle: yes\n",
    "id: a\ntitle: заголовок # комментарий\n",
    "id: a\ntitle: 'It''s'\n",
    "id: a\ntitle: многострочный\n  заголовок\n",
    "id: a\nquestions:\n- без отступа\n",
    'id: a\ntags: ["a, b", c]\n',
    "id: a\ntitle: - дефис\n",
    "id: a\nid: b\n",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_same_as_yaml_on_samples(text: str) -> None:
    """Quoted values, flow and block lists, comments, numbers and bools read as YAML reads them."""
    try:
        expected = yaml.load(text, Loader=LOADER)
    except yaml.YAMLError:
        with pytest.raises(yaml.YAMLError):
            read_front_matter(text)
        return
    assert read_front_matter(text) == expected


_WORDS = st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяABCxyz019 .,:-'\"#[]", max_size=20)


@given(
    title=_WORDS,
    questions=st.lists(_WORDS, max_size=3),
    tags=st.lists(_WORDS, max_size=3),
)
def test_same_as_yaml_on_generated_entries(
    title: str, questions: list[str], tags: list[str]
) -> None:
    """Whatever the characters, the fast path never disagrees with YAML."""
    text = f"id: x\ntitle: {title}\nquestions:\n" + "".join(f"  - {q}\n" for q in questions)
    text += f"tags: [{', '.join(tags)}]\n"
    try:
        expected = yaml.load(text, Loader=LOADER)
    except yaml.YAMLError:
        with pytest.raises(yaml.YAMLError):
            read_front_matter(text)
        return
    assert read_front_matter(text) == expected
