"""What the staff topic reads when a ticket changes hands by /assign."""

from __future__ import annotations

from bot import texts

ANNA, BORIS, VERA = "Анна Смирнова", "Борис Ким", "Вера Ли"


def _note(by: str, owner: str, previous: str) -> str:
    return texts.render("staff_assigned", number="DEMO-1", by=by, owner=owner, previous=previous)


def test_the_assign_note_names_who_handed_the_ticket_to_whom() -> None:
    """The owner handing it on is named once; handing someone else's ticket also says
    whose it was; assigning oneself reads like taking it."""
    assert _note(ANNA, BORIS, ANNA) == f"Заявку передал(а) {ANNA} → {BORIS}"
    assert _note(ANNA, VERA, BORIS) == f"Заявку передал(а) {ANNA} → {VERA} (была у {BORIS})"
    assert _note(ANNA, ANNA, BORIS) == f"Заявку взял(а) {ANNA} (была у {BORIS})"
