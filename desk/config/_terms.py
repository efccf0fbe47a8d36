"""Reading a contract's operating terms and a client's managers from the config.

    [contracts.NAME.sla]         measure = "peak" | "initial" | "final"  (default "peak")
    [contracts.NAME.watch]       warn_percent = 75, remind_after = "1d", resolve_after = "3d"
    [contracts.NAME.penalties]   monthly_fee = 150000, per_breach = { P1 = 5, P2 = 3 },
                                 cap_percent = 15, csat_relief_from = 4.8,
                                 csat_relief_percent = 50, csat_extra_below = 3.5,
                                 csat_extra_percent = 2
    [contracts.NAME.reports]     weekly = true, monthly = true, to_managers = true,
                                 to_lead = true, format = "html"
    [contracts.NAME.alerts]      critical = 1, high = 2, warning = 3, info = 4,
                                 repeat_every = "30m", on_resolved = "resolve" | "ask",
                                 reopen_within = "30m"
    [contracts.NAME.incidents]   propose_after = 3, propose_within = "15m"
    [[clients]] ... managers = [5001, 5002],
                    alert_keys = [{ name = "zabbix", key_sha256 = "<64 hex digits>" }]

Every mistake fails with the file, line and reason (``Reader.fail``).
"""

from __future__ import annotations

from typing import Any

from desk.alerts import AlertKey, AlertRules, OnResolved, Severity
from desk.config._fields import Duration, parse_duration
from desk.config._lines import KeyPath
from desk.config._messages import reason
from desk.config._reader import Reader, Table
from desk.enums import Priority
from desk.incidents import IncidentRules
from desk.terms import ContractTerms, PenaltyRules, ReportSchedule, SlaBasis, WatchRules

TERM_KEYS = {"sla", "watch", "penalties", "reports", "alerts", "incidents"}
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
    alerts = AlertRules()
    if "alerts" in t:
        alerts = _alerts(r, r.value(t, path, "alerts", dict), (*path, "alerts"))
    incidents = IncidentRules()
    if "incidents" in t:
        incidents = _incidents(r, r.value(t, path, "incidents", dict), (*path, "incidents"))
    return ContractTerms(watch, penalties, reports, basis, alerts, incidents)


def _incidents(r: Reader, t: Table, path: KeyPath) -> IncidentRules:
    """When the bot proposes merging similar requests into a mass incident: this many
    (2 or more) within this wall-clock interval."""
    r.check_keys(t, path, {"propose_after", "propose_within"})
    d = IncidentRules()
    after = r.value(t, path, "propose_after", int, d.propose_after)
    if not 2 <= after <= 1000:
        r.fail(
            (*path, "propose_after"), reason("number_range", key="propose_after", low=2, high=1000)
        )
    within = _wall_minutes(r, t, path, "propose_within", d.propose_within_minutes)
    return IncidentRules(propose_after=after, propose_within_minutes=within)


def _alerts(r: Reader, t: Table, path: KeyPath) -> AlertRules:
    severities = [s.value for s in Severity]
    r.check_keys(t, path, {*severities, "repeat_every", "on_resolved", "reopen_within"})
    d = AlertRules()
    priorities = dict(d.priorities)
    for severity in Severity:
        value = r.value(t, path, severity.value, int, int(d.priority(severity)))
        if value not in {int(p) for p in Priority}:
            r.fail((*path, severity.value), reason("bad_alert_priority", value=value))
        priorities[severity] = Priority(value)
    on_resolved = r.value(t, path, "on_resolved", str, d.on_resolved.value)
    if on_resolved not in {o.value for o in OnResolved}:
        r.fail((*path, "on_resolved"), reason("bad_on_resolved", value=on_resolved))
    return AlertRules(
        priorities=priorities,
        repeat_every_minutes=_wall_minutes(r, t, path, "repeat_every", d.repeat_every_minutes),
        on_resolved=OnResolved(on_resolved),
        reopen_within_minutes=_wall_minutes(r, t, path, "reopen_within", d.reopen_within_minutes),
    )


def _wall_minutes(r: Reader, t: Table, path: KeyPath, key: str, default: int) -> int:
    """A wall-clock interval ("30m", "2h", "1d" = 24 hours); "none" is refused."""
    if key not in t:
        return default
    parsed: Duration | None = r.parsed(t, path, key, parse_duration)
    if parsed is None:
        r.fail((*path, key), reason("bad_duration", value=t[key]))
    return parsed.total(24 * 60)


def client_alert_keys(r: Reader, t: Table, path: KeyPath) -> tuple[AlertKey, ...]:
    """``alert_keys = [{ name, key_sha256 }]`` of a ``[[clients]]`` entry: each key's
    SHA-256 (the key itself never is in the config), names unique within the client."""
    raw = r.value(t, path, "alert_keys", list, [])
    keys: list[AlertKey] = []
    for item in raw:
        kpath = (*path, "alert_keys")
        if not isinstance(item, dict):
            r.fail(kpath, reason("bad_alert_key", value=item))
        r.check_keys(item, kpath, {"name", "key_sha256"}, {"name", "key_sha256"})
        name = r.value(item, kpath, "name", str).strip()
        digest = r.value(item, kpath, "key_sha256", str).strip().lower()
        if not name or len(name) > 64:
            r.fail(kpath, reason("bad_alert_key_name", value=name))
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            r.fail(kpath, reason("bad_alert_key_hash", name=name))
        if any(k.name == name for k in keys):
            r.fail(kpath, reason("alert_key_twice", name=name))
        keys.append(AlertKey(name, digest))
    return tuple(sorted(keys, key=lambda k: k.name))


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
