"""``supportdesk faq``: check, eval, import, gaps and suggest for the FAQ knowledge base.

Every ``--kb`` takes a directory of entry files or a CSV/XLSX file. Texts for
the terminal live in ``bot/cli/templates/faq_*.j2`` (plain text, no escaping).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.cli.database import add_database_option, with_database
from knowledge.analysis import Analyzer
from knowledge.base import KnowledgeBase
from knowledge.errors import KnowledgeError
from knowledge.evaluate import evaluate, read_cases
from knowledge.gaps import group_similar
from knowledge.importer import import_table
from knowledge.loader import load
from knowledge.morph import default_lemmatizer

if TYPE_CHECKING:
    from storage.database import Database

DEFAULT_KB = Path("knowledge/faq")


def register(faq: argparse.ArgumentParser) -> None:
    commands = faq.add_subparsers(dest="faq_command", metavar="COMMAND", required=True)

    check = commands.add_parser("check", help="проверить записи базы знаний")
    _kb_argument(check)
    check.set_defaults(handler=_check)

    ev = commands.add_parser("eval", help="оценить подсказки на размеченных вопросах")
    _kb_argument(ev)
    ev.add_argument("--cases", type=Path, required=True, help="CSV со столбцами query,expected")
    ev.add_argument("--json", action="store_true", help="один JSON-объект с показателями")
    ev.add_argument("--misses", action="store_true", help="показать промахи")
    _embeddings_argument(ev, default="off")
    ev.set_defaults(handler=_eval)

    imp = commands.add_parser("import", help="импорт CSV/XLSX в файлы записей")
    imp.add_argument("file", type=Path, help="CSV или XLSX: question, answer[, id, variants, tags]")
    imp.add_argument("--into", type=Path, required=True, help="каталог базы знаний")
    imp.set_defaults(handler=_import)

    gaps = commands.add_parser("gaps", help="частые запросы без хорошего ответа")
    source = gaps.add_mutually_exclusive_group()
    source.add_argument(
        "--from",
        dest="source",
        type=Path,
        default=None,
        help="файл с текстами (по одному в строке или CSV); без него — stdin",
    )
    source.add_argument(
        "--from-db",
        action="store_true",
        help="из журнала подсказок бота: запросы, на которые ответа не нашлось "
        "или он не подошёл и которые стали заявками",
    )
    gaps.add_argument("--days", type=int, default=7, help="за сколько дней (с --from-db), 7")
    gaps.add_argument("--top", type=int, default=20, help="сколько групп показать")
    add_database_option(gaps)
    gaps.set_defaults(handler=_gaps)

    suggest = commands.add_parser("suggest", help="подсказки для одного вопроса")
    _kb_argument(suggest)
    suggest.add_argument("text", nargs="+", help="текст вопроса")
    suggest.add_argument("--limit", type=int, default=3)
    _embeddings_argument(suggest, default="local")
    suggest.set_defaults(handler=_suggest)


def _kb_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--kb", type=Path, default=DEFAULT_KB, help="каталог записей или CSV/XLSX-файл"
    )


def _embeddings_argument(parser: argparse.ArgumentParser, *, default: str) -> None:
    parser.add_argument(
        "--embeddings",
        choices=("local", "off"),
        default=default,
        help="учитывать смысл (local: встроенная модель multilingual-e5-small) "
        f"или только слова (off); по умолчанию {default}",
    )


def _knowledge(args: argparse.Namespace) -> KnowledgeBase:
    """The FAQ as the command asks: words only, or with the local model's vectors
    (cached in ``.vectors`` inside the FAQ directory, as the bot keeps them)."""
    if args.embeddings == "off":
        return KnowledgeBase(args.kb)
    from knowledge.embedding import LocalE5

    vectors = args.kb / ".vectors" if args.kb.is_dir() else None
    return KnowledgeBase(args.kb, embedder=LocalE5(), vector_dir=vectors)


def _check(args: argparse.Namespace) -> int:
    try:
        result = load(args.kb)
    except KnowledgeError as exc:
        return _fail(exc)
    _print("faq_check", path=args.kb, entries=len(result.entries), problems=result.problems)
    return 1 if result.problems else 0


def _eval(args: argparse.Namespace) -> int:
    try:
        kb = _knowledge(args)
        cases, problems = read_cases(args.cases, kb.entries)
    except KnowledgeError as exc:
        return _fail(exc)
    for entry_problem in kb.problems:
        print(f"! {entry_problem}", file=sys.stderr)
    for case_problem in problems:
        print(f"! {case_problem}", file=sys.stderr)
    report = evaluate(lambda q: [(s.entry.id, s.confident) for s in kb.suggest(q, 10)], cases)
    if args.json:
        print(json.dumps(report.figures(), ensure_ascii=False))
        return 0
    misses = [o for o in report.outcomes if o.rank != 1 and (o.case.expected or any(o.confident))]
    _print(
        "faq_eval",
        kb=args.kb,
        cases=args.cases,
        r=report,
        misses=misses if args.misses else [],
        problems=[],
    )
    return 0


def _import(args: argparse.Namespace) -> int:
    try:
        result = import_table(args.file, args.into)
    except KnowledgeError as exc:
        return _fail(exc)
    _print("faq_import", written=result.written, into=args.into, problems=result.problems)
    return 1 if result.problems else 0


def _gaps(args: argparse.Namespace) -> int:
    if args.from_db:
        return with_database(args, lambda database: _gaps_from_db(args, database))
    try:
        raw = args.source.read_text(encoding="utf-8-sig") if args.source else sys.stdin.read()
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(exc)
    _print_gaps(_texts(raw, args.source), args.top, since=None)
    return 0


async def _gaps_from_db(args: argparse.Namespace, database: Database) -> int:
    since = datetime.now(UTC) - timedelta(days=max(args.days, 0))
    async with database.uow() as uow:
        texts = await uow.drafts.faq_gap_queries(since)
    _print_gaps(texts, args.top, since=since)
    return 0


def _print_gaps(texts: list[str], top: int, *, since: datetime | None) -> None:
    groups = group_similar(texts, Analyzer(default_lemmatizer()))
    _print("faq_gaps", gaps=groups[: max(top, 0)], since=since)


def _suggest(args: argparse.Namespace) -> int:
    try:
        kb = _knowledge(args)
    except KnowledgeError as exc:
        return _fail(exc)
    _print("faq_suggest", suggestions=kb.suggest(" ".join(args.text), args.limit))
    return 0


def _texts(raw: str, source: Path | None) -> list[str]:
    """One text per line, or the first column of a CSV file (header ``text`` skipped)."""
    if source is None or source.suffix.lower() != ".csv":
        return [line for line in raw.splitlines() if line.strip()]
    rows = [r for r in csv.reader(io.StringIO(raw, newline="")) if r and r[0].strip()]
    if rows and rows[0][0].strip().lower() in {"text", "текст", "query", "запрос"}:
        rows = rows[1:]
    return [r[0] for r in rows]


def _fail(exc: Exception) -> int:
    print(_render("faq_error", message=str(exc)), file=sys.stderr)
    return 2


def _print(name: str, **context: Any) -> None:
    print(_render(name, **context))


def _render(name: str, **context: Any) -> str:
    return _environment().get_template(f"{name}.j2").render(**context).rstrip()


@cache
def _environment() -> Environment:
    # Terminal output: no HTML escaping.
    return Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
