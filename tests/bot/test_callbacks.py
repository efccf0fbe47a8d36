"""Callback data carries ids only and fits Telegram's 64 bytes."""

from __future__ import annotations

import pytest
from aiogram.filters.callback_data import CallbackData

from bot import keyboards
from bot.callbacks import (
    MAX_ID,
    FaqCb,
    ManagerCb,
    PickCb,
    RebindCb,
    StaffCb,
    SurveyCb,
    UserCb,
)

BIG = 2**53  # larger than any id we will see
HUGE = "99999999999999999999"  # past 2^63-1, which no database key holds


def test_largest_payloads_fit_64_bytes() -> None:
    """Even with huge ids every kind of button data stays within 64 bytes."""
    for data in (
        FaqCb(draft=BIG, action="helped", index=2).pack(),
        PickCb(draft=BIG, ticket=BIG).pack(),
        UserCb(ticket=BIG, action="setc", value="out_of_scope").pack(),
        StaffCb(ticket=BIG, action="to", value="12").pack(),
        RebindCb(action="stay", client="Ж" * 16).pack(),  # the longest code, two bytes a letter
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


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        (UserCb, "u:2:setp:9"),
        (UserCb, "u:2:setp:0"),
        (UserCb, "u:2:setp:x"),
        (UserCb, "u:2:setc:nonsense"),
        (UserCb, "u:2:rate:6"),
        (UserCb, "u:2:drop:"),
        (UserCb, "u:abc:view:"),
        (UserCb, "garbage"),
        (StaffCb, "s:2:setp:0"),
        (StaffCb, "s:2:to:-1"),
        (StaffCb, "s:2:explode:"),
        (FaqCb, "f:2:delete:0"),
        (FaqCb, "f:2:open:-1"),
        (FaqCb, f"f:{HUGE}:open:0"),
        (FaqCb, f"f:2:open:{HUGE}"),
        (FaqCb, "f:0:helped:0"),
        (PickCb, f"w:{HUGE}:0"),
        (PickCb, f"w:2:{HUGE}"),
        (PickCb, "w:2:-1"),
        (UserCb, f"u:{HUGE}:view:"),
        (UserCb, f"u:{MAX_ID + 1}:view:"),
        (UserCb, "u:0:view:"),
        (UserCb, "u:-3:view:"),
        (StaffCb, f"s:{HUGE}:take:"),
        (ManagerCb, f"m:{HUGE}"),
        (ManagerCb, "m:0"),
        (SurveyCb, f"q:{HUGE}:1:5"),
        (SurveyCb, f"q:1:{HUGE}:5"),
        (SurveyCb, "q:1:1:6"),
        (SurveyCb, "q:1:0:5"),
        (RebindCb, "r:go:kopy"),
        (RebindCb, "r:jump:KOPY"),
        (RebindCb, "r:go:"),
        (RebindCb, "r:go:" + "A" * 17),
        (RebindCb, "r:go:KOPY:extra"),
    ],
)
def test_forged_or_unknown_callback_data_does_not_parse(
    kind: type[CallbackData], data: str
) -> None:
    """Unknown actions and out-of-range values are refused at parsing (a ValueError/TypeError)."""
    with pytest.raises((ValueError, TypeError)):
        kind.unpack(data)


def test_the_largest_database_id_still_parses() -> None:
    """The bound is the BIGINT range itself: a real id is never refused."""
    assert UserCb.unpack(f"u:{MAX_ID}:view:").ticket == MAX_ID
    assert PickCb.unpack(f"w:{MAX_ID}:0").ticket == 0
    assert ManagerCb.unpack(f"m:{MAX_ID}").file == MAX_ID


def test_every_button_the_bot_makes_parses_back() -> None:
    """The validation refuses nothing the bot's own keyboards produce."""
    markups = [
        keyboards.priorities(5, staff=False),
        keyboards.priorities(5, staff=True),
        keyboards.categories(5),
        keyboards.faq(7, ["a", "b"]),
    ]
    for markup in markups:
        for row in markup.inline_keyboard:
            for button in row:
                data = button.callback_data
                assert data is not None
                assert _roundtrip(data) == data


def _roundtrip(data: str) -> str:
    if data.startswith("u:"):
        return UserCb.unpack(data).pack()
    if data.startswith("s:"):
        return StaffCb.unpack(data).pack()
    return FaqCb.unpack(data).pack()
