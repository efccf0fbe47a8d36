"""The `supportdesk` command line.

The command table below names every command with its help line, so that
``supportdesk --help`` lists them without importing any.  Only the module of
the command that runs is imported: its ``register(parser)`` adds its
arguments and sets ``handler`` to a callable taking the parsed namespace and
returning an exit code.  A command module imports what it needs itself;
one that talks to Telegram (``run``, ``demo``, ``survey``) pulls in aiogram,
the others never do.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

# name -> (module, help line), in the order `supportdesk --help` lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": (
        "bot.cli.demo",
        "демо без интернета: песочница Telegram, веб-чат и бот (токен не нужен)",
    ),
    "run": ("bot.cli.run", "запустить бота (токен и база — из .env / SUPPORTDESK_*)"),
    "config": ("bot.cli.config", "декларативная конфигурация (TOML)"),
    "sla": ("bot.cli.sla", "рабочее время расписания: сроки и часы"),
    "db": ("bot.cli.db", "база данных: миграции схемы"),
    "backup": ("bot.cli.backup", "копия базы, пока бот работает (SQLite; PostgreSQL — pg_dump)"),
    "restore": ("bot.cli.restore", "восстановить базу SQLite из копии (бот остановлен)"),
    "ticket": ("bot.cli.ticket", "заявки: список и карточка"),
    "audit": ("bot.cli.audit", "журнал аудита: просмотр и проверка"),
    "faq": ("bot.cli.faq", "база знаний FAQ: проверка, оценка, импорт, пробелы"),
    "report": ("bot.cli.report", "отчёт об SLA клиента за месяц или неделю"),
    "survey": ("bot.cli.survey", "полугодовой опрос удовлетворённости клиента"),
    "invite": ("bot.cli.invite", "ссылки-приглашения клиента: для каждого его мессенджера"),
    "client": ("bot.cli.client", "новый клиент: приглашение, QR-код и памятка (client onboard)"),
    "links": ("bot.cli.links", "ссылки на страницу клиента: отзыв"),
    "web": ("bot.cli.web", "только страница клиента, отдельным процессом (настройки — из .env)"),
    "updates": ("bot.cli.updates", "входящие обновления Telegram"),
    "alert": ("bot.cli.alert", "оповещения мониторинга: отправить через API, новый ключ API"),
}

Handler = Callable[[argparse.Namespace], int]


def _chosen(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names (the first word that is not an option)."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser for ``argv``: every command listed, the chosen one's arguments loaded."""
    parser = argparse.ArgumentParser(
        prog="supportdesk",
        description="supportdesk: приём заявок 1С в Telegram (SLA, аудит, FAQ).",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = _chosen(argv)
    for name, (module, help_line) in COMMANDS.items():
        command = subparsers.add_parser(name, help=help_line, description=help_line)
        if name == chosen:
            importlib.import_module(module).register(command)
    return parser


# One BLAS thread unless the operator says otherwise: the FAQ's vector products are
# small, and idle BLAS threads spinning on a two-core server cost the bot more than
# they give (knowledge/README.md). Set before numpy is first imported.
_BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def main(argv: Sequence[str] | None = None) -> int:
    for name in _BLAS_THREADS:
        os.environ.setdefault(name, "1")
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(words)
    args = parser.parse_args(words)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except Exception as exc:  # a setting the environment gives that does not fit
        from bot.settings import settings_problems  # loaded by the command that raised

        problems = settings_problems(exc)
        if problems is None:
            raise
        from bot.cli.output import complain

        complain("settings_error", problems=problems)
        return 2


if __name__ == "__main__":
    sys.exit(main())
