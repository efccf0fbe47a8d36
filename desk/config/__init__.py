"""The declarative config file (TOML): what an admin maintains.

    load_config(path) -> DeskConfig     read and validate a file; ConfigError(file, line, reason)
    parse_config(text, source)          the same for a text
    diff(current, wanted) -> [Change]   what ``config apply`` would change (Action, describe)
    reason(name, **fields)              the one catalogue of what a refusal says (Russian)

Sections (all optional; see ``config.example.toml``): ``[schedules.NAME]``,
``[contracts.NAME]`` (with ``.watch``, ``.penalties``, ``.reports``),
``[teams.NAME]``, ``[[clients]]``, ``[[staff]]``, ``[[invites]]``.
"""

from __future__ import annotations

from desk.config._diff import KINDS, Action, Change, describe, diff
from desk.config._loader import DeskConfig, load_config, parse_config
from desk.config._messages import KIND_NAMES, reason

__all__ = [
    "KINDS",
    "KIND_NAMES",
    "Action",
    "Change",
    "DeskConfig",
    "describe",
    "diff",
    "load_config",
    "parse_config",
    "reason",
]
