"""Chat keys: one integer per chat across messengers, never two chats on one key."""

from __future__ import annotations

import pytest

from desk.alerts import SYSTEM_USER_CEILING
from desk.channels import MAX_BASE, Address, Channel, channel_of, max_key, start_link


@pytest.mark.parametrize(
    "address",
    [
        Address(Channel.TELEGRAM, 1001),
        Address(Channel.TELEGRAM, -1001234567890),  # a supergroup
        Address(Channel.TELEGRAM, 2**52 - 1),
        Address(Channel.MAX, 1),
        Address(Channel.MAX, 1001),
        Address(Channel.MAX, 2**62 - 2**53 - 1),
    ],
)
def test_an_address_and_its_key_name_each_other(address: Address) -> None:
    assert Address.of_key(address.key) == address
    assert channel_of(address.key) is address.channel
    assert Address.parse(str(address)) == address


def test_the_same_number_on_two_messengers_is_two_chats() -> None:
    telegram, max_user = Address(Channel.TELEGRAM, 1001), Address(Channel.MAX, 1001)
    assert telegram.key != max_user.key
    assert max_key(1001) == max_user.key == MAX_BASE - 1001
    assert str(max_user) == "max:1001"
    # every MAX key is below every Telegram id (ids fit in 52 bits), above the ids of
    # a client's monitoring (no chat: nothing is ever sent there)
    assert max_key(1) < -(2**52) <= Address(Channel.TELEGRAM, -(2**52)).key
    assert max_key(2**62 - 2**53 - 1) > SYSTEM_USER_CEILING
    assert channel_of(SYSTEM_USER_CEILING - 5) is Channel.TELEGRAM
    with pytest.raises(ValueError, match="no chat"):
        Address.of_key(SYSTEM_USER_CEILING)


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("1001", "not an address"),
        ("whatsapp:5", "unknown messenger 'whatsapp'"),
        ("max:abc", "not an address"),
        ("max:0", "out of range"),
        ("max:-5", "out of range"),
        (f"max:{2**62 - 2**53}", "out of range"),
        (f"telegram:{-(2**53)}", "out of range"),
    ],
)
def test_a_bad_address_is_refused_with_the_reason(text: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        Address.parse(text)


def test_start_links_open_the_bot_in_its_messenger() -> None:
    assert (
        start_link(Channel.MAX, "demo_desk_bot", "inv1")
        == "https://max.ru/demo_desk_bot?start=inv1"
    )
    assert start_link(Channel.TELEGRAM, "@desk_bot", "p1") == "https://t.me/desk_bot?start=p1"
