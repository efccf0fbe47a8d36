"""``/invite`` in the staff group: a client's invite link(s) and QR code in the chat.

The QR code is kept as a file of the outbox's documents (``storage.report_files``,
under ``~CODE`` so that no client's report list shows it) and sent as a PNG document
whose caption is the link.
"""

from __future__ import annotations

from datetime import datetime

from bot import texts
from bot.outbox import enqueue
from bot.services import onboarding
from bot.settings import Settings
from desk.channels import Channel
from storage.uow import UnitOfWork


async def send_invite(
    uow: UnitOfWork,
    team: str,
    client_code: str,
    chat_id: int,
    bot_username: str,
    settings: Settings,
    now: datetime,
) -> str | None:
    """Queue the QR code(s) of a client of ``team``; None when sent, else what to say."""
    config = await uow.directory.load()
    codes = sorted(code for code, c in config.clients.items() if c.team == team)
    if client_code not in codes:
        return texts.render("invite_usage", codes=codes, asked=client_code)
    bots = {Channel.TELEGRAM: bot_username}
    if settings.max_bot_username:
        bots[Channel.MAX] = settings.max_bot_username
    links = onboarding.invites(config, client_code, bots)
    if not links:
        return texts.render("invite_none_staff", client=config.clients[client_code].name)
    for found in links:
        file_id = await uow.report_files.save_report_file(
            f"~{client_code}"[:16],
            "invite",
            "png",
            f"{onboarding.file_stem(client_code, found)}.png",
            onboarding.qr_png(found.link),
            now,
        )
        caption = texts.render(
            "invite_caption",
            client=config.clients[client_code].name,
            channel=found.channel.label,
            link=found.link,
        )
        enqueue.document(uow, chat_id, file_id, caption)
    return None
