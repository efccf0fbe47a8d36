"""An FAQ entry and its file format.

One Markdown file per entry, UTF-8, with YAML front matter::

    ---
    id: close-month-cost
    title: Не закрывается месяц: ошибка расчёта себестоимости
    questions:
      - Не закрывается месяц, ошибка при расчете себестоимости
    tags: [закрытие месяца, себестоимость]
    products: [БП, УТ, ERP]
    category: consultation
    ---
    Answer in Telegram HTML.

``title`` is itself a question variant; ``questions``, ``tags``, ``products``
and ``category`` are optional.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from knowledge._frontmatter import read_front_matter
from knowledge._html import html_problem
from knowledge.errors import EntryError

CATEGORIES = frozenset(
    {
        "consultation", "access", "master_data", "incident",
        "integration", "bug", "enhancement", "out_of_scope",
    }
)  # fmt: skip
DEFAULT_CATEGORY = "consultation"
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
_KNOWN_KEYS = frozenset({"id", "title", "questions", "tags", "products", "category"})


@dataclass(frozen=True, slots=True)
class Entry:
    """One FAQ answer with the questions it answers."""

    id: str
    title: str
    answer: str
    questions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    category: str = DEFAULT_CATEGORY
    source: str = field(default="", compare=False)

    @property
    def variants(self) -> tuple[str, ...]:
        """The title and every question, without duplicates, title first."""
        seen: dict[str, None] = {self.title: None}
        for question in self.questions:
            seen.setdefault(question, None)
        return tuple(seen)


def validate_entry(entry: Entry) -> None:
    """Raise EntryError naming ``entry.source`` when a field is unusable."""
    source = entry.source or entry.id or "запись"
    if not ID_PATTERN.match(entry.id):
        raise EntryError(source, f"id «{entry.id}»: только a-z, 0-9, «-» и «_», до 80 символов")
    if not entry.title.strip():
        raise EntryError(source, "пустой title")
    if not entry.answer.strip():
        raise EntryError(source, "пустой ответ")
    if entry.category not in CATEGORIES:
        allowed = ", ".join(sorted(CATEGORIES))
        raise EntryError(source, f"неизвестная category «{entry.category}» (можно: {allowed})")
    problem = html_problem(entry.answer)
    if problem:
        raise EntryError(source, f"ответ: {problem}")


def parse_entry(text: str, source: str) -> Entry:
    """Parse one entry file's text; raise EntryError naming ``source`` and the reason."""
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise EntryError(source, "файл должен начинаться со строки «---» (front matter)")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise EntryError(source, "front matter не закрыт строкой «---»") from None
    try:
        meta = read_front_matter("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        raise EntryError(source, f"front matter не читается как YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise EntryError(source, "front matter должен быть словарём «ключ: значение»")
    unknown = sorted(str(key) for key in meta if key not in _KNOWN_KEYS)
    if unknown:
        raise EntryError(source, f"неизвестные ключи: {', '.join(unknown)}")
    for key in ("id", "title"):
        if not isinstance(meta.get(key), str | int) or not str(meta[key]).strip():
            raise EntryError(source, f"нет обязательного ключа «{key}»")
    entry = Entry(
        id=str(meta["id"]).strip(),
        title=str(meta["title"]).strip(),
        answer="\n".join(lines[end + 1 :]).strip(),
        questions=_string_list(meta.get("questions"), "questions", source),
        tags=_string_list(meta.get("tags"), "tags", source),
        products=_string_list(meta.get("products"), "products", source),
        category=str(meta.get("category") or DEFAULT_CATEGORY).strip(),
        source=source,
    )
    validate_entry(entry)
    return entry


def render_entry(entry: Entry) -> str:
    """The file text of ``entry``; ``parse_entry`` reads it back unchanged."""
    meta: dict[str, object] = {"id": entry.id, "title": entry.title}
    if entry.questions:
        meta["questions"] = list(entry.questions)
    if entry.tags:
        meta["tags"] = list(entry.tags)
    if entry.products:
        meta["products"] = list(entry.products)
    meta["category"] = entry.category
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{front}---\n{entry.answer.strip()}\n"


def _string_list(value: object, key: str, source: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise EntryError(source, f"«{key}» должен быть списком строк")
    items: list[str] = []
    for item in value:
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            raise EntryError(source, f"«{key}»: элемент «{item}» не строка")
        text = str(item).strip()
        if text:
            items.append(text)
    return tuple(items)
