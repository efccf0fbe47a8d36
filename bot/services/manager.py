"""The client manager's view in the bot: their company's tickets, the latest
report and a signed link to the read-only page (``bot.web``); revoking the
links given so far (``revoke_links``: the manager in the chat, staff from the CLI)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from bot import texts
from bot.services.actors import Actor
from bot.settings import Settings
from bot.web.signing import LinkSigner
from desk.enums import OPEN_STATUSES
from desk.timefmt import due_of
from storage.uow import UnitOfWork

RECENT_DAYS = 14  # closed tickets this recent are listed too
LIST_LIMIT = 30


def signer_of(settings: Settings) -> LinkSigner | None:
    """The link signer, or None when the client page is not configured."""
    if not settings.web_base_url or settings.web_secret is None:
        return None
    return LinkSigner(
        settings.web_secret.get_secret_value(), timedelta(hours=settings.web_link_hours)
    )


async def overview(
    uow: UnitOfWork, manager_id: int, now: datetime, settings: Settings
) -> tuple[str, list[tuple[int, str]]] | None:
    """The ``/tickets`` message and its report buttons (file id, period); None
    if ``manager_id`` manages no client."""
    codes = await uow.ops.managed_by(manager_id)
    if not codes:
        return None
    signer = signer_of(settings)
    companies = []
    buttons: list[tuple[int, str]] = []
    for code in codes:
        client = await uow.directory.client(code)
        tickets = await uow.client_queries.client_tickets(code, limit=200)
        recent = now - timedelta(days=RECENT_DAYS)
        shown = [t for t in tickets if t.status in OPEN_STATUSES or t.created_at >= recent][
            :LIST_LIMIT
        ]
        rows = []
        for t in shown:
            owner = await uow.directory.staff(t.owner_id)
            is_open = t.status in OPEN_STATUSES
            due = t.sla.resolution_due if (t.sla and is_open) else None
            rows.append(
                {
                    "number": t.number,
                    "status": t.status.value,
                    "subject": t.subject,
                    "owner": owner.name if owner else str(t.owner_id),
                    "due": due_of(due, now, client.timezone) if is_open else None,
                    "open": is_open,
                }
            )
        reports = await uow.report_files.report_files(code, limit=1)
        if reports:
            buttons.append((reports[0].id, reports[0].period))
        link = None
        if signer is not None:
            link = f"{settings.web_base_url.rstrip('/')}/c/{signer.sign(code, manager_id, now)}"
        companies.append(
            {
                "name": client.name,
                "rows": rows,
                "open": sum(1 for t in tickets if t.status in OPEN_STATUSES),
                "report": reports[0] if reports else None,
                "link": link,
            }
        )
    return texts.render(
        "client_tickets", companies=companies, hours=settings.web_link_hours
    ), buttons


async def may_get_report(uow: UnitOfWork, manager_id: int, file_id: int) -> bool:
    """Whether the report file belongs to a client ``manager_id`` manages."""
    for code in await uow.ops.managed_by(manager_id):
        if await uow.report_files.report_content(file_id, code) is not None:
            return True
    return False


async def revoke_links(
    uow: UnitOfWork, client_code: str, manager_id: int, now: datetime, actor: Actor
) -> None:
    """Links to ``client_code``'s page given to ``manager_id`` until ``now`` open no
    more; the audit trail records who revoked them."""
    await uow.links.revoke(client_code, manager_id, now, actor.telegram_id)
    await uow.audit.append(
        ticket_id=None,
        actor=str(actor),
        at=now,
        what="client links revoked",
        new=json.dumps({"client": client_code, "manager": manager_id}),
    )


async def revoke_own_links(uow: UnitOfWork, manager_id: int, now: datetime) -> list[str]:
    """A manager revokes their links to every client they manage; the clients' names."""
    names = []
    for code in await uow.ops.managed_by(manager_id):
        await revoke_links(uow, code, manager_id, now, Actor.user(manager_id))
        names.append((await uow.directory.client(code)).name)
    return names
