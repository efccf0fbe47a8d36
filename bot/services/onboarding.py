"""What the contractor hands a new client: the invite links (one per messenger the client
writes from and per invite code), a QR code of each (``segno``), and a one-page printable
memo from ``onboard_memo.j2``: how to write to support, what to put in a request, the
priorities with the response and resolution times of that client's contract, the working
hours, and the request types of ``/new``.

Plain functions of a ``DeskConfig`` (no database, no Telegram): ``supportdesk client
onboard`` and ``/invite`` in the staff group both build from them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno

from bot import texts
from desk import sla
from desk.catalogue import Approval, Catalogue
from desk.channels import Channel, start_link
from desk.clock import clock_of
from desk.config import DeskConfig
from desk.enums import Priority
from desk.model import TimeRange


@dataclass(frozen=True)
class Invite:
    channel: Channel
    code: str  # the invite code (one per client or per department)
    link: str


def invites(config: DeskConfig, client_code: str, bots: dict[Channel, str]) -> list[Invite]:
    """The client's links: each invite code on each messenger it lists that has a bot."""
    client = config.clients[client_code]
    codes = sorted(i.code for i in config.invites.values() if i.client == client_code)
    found: list[Invite] = []
    for name in client.messengers:
        channel = Channel(name)
        bot = bots.get(channel)
        if bot:
            found.extend(Invite(channel, code, start_link(channel, bot, code)) for code in codes)
    return found


def qr_png(link: str, scale: int = 8) -> bytes:
    """A QR code of ``link`` as PNG (error correction M, a quiet zone around it)."""
    out = io.BytesIO()
    segno.make(link, error="m", micro=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def qr_svg_uri(link: str) -> str:
    """The same QR code as an SVG data URI (for the memo, which stays one file)."""
    uri: str = segno.make(link, error="m", micro=False).svg_data_uri(scale=4, border=2)
    return uri


def format_range(time: TimeRange) -> str:
    """«09:00–18:00»."""
    return "–".join(f"{m // 60:02d}:{m % 60:02d}" for m in (time.start, time.end))


def span(minutes: int | None, day_minutes: int) -> str | None:
    """A target in words: «15 мин», «4 ч», «1 ч 30 мин», «3 раб. дня» (None: by plan)."""
    if minutes is None:
        return None
    if minutes >= day_minutes and minutes % day_minutes == 0:
        days = minutes // day_minutes
        return f"{days} {texts.plural(days, 'раб. день', 'раб. дня', 'раб. дней')}"
    hours, rest = divmod(minutes, 60)
    parts = ([f"{hours} ч"] if hours else []) + ([f"{rest} мин"] if rest else [])
    return " ".join(parts)


def memo_html(config: DeskConfig, client_code: str, links: list[Invite]) -> str:
    """The client's one-page memo (printable HTML, the QR codes inline)."""
    client = config.clients[client_code]
    contract = config.contracts[client.contract]
    schedule = config.schedules[contract.schedule]
    clock = clock_of(schedule)
    defaults = sla.default_targets(clock.day_minutes)
    priorities = []
    for priority in Priority:
        target = contract.targets.get(priority, defaults[priority])
        priorities.append(
            {
                "priority": int(priority),
                "reaction": span(target.reaction_minutes, clock.day_minutes),
                "resolution": span(target.resolution_minutes, clock.day_minutes),
                "always": target.round_the_clock or schedule.round_the_clock,
            }
        )
    catalogue = config.catalogues.get(contract.name, Catalogue())
    types = [
        {
            "title": t.title,
            "asks": [f.label for f in t.fields],
            "approval": t.approval is not Approval.NONE,
            "design": t.design,
        }
        for t in catalogue.types
    ]
    return texts.render(
        "onboard_memo",
        client=client.name,
        timezone=client.timezone,
        round_the_clock=schedule.round_the_clock,
        hours=None if schedule.round_the_clock else format_range(schedule.hours),
        breaks=[format_range(b) for b in schedule.breaks],
        calendar=schedule.calendar,
        priorities=priorities,
        types=types,
        links=[
            {"channel": i.channel.label, "link": i.link, "qr": qr_svg_uri(i.link)} for i in links
        ],
    )


def file_stem(client_code: str, invite: Invite) -> str:
    """``qr-ROGA-roga-telegram``: a file name the invite's QR code is saved under."""
    return f"qr-{client_code}-{invite.code}-{invite.channel.value}"
