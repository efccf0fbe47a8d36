"""Callback data carries ids only and fits Telegram's 64 bytes."""

from __future__ import annotations

from bot import keyboards
from bot.callbacks import FaqCb, PickCb, StaffCb, UserCb

BIG = 2**53  # larger than any id we will see


def test_largest_payloads_fit_64_bytes() -> None:
    """Even with huge ids every kind of button data stays within 64 bytes."""
    for data in (
        FaqCb(draft=BIG, action="helped", index=2).pack(),
        PickCb(draft=BIG, ticket=BIG).pack(),
        UserCb(ticket=BIG, action="reopen", value="integration").pack(),
        StaffCb(ticket=BIG, action="resolve", value="12").pack(),
    ):
        assert len(data.encode()) <= 64, data


def test_keyboards_hold_no_user_text_in_data() -> None:
    """FAQ titles appear as labels, never in callback data."""
    markup = keyboards.faq(7, ["Очень длинный заголовок записи <b>с тегами</b>"] * 3)
    for row in markup.inline_keyboard:
        for button in row:
            assert button.callback_data is not None
            assert "заголовок" not in button.callback_data
            assert FaqCb.unpack(button.callback_data).draft == 7
