"""The domain's exception tree (drawn in ``desk/__init__.py``)."""

from __future__ import annotations


class DeskError(Exception):
    """Base of every error the domain raises on purpose."""


class IllegalTransition(DeskError):
    def __init__(self, old: str, new: str) -> None:
        super().__init__(f"illegal status transition: {old} -> {new}")
        self.old = old
        self.new = new


class NotAllowed(DeskError):
    """The actor may not do this (not staff of the team, not the ticket's user...)."""


class NotFound(DeskError):
    """Something the caller named does not exist."""


class NoOwnerAvailable(DeskError):
    """A team has nobody on shift and no duty person to fall back to."""


class ConfigError(DeskError):
    """A declarative config file is wrong; says where and why."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {reason}")
        self.file = file
        self.line = line
        self.reason = reason
