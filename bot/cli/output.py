"""What the admin commands print: Jinja2 templates in ``bot/cli/templates``.

Terminal output, not Telegram HTML: no escaping. Times are shown in the zone
the caller passes (the client's), via the ``local`` filter.
"""

from __future__ import annotations

import sys
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.services.reasons import read as read_reason


def _local(moment: datetime | None, zone: str = "Europe/Moscow") -> str:
    if moment is None:
        return "—"
    return moment.astimezone(ZoneInfo(zone)).strftime("%d.%m.%Y %H:%M")


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=False,  # plain text for a terminal
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local"] = _local
    env.filters["why"] = read_reason  # a reason the product writes, as a key templates word
    return env


def render(name: str, /, **context: Any) -> str:
    """``bot/cli/templates/<name>.j2`` rendered, without trailing blank lines."""
    return environment().get_template(f"{name}.j2").render(**context).rstrip()


def say(name: str, /, *, stream: TextIO | None = None, **context: Any) -> None:
    """Print a rendered template (to stdout unless told otherwise)."""
    print(render(name, **context), file=stream or sys.stdout)


def complain(name: str, /, **context: Any) -> None:
    """Print a rendered template to stderr."""
    say(name, stream=sys.stderr, **context)
