"""Operating terms of a contract: the SLA basis, SLA alerts, penalties, report
schedule, monitoring alerts, mass incidents; and the client managers of a client company.

The config states them next to the contract (``[contracts.NAME.sla]``,
``[contracts.NAME.watch]``, ``[contracts.NAME.penalties]``,
``[contracts.NAME.reports]``, ``[contracts.NAME.alerts]``,
``[contracts.NAME.incidents]``) and the client
(``managers = [telegram ids]``); ``desk.config`` reads them.  Defaults
are what a contract without these tables gets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from desk.alerts import AlertRules, OnResolved, Severity
from desk.enums import Priority
from desk.incidents import IncidentRules


class SlaBasis(StrEnum):
    """Which of a ticket's priorities its SLA is measured against.

    ``PEAK``: the highest it ever had (a P1 lowered to P2 stays measured as P1,
    as clients expect); ``INITIAL``: the one at registration; ``FINAL``: the
    one it has now (every change moves the due times).
    """

    PEAK = "peak"
    INITIAL = "initial"
    FINAL = "final"


@dataclass(frozen=True)
class WatchRules:
    """When the SLA watcher speaks.

    ``warn_share``: warn when this share of a target's business time is used.
    ``remind_after_minutes``: remind a user the ticket waits for them after this
    many business minutes of waiting (None: never).  ``resolve_after_minutes``:
    resolve a ticket still waiting after this many (None: never).
    """

    warn_share: float = 0.75
    remind_after_minutes: int | None = 480
    resolve_after_minutes: int | None = 3 * 480


def _default_percents() -> dict[Priority, float]:
    return {
        Priority.CRITICAL: 5.0,
        Priority.HIGH: 3.0,
        Priority.MEDIUM: 1.0,
        Priority.LOW: 0.5,
        Priority.BACKGROUND: 0.0,
    }


@dataclass(frozen=True)
class PenaltyRules:
    """A deduction from the monthly fee for each breached target.

    ``percent_per_breach``: percent of the fee per breach, by priority (a ticket
    that misses both reaction and resolution counts twice).  ``cap_percent``:
    the total never exceeds this share of the fee.  Satisfaction: when the
    period's CSAT average is at least ``csat_relief_from`` the deductions are cut
    by ``csat_relief_percent`` percent; below ``csat_extra_below`` the fee loses
    ``csat_extra_percent`` more (still within the cap).
    """

    monthly_fee: float = 0.0
    percent_per_breach: dict[Priority, float] = field(default_factory=_default_percents)
    cap_percent: float = 15.0
    csat_relief_from: float | None = None
    csat_relief_percent: float = 0.0
    csat_extra_below: float | None = None
    csat_extra_percent: float = 0.0


@dataclass(frozen=True)
class ReportSchedule:
    """Which reports go out by themselves, and to whom."""

    weekly: bool = False
    monthly: bool = True
    to_managers: bool = True  # the client managers' private chats
    to_lead: bool = True  # the team's lead chat
    format: str = "html"  # html | xlsx


@dataclass(frozen=True)
class ContractTerms:
    watch: WatchRules = WatchRules()
    penalties: PenaltyRules | None = None
    reports: ReportSchedule = ReportSchedule()
    sla_basis: SlaBasis = SlaBasis.PEAK
    alerts: AlertRules = field(default_factory=AlertRules)
    incidents: IncidentRules = field(default_factory=IncidentRules)


def terms_to_json(terms: ContractTerms) -> dict[str, Any]:
    """A JSON-safe dict (priorities as "P1".."P5") that ``terms_from_json`` reads back."""
    penalties = None
    if terms.penalties is not None:
        p = terms.penalties
        penalties = {
            "monthly_fee": p.monthly_fee,
            "percent_per_breach": {f"P{int(k)}": v for k, v in p.percent_per_breach.items()},
            "cap_percent": p.cap_percent,
            "csat_relief_from": p.csat_relief_from,
            "csat_relief_percent": p.csat_relief_percent,
            "csat_extra_below": p.csat_extra_below,
            "csat_extra_percent": p.csat_extra_percent,
        }
    w, r = terms.watch, terms.reports
    return {
        "watch": {
            "warn_share": w.warn_share,
            "remind_after_minutes": w.remind_after_minutes,
            "resolve_after_minutes": w.resolve_after_minutes,
        },
        "penalties": penalties,
        "reports": {
            "weekly": r.weekly,
            "monthly": r.monthly,
            "to_managers": r.to_managers,
            "to_lead": r.to_lead,
            "format": r.format,
        },
        "sla": {"measure": terms.sla_basis.value},
        "alerts": _alerts_to_json(terms.alerts),
        "incidents": {
            "propose_after": terms.incidents.propose_after,
            "propose_within_minutes": terms.incidents.propose_within_minutes,
        },
    }


def _alerts_to_json(a: AlertRules) -> dict[str, Any]:
    return {
        "priorities": {s.value: int(p) for s, p in sorted(a.priorities.items())},
        "repeat_every_minutes": a.repeat_every_minutes,
        "on_resolved": a.on_resolved.value,
        "reopen_within_minutes": a.reopen_within_minutes,
    }


def _alerts_from_json(data: dict[str, Any] | None) -> AlertRules:
    if data is None:  # terms stored before alerts existed
        return AlertRules()
    return AlertRules(
        priorities={Severity(k): Priority(v) for k, v in data["priorities"].items()},
        repeat_every_minutes=data["repeat_every_minutes"],
        on_resolved=OnResolved(data["on_resolved"]),
        reopen_within_minutes=data["reopen_within_minutes"],
    )


def terms_from_json(data: dict[str, Any]) -> ContractTerms:
    penalties = None
    if data.get("penalties") is not None:
        raw = dict(data["penalties"])
        percents = {Priority(int(k[1:])): float(v) for k, v in raw["percent_per_breach"].items()}
        raw["percent_per_breach"] = percents
        penalties = PenaltyRules(**raw)
    return ContractTerms(
        watch=WatchRules(**data["watch"]),
        penalties=penalties,
        reports=ReportSchedule(**data["reports"]),
        sla_basis=SlaBasis(data.get("sla", {}).get("measure", SlaBasis.PEAK.value)),
        alerts=_alerts_from_json(data.get("alerts")),
        incidents=IncidentRules(**data.get("incidents", {})),  # {}: stored before they were
    )
