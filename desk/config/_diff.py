"""What ``config apply`` would change: the difference between two ``DeskConfig``s."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from desk.config._loader import DeskConfig
from desk.terms import ContractTerms, terms_to_json


class Action(StrEnum):
    ADD = "add"
    CHANGE = "change"
    REMOVE = "remove"


# Sections in the order their rows may be written (each refers only to earlier ones);
# removals go in the reverse order. "terms" are a contract's operating terms (keyed by
# the contract), "managers" a client's managers (keyed by the client code).
# "alert_keys" are a client's monitoring API keys (keyed by the client code),
# "catalogue" a contract's request types, "people" a client's people and approvers.
KINDS = (
    "schedule", "contract", "terms", "catalogue", "team", "client", "managers", "people",
    "alert_keys", "staff", "invite",
)  # fmt: skip


@dataclass(frozen=True)
class Change:
    kind: str  # one of KINDS
    key: str
    action: Action
    old: Any  # the desk.model object before (None when added); terms: ContractTerms,
    new: Any  # ... and after (None when removed); managers: a sorted tuple of ids


def _section(config: DeskConfig, kind: str) -> dict[Any, Any]:
    sections: dict[str, dict[Any, Any]] = {
        "schedule": config.schedules,
        "contract": config.contracts,
        "team": config.teams,
        "client": config.clients,
        "staff": config.staff,
        "invite": config.invites,
        "terms": config.terms,
        # a client without managers has no entry (nothing to store)
        "managers": {k: tuple(sorted(set(v))) for k, v in config.managers.items() if v},
        "alert_keys": {k: v for k, v in config.alert_keys.items() if v},
        # a contract without types, a client without people: nothing to store
        "catalogue": {k: v for k, v in config.catalogues.items() if v.types},
        "people": {k: v for k, v in config.people.items() if v.people or v.approvers},
    }
    return sections[kind]


def diff(current: DeskConfig, wanted: DeskConfig) -> list[Change]:
    """Changes that turn ``current`` into ``wanted``: adds and changes first (in
    ``KINDS`` order), then removals (in reverse). A staff member kept inactive
    (they own tickets) counts as already removed."""
    writes: list[Change] = []
    removals: list[Change] = []
    for kind in KINDS:
        old, new = _section(current, kind), _section(wanted, kind)
        for key in sorted(new, key=str):
            if key not in old:
                writes.append(Change(kind, str(key), Action.ADD, None, new[key]))
            elif old[key] != new[key]:
                writes.append(Change(kind, str(key), Action.CHANGE, old[key], new[key]))
        for key in sorted(old, key=str):
            if key not in new and not (kind == "staff" and not old[key].active):
                removals.append(Change(kind, str(key), Action.REMOVE, old[key], None))
    removals.sort(key=lambda c: -KINDS.index(c.kind))
    return writes + removals


def describe(value: Any) -> str | None:
    """A config object as canonical JSON (what the audit trail keeps)."""
    if value is None:
        return None
    if isinstance(value, ContractTerms):
        data: Any = terms_to_json(value)
    elif isinstance(value, tuple):
        data = [v if isinstance(v, int) else asdict(v) for v in value]  # ids or AlertKeys
    else:
        data = asdict(value)
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
