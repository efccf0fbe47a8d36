"""Reading a contract's operating terms and a client's managers from the config.

    [contracts.NAME.sla]         measure = "peak" | "initial" | "final"  (default "peak")
    [contracts.NAME.watch]       warn_percent = 75, remind_after = "1d", resolve_after = "3d"
    [contracts.NAME.penalties]   monthly_fee = 150000, per_breach = { P1 = 5, P2 = 3 },
                                 cap_percent = 15, csat_relief_from = 4.8,
                                 csat_relief_percent = 50, csat_extra_below = 3.5,
                                 csat_extra_percent = 2
    [contracts.NAME.reports]     weekly = true, monthly = true, to_managers = true,
                                 to_lead = true, format = "html"
    [[clients]] ... managers = [5001, 5002]

Every mistake fails with the file, line and reason (``Reader.fail``).
"""

from __future__ import annotations

from typing import Any

from desk.config._fields import Duration, parse_duration
from desk.config._lines import KeyPath
from desk.config._messages import reason
from desk.config._reader import Reader, Table
from desk.enums import Priority
from desk.terms import ContractTerms, PenaltyRules, ReportSchedule, SlaBasis, WatchRules

TERM_KEYS = {"sla", "watch", "penalties", "reports"}
REPORT_FORMATS = ("html", "xlsx")


def contract_terms(r: Reader, t: Table, path: KeyPath, day_minutes: int) -> ContractTerms:
    """The terms in a ``[contracts.NAME]`` table (defaults where it says nothing)."""
    watch = WatchRules()
    if "watch" in t:
        watch = _watch(r, r.value(t, path, "watch", dict), (*path, "watch"), day_minutes)
    penalties = None
    if "penalties" in t:
        penalties = _penalties(r, r.value(t, path, "penalties", dict), (*path, "penalties"))
    reports = ReportSchedule()
    if "reports" in t:
        reports = _reports(r, r.value(t, path, "reports", dict), (*path, "reports"))
    basis = SlaBasis.PEAK
    if "sla" in t:
        basis = _sla(r, r.value(t, path, "sla", dict), (*path, "sla"))
    return ContractTerms(watch, penalties, reports, basis)


def _sla(r: Reader, t: Table, path: KeyPath) -> SlaBasis:
    r.check_keys(t, path, {"measure"})
    measure = r.value(t, path, "measure", str, SlaBasis.PEAK.value)
    if measure not in {b.value for b in SlaBasis}:
        r.fail((*path, "measure"), reason("bad_sla_measure", value=measure))
    return SlaBasis(measure)


def client_managers(r: Reader, t: Table, path: KeyPath) -> tuple[int, ...]:
    """``managers = [telegram ids]`` of a ``[[clients]]`` entry."""
    raw = r.value(t, path, "managers", list, [])
    for value in raw:
        if not isinstance(value, int) or isinstance(value, bool):
            r.fail((*path, "managers"), reason("bad_manager", value=value))
    return tuple(raw)


def _number(r: Reader, t: Table, path: KeyPath, key: str, low: float, high: float) -> float | None:
    if key not in t:
        return None
    value = t[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        r.fail((*path, key), reason("type", key=key, expected="числом", got=type(value).__name__))
    if not low <= value <= high:
        r.fail((*path, key), reason("number_range", key=key, low=low, high=high))
    return float(value)


def _duration(
    r: Reader, t: Table, path: KeyPath, key: str, day: int, default: int | None
) -> int | None:
    if key not in t:
        return default
    parsed: Duration | None = r.parsed(t, path, key, parse_duration)
    return None if parsed is None else parsed.total(day)


def _watch(r: Reader, t: Table, path: KeyPath, day_minutes: int) -> WatchRules:
    r.check_keys(t, path, {"warn_percent", "remind_after", "resolve_after"})
    defaults = WatchRules()
    percent = _number(r, t, path, "warn_percent", 1, 99)
    remind = _duration(r, t, path, "remind_after", day_minutes, defaults.remind_after_minutes)
    resolve = _duration(r, t, path, "resolve_after", day_minutes, defaults.resolve_after_minutes)
    if remind is not None and resolve is not None and resolve <= remind:
        r.fail((*path, "resolve_after"), reason("resolve_before_remind"))
    share = defaults.warn_share if percent is None else percent / 100
    return WatchRules(share, remind, resolve)


def _penalties(r: Reader, t: Table, path: KeyPath) -> PenaltyRules:
    keys = {
        "monthly_fee", "per_breach", "cap_percent", "csat_relief_from", "csat_relief_percent",
        "csat_extra_below", "csat_extra_percent",
    }  # fmt: skip
    r.check_keys(t, path, keys, {"monthly_fee"})
    defaults = PenaltyRules()
    percents = dict(defaults.percent_per_breach)
    raw: dict[str, Any] = r.value(t, path, "per_breach", dict, {})
    for key in raw:
        if key not in {f"P{int(p)}" for p in Priority}:
            r.fail((*path, "per_breach", key), reason("bad_priority", value=key))
        value = _number(r, raw, (*path, "per_breach"), key, 0, 100)
        assert value is not None
        percents[Priority(int(key[1:]))] = value

    def number(key: str, low: float, high: float, default: float) -> float:
        value = _number(r, t, path, key, low, high)
        return default if value is None else value

    relief_from = _number(r, t, path, "csat_relief_from", 1, 5)
    extra_below = _number(r, t, path, "csat_extra_below", 1, 5)
    return PenaltyRules(
        monthly_fee=number("monthly_fee", 0, 1e12, 0.0),
        percent_per_breach=percents,
        cap_percent=number("cap_percent", 0, 100, defaults.cap_percent),
        csat_relief_from=relief_from,
        csat_relief_percent=number("csat_relief_percent", 0, 100, 0.0),
        csat_extra_below=extra_below,
        csat_extra_percent=number("csat_extra_percent", 0, 100, 0.0),
    )


def _reports(r: Reader, t: Table, path: KeyPath) -> ReportSchedule:
    r.check_keys(t, path, {"weekly", "monthly", "to_managers", "to_lead", "format"})
    d = ReportSchedule()
    fmt = r.value(t, path, "format", str, d.format)
    if fmt not in REPORT_FORMATS:
        r.fail((*path, "format"), reason("bad_report_format", value=fmt))
    return ReportSchedule(
        weekly=r.value(t, path, "weekly", bool, d.weekly),
        monthly=r.value(t, path, "monthly", bool, d.monthly),
        to_managers=r.value(t, path, "to_managers", bool, d.to_managers),
        to_lead=r.value(t, path, "to_lead", bool, d.to_lead),
        format=fmt,
    )
