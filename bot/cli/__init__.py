"""The `supportdesk` command line.

Each command group lives in its own module with a ``register(subparsers)``
function that adds its parser and sets ``handler`` to a callable taking the
parsed namespace and returning an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

# Command-group modules, in the order `supportdesk --help` lists them.
COMMAND_MODULES = (
    "bot.cli.demo",
    "bot.cli.run",
    "bot.cli.config",
    "bot.cli.sla",
    "bot.cli.db",
    "bot.cli.ticket",
    "bot.cli.audit",
    "bot.cli.faq",
    "bot.cli.report",
    "bot.cli.survey",
    "bot.cli.links",
    "bot.cli.web",
    "bot.cli.updates",
)

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="supportdesk",
        description="supportdesk: приём заявок 1С в Telegram (SLA, аудит, FAQ).",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # the command group has not been written yet
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
