"""The SLA watcher's decisions, walked minute by minute on a simulated clock.

Each walk plays a watcher that asks ``plan(...).due(now, sent)`` every minute
and "sends" what is due: the tests assert on what was sent and when, across
working days, lunch breaks, holidays, shortened pre-holiday days,
reporting-close days with extended hours and round-the-clock targets.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from desk import sla
from desk.clock import BusinessClock
from desk.enums import Status
from desk.model import CloseDays, ScheduleSpec, SlaState, SlaTarget, TimeRange
from desk.terms import WatchRules
from desk.watch import AlertKind, plan

MSK = ZoneInfo("Europe/Moscow")
LUNCH = (TimeRange(13 * 60, 14 * 60),)
OFFICE = BusinessClock(ScheduleSpec("office", hours=TimeRange(540, 1080), breaks=LUNCH))
CLOSE = BusinessClock(
    ScheduleSpec(
        "office_close",
        hours=TimeRange(540, 1080),
        breaks=LUNCH,
        close_days=CloseDays(until=23 * 60, last=3, first=5),
    )
)
ALWAYS = BusinessClock.round_the_clock("Europe/Moscow")
P3 = SlaTarget(60, 8 * 60)
RULES = WatchRules()


def msk(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=MSK)


def walk(
    state: SlaState,
    status: Status,
    start: datetime,
    end: datetime,
    clock: BusinessClock,
    schedule: BusinessClock | None = None,
    rules: WatchRules = RULES,
) -> list[tuple[str, datetime]]:
    """What a watcher running every minute from ``start`` to ``end`` sends, and when."""
    sent: dict[str, datetime] = {}
    now = start
    while now <= end:
        due = plan(state, status, now, clock, schedule or clock, rules).due(now, frozenset(sent))
        for alert in due:
            sent[alert.key] = now
        now += timedelta(minutes=1)
    return sorted(((k, v.astimezone(MSK)) for k, v in sent.items()), key=lambda kv: kv[1])


def test_warns_at_three_quarters_then_breaches_on_an_ordinary_day() -> None:
    """P3 at 10:00 on a Tuesday: reaction warning at 10:45, breach at 11:01, the
    resolution (8 h with lunch) warning at 15:00 next morning's 10:00 breach."""
    state = sla.start(msk(2026, 5, 5, 10, 0), P3, OFFICE)
    sent = walk(state, Status.NEW, msk(2026, 5, 5, 10, 0), msk(2026, 5, 6, 12, 0), OFFICE)
    assert sent == [
        ("reaction:warn", msk(2026, 5, 5, 10, 45)),
        ("reaction:breach", msk(2026, 5, 5, 11, 1)),
        ("resolution:warn", msk(2026, 5, 5, 17, 0)),
        ("resolution:breach", msk(2026, 5, 6, 10, 1)),
    ]


def test_a_due_at_the_end_of_the_day_is_breached_next_working_morning() -> None:
    """Reaction due at 18:00 on Friday 29 May is not breached over the weekend:
    the breach comes at 09:00 on Monday 1 June, not at 18:01 on Friday."""
    state = sla.start(msk(2026, 5, 29, 17, 0), P3, OFFICE)
    sent = walk(state, Status.NEW, msk(2026, 5, 29, 17, 0), msk(2026, 6, 1, 9, 30), OFFICE)
    assert ("reaction:warn", msk(2026, 5, 29, 17, 45)) in sent
    assert ("reaction:breach", msk(2026, 6, 1, 9, 1)) in sent


def test_a_shortened_pre_holiday_day_and_the_may_holidays_are_skipped() -> None:
    """30 April 2026 ends at 17:00 (before the 1 May holiday): a P3 registered at
    16:30 warns at 09:15 and breaches at 09:31 on Monday 4 May."""
    state = sla.start(msk(2026, 4, 30, 16, 30), P3, OFFICE)
    sent = walk(state, Status.NEW, msk(2026, 4, 30, 16, 30), msk(2026, 5, 4, 10, 0), OFFICE)
    assert sent[:2] == [
        ("reaction:warn", msk(2026, 5, 4, 9, 15)),
        ("reaction:breach", msk(2026, 5, 4, 9, 31)),
    ]


def test_extended_hours_on_a_reporting_close_day_keep_the_clock_running() -> None:
    """On 28 May (one of the last three working days) the close-day schedule works
    to 23:00: a P3 at 18:30 warns at 19:15 and is breached at 19:31 the same
    evening; on the ordinary schedule it would wait for the morning."""
    start = msk(2026, 5, 28, 18, 30)
    extended = walk(sla.start(start, P3, CLOSE), Status.NEW, start, msk(2026, 5, 28, 23, 0), CLOSE)
    assert extended[:2] == [
        ("reaction:warn", msk(2026, 5, 28, 19, 15)),
        ("reaction:breach", msk(2026, 5, 28, 19, 31)),
    ]
    ordinary = walk(
        sla.start(start, P3, OFFICE), Status.NEW, start, msk(2026, 5, 28, 23, 0), OFFICE
    )
    assert ordinary == []


