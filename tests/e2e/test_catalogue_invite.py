"""``/invite`` in the staff group: the client's invite link and its QR code in the chat."""

from __future__ import annotations

from bot.compose import App
from bot.services import onboarding
from tests.e2e.desk import CONSULTANT, STAFF_CHAT, Desk, text_of


async def test_invite_gives_the_link_and_the_qr_code(desk: Desk, desk_app: App) -> None:
    """Without a code the team's clients are named; with one, a PNG of the QR code comes
    with the link as its caption."""
    sent = await desk.say(CONSULTANT, STAFF_CHAT, "/invite")
    usage = await desk.bot_says(STAFF_CHAT, "Для какого клиента", after=sent)
    assert "DEMO, URAL" in text_of(usage)
    sent = await desk.say(CONSULTANT, STAFF_CHAT, "/invite demo")
    qr = await desk.wait_for(
        STAFF_CHAT,
        lambda m: bool(m.get("document")) and "?start=demo" in text_of(m),
        after=sent,
        what="the QR code",
    )
    caption = text_of(qr)
    link = next(word for word in caption.split() if word.startswith("https://t.me/"))
    assert link.endswith("?start=demo")
    assert qr["document"]["file_name"] == "qr-DEMO-demo-telegram.png"
    assert onboarding.qr_png(link)  # the same link the memo's code carries