def test_a_round_the_clock_target_alerts_on_a_saturday_night() -> None:
    """P1 (15 min round the clock) at 03:00 on Saturday: warning once 75% is used (03:12),
    breach at 03:16; the 30-minute resolution warns at 03:23."""
    p1 = SlaTarget(15, 30, round_the_clock=True)
    clock = sla.clock_for(p1, OFFICE)
    state = sla.start(msk(2026, 5, 9, 3, 0), p1, clock)
    sent = walk(state, Status.NEW, msk(2026, 5, 9, 3, 0), msk(2026, 5, 9, 4, 0), clock, OFFICE)
    assert sent == [
        ("reaction:warn", msk(2026, 5, 9, 3, 12)),
        ("reaction:breach", msk(2026, 5, 9, 3, 16)),
        ("resolution:warn", msk(2026, 5, 9, 3, 23)),
        ("resolution:breach", msk(2026, 5, 9, 3, 31)),
    ]


def test_a_reacted_ticket_gets_no_reaction_alerts() -> None:
    start = msk(2026, 5, 5, 10, 0)
    state = sla.record_reaction(sla.start(start, P3, OFFICE), msk(2026, 5, 5, 10, 5), OFFICE)
    sent = walk(state, Status.IN_PROGRESS, start, msk(2026, 5, 5, 12, 0), OFFICE)
    assert [key for key, _ in sent] == []


def test_a_late_watcher_sends_the_breach_and_not_the_stale_warning() -> None:
    """A watcher that was down from 10:30 to 11:30 says "breached" once, no warning."""
    state = sla.start(msk(2026, 5, 5, 10, 0), P3, OFFICE)
    alerts = plan(state, Status.NEW, msk(2026, 5, 5, 11, 30), OFFICE, OFFICE, RULES).due(
        msk(2026, 5, 5, 11, 30)
    )
    assert [(a.kind, a.target) for a in alerts] == [(AlertKind.BREACH, "reaction")]
    assert alerts[0].spent_minutes == 90
    assert alerts[0].target_minutes == 60


def test_the_warning_share_is_configurable() -> None:
    """With warn_share 0.5 the P3 reaction warning comes at 10:30."""
    state = sla.start(msk(2026, 5, 5, 10, 0), P3, OFFICE)
    rules = WatchRules(warn_share=0.5)
    sent = walk(
        state, Status.NEW, msk(2026, 5, 5, 10, 0), msk(2026, 5, 5, 10, 40), OFFICE, rules=rules
    )
    assert sent == [("reaction:warn", msk(2026, 5, 5, 10, 30))]


def test_waiting_for_the_customer_silences_sla_alerts_and_reminds_then_resolves() -> None:
    """Paused at 16:00 on 3 Nov (shortened to 17:00 before the 4 Nov holiday): no SLA
    alert while waiting; the user is reminded after 8 business hours (5 Nov 16:00... on
    the shortened-day clock: 17:00) and the ticket resolved after 24 (9 Nov 17:00)."""
    start = msk(2026, 11, 3, 10, 0)
    state = sla.pause(sla.start(start, P3, OFFICE), msk(2026, 11, 3, 16, 0))
    sent = walk(state, Status.WAITING, msk(2026, 11, 3, 16, 0), msk(2026, 11, 10, 12, 0), OFFICE)
    episode = int(msk(2026, 11, 3, 16, 0).timestamp())
    assert sent == [
        (f"waiting:remind:{episode}", msk(2026, 11, 5, 17, 0)),
        (f"waiting:resolve:{episode}", msk(2026, 11, 9, 17, 0)),
    ]


def test_a_second_wait_is_reminded_again() -> None:
    """Each waiting episode has its own keys, so the reminder is not swallowed."""
    start = msk(2026, 5, 5, 10, 0)
    first = sla.pause(sla.start(start, P3, OFFICE), msk(2026, 5, 5, 10, 10))
    second = replace(first, paused_at=msk(2026, 5, 12, 10, 10).astimezone(MSK))
    now = msk(2026, 5, 20, 10, 0)
    keys_first = {a.key for a in plan(first, Status.WAITING, now, OFFICE, OFFICE, RULES).alerts}
    keys_second = {a.key for a in plan(second, Status.WAITING, now, OFFICE, OFFICE, RULES).alerts}
    assert keys_first.isdisjoint(keys_second)


def test_no_reminders_when_the_contract_turns_them_off() -> None:
    state = sla.pause(sla.start(msk(2026, 5, 5, 10, 0), P3, OFFICE), msk(2026, 5, 5, 11, 0))
    rules = WatchRules(remind_after_minutes=None, resolve_after_minutes=None)
    assert plan(state, Status.WAITING, msk(2026, 6, 5, 10, 0), OFFICE, OFFICE, rules).alerts == ()


def test_closed_and_routed_tickets_are_not_watched() -> None:
    state = sla.start(msk(2026, 5, 5, 10, 0), P3, OFFICE)
    for status in (Status.RESOLVED, Status.CLOSED, Status.ROUTED_OUT, Status.CANCELLED):
        assert plan(state, status, msk(2026, 5, 8, 10, 0), OFFICE, OFFICE, RULES).alerts == ()


def test_next_at_is_the_earliest_unsent_alert() -> None:
    """The watcher stores this moment, so it never re-reads a ticket before then."""
    state = sla.start(msk(2026, 5, 5, 10, 0), P3, OFFICE)
    p = plan(state, Status.NEW, msk(2026, 5, 5, 10, 0), OFFICE, OFFICE, RULES)
    assert p.next_at() == msk(2026, 5, 5, 10, 45)
    assert p.next_at(frozenset({"reaction:warn"})) == msk(2026, 5, 5, 11, 0, 1)
    every = frozenset(a.key for a in p.alerts)
    assert p.next_at(every) is None
