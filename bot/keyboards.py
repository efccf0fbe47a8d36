"""Inline keyboards; every label comes from a template (``bot/templates``)."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.callbacks import ApprovalCb, FaqCb, FormCb, IncidentCb, NewCb, PickCb, StaffCb, UserCb
from desk.enums import OPEN_STATUSES, Category, Priority, Status

LABEL_LIMIT = 60  # characters of a button label a phone still shows in one or two lines


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data)


def short(label: str, limit: int = LABEL_LIMIT) -> str:
    """``label`` cut to ``limit`` characters at a word boundary, with «…» (never mid-word,
    unless its first word alone is too long)."""
    label = " ".join(label.split())
    if len(label) <= limit:
        return label
    cut = label[: limit - 1]
    space = cut.rfind(" ")
    if space > 0 and label[limit - 1] != " ":
        cut = cut[:space]
    return cut.rstrip(" ,.;:—-·") + "…"


def faq(draft_id: int, titles: Sequence[str]) -> InlineKeyboardMarkup:
    helped, not_it = texts.lines("faq_buttons")
    rows = [
        [_button(short(f"{i + 1}. {title}"), FaqCb(draft=draft_id, action="open", index=i).pack())]
        for i, title in enumerate(titles)
    ]
    rows.append([_button(helped, FaqCb(draft=draft_id, action="helped").pack())])
    rows.append([_button(not_it, FaqCb(draft=draft_id, action="not").pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def faq_answer(draft_id: int, index: int) -> InlineKeyboardMarkup:
    helped, not_it = texts.lines("faq_buttons")
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(helped, FaqCb(draft=draft_id, action="helped", index=index).pack())],
            [_button(not_it, FaqCb(draft=draft_id, action="not", index=index).pack())],
        ]
    )


def registered(ticket_id: int) -> InlineKeyboardMarkup:
    prio, cat = texts.lines("registered_buttons")
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(prio, UserCb(ticket=ticket_id, action="prio").pack()),
                _button(cat, UserCb(ticket=ticket_id, action="cat").pack()),
            ]
        ]
    )


def priorities(ticket_id: int, *, staff: bool) -> InlineKeyboardMarkup:
    """P1–P5: a compact row with «← Назад» for staff (it replaces the card's buttons),
    one labelled row each for the user (what each priority means)."""
    if staff:
        row = [
            _button(
                f"P{p.value}", StaffCb(ticket=ticket_id, action="setp", value=str(p.value)).pack()
            )
            for p in Priority
        ]
        return InlineKeyboardMarkup(inline_keyboard=[row, [_back(ticket_id, on_card=True)]])
    labels = texts.lines("priority_buttons")
    rows = [
        [_button(label, UserCb(ticket=ticket_id, action="setp", value=str(p.value)).pack())]
        for label, p in zip(labels, Priority, strict=True)
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _back(ticket_id: int, *, on_card: bool) -> InlineKeyboardButton:
    """«← Назад» to the card's buttons (a menu on the card), else «Отмена» (a menu message)."""
    back, cancel = texts.lines("menu_buttons")
    return _button(back if on_card else cancel, StaffCb(ticket=ticket_id, action="back").pack())


def categories(ticket_id: int) -> InlineKeyboardMarkup:
    labels = texts.lines("category_buttons")
    chosen = [c for c in Category if c not in (Category.OUT_OF_SCOPE, Category.MONITORING)]
    rows = [
        [_button(label, UserCb(ticket=ticket_id, action="setc", value=c.value).pack())]
        for label, c in zip(labels, chosen, strict=True)
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def pick_ticket(draft_id: int, tickets: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    rows = [
        [_button(short(label), PickCb(draft=draft_id, ticket=ticket_id).pack())]
        for ticket_id, label in tickets
    ]
    rows.append(
        [_button(texts.render("new_ticket_button"), PickCb(draft=draft_id, ticket=0).pack())]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


def new_ticket(draft_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(texts.render("new_ticket_button"), PickCb(draft=draft_id, ticket=0).pack())]
        ]
    )


def my_tickets(tickets: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    rows = [
        [_button(number, UserCb(ticket=ticket_id, action="view").pack())]
        for ticket_id, number in tickets
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def resolved(ticket_id: int) -> InlineKeyboardMarkup:
    yes, no = texts.lines("resolved_buttons")
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(yes, UserCb(ticket=ticket_id, action="ok").pack()),
                _button(no, UserCb(ticket=ticket_id, action="reopen").pack()),
            ]
        ]
    )


def rating(ticket_id: int) -> InlineKeyboardMarkup:
    row = [
        _button(str(score), UserCb(ticket=ticket_id, action="rate", value=str(score)).pack())
        for score in range(1, 6)
    ]
    return InlineKeyboardMarkup(inline_keyboard=[row])


def skip_comment(ticket_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(
                    texts.render("csat_skip_button"), UserCb(ticket=ticket_id, action="skip").pack()
                )
            ]
        ]
    )


def card(ticket_id: int, status: Status, *, mass: bool = False) -> InlineKeyboardMarkup:
    """The ticket card's buttons for a ticket in ``status``: «Взять» only while nobody has
    taken it, «Ждём клиента» unless already waiting, «Массовый инцидент» unless it is one
    (``mass``); a closed ticket's card has only «Вернуть в работу» (a button works in a
    closed topic, where only admins may write); other finished tickets have none."""
    if status is Status.CLOSED:
        reopen = texts.render("card_reopen_button")
        return InlineKeyboardMarkup(
            inline_keyboard=[[_button(reopen, StaffCb(ticket=ticket_id, action="reopen").pack())]]
        )
    if status not in OPEN_STATUSES:
        return InlineKeyboardMarkup(inline_keyboard=[])
    take, prio, esc, wait, route, resolve = texts.lines("card_buttons")

    def b(label: str, action: str) -> InlineKeyboardButton:
        return _button(label, StaffCb(ticket=ticket_id, action=action).pack())

    first = [b(take, "take"), b(prio, "prio")] if status is Status.NEW else [b(prio, "prio")]
    second = [b(esc, "esc"), b(wait, "wait")] if status is not Status.WAITING else [b(esc, "esc")]
    third = [b(route, "route"), b(resolve, "resolve")]
    if status is Status.APPROVAL:  # waits for the client's approver: no waiting, no resolving
        first, second, third = [b(take, "take"), b(prio, "prio")], [b(esc, "esc")], third[:1]
    rows = [first, second, third]
    if not mass:
        rows.append([b(texts.render("card_mass_button"), "mass")])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def route_targets(ticket_id: int, labels: Sequence[str], *, on_card: bool) -> InlineKeyboardMarkup:
    """Where to route a ticket out; on the card the last button puts the card's own back."""
    rows = [
        [_button(short(label), StaffCb(ticket=ticket_id, action="to", value=str(i)).pack())]
        for i, label in enumerate(labels)
    ]
    rows.append([_back(ticket_id, on_card=on_card)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def incident_known(report_id: int, *, details: bool = True) -> InlineKeyboardMarkup:
    """Under «Мы уже знаем о проблеме»: «У меня другое» and (``details``) «Добавить
    подробности»."""
    other, more = texts.lines("incident_buttons")
    rows = [[_button(other, IncidentCb(report=report_id, action="other").pack())]]
    if details:
        rows.append([_button(more, IncidentCb(report=report_id, action="more").pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def incident_resolved(report_id: int) -> InlineKeyboardMarkup:
    """Under the incident's resolution: «У меня всё ещё не работает»."""
    again = texts.render("incident_again_button")
    return InlineKeyboardMarkup(
        inline_keyboard=[[_button(again, IncidentCb(report=report_id, action="again").pack())]]
    )


def incident_proposal(ticket_id: int) -> InlineKeyboardMarkup:
    """Under the bot's proposal in the first ticket's topic: «Объединить в массовый инцидент»."""
    merge = texts.render("incident_merge_button")
    return InlineKeyboardMarkup(
        inline_keyboard=[[_button(merge, StaffCb(ticket=ticket_id, action="merge").pack())]]
    )


def request_types(types: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    """``/new``: one button per request type (code, title), in the catalogue's order."""
    rows = [[_button(short(title), NewCb(type=code).pack())] for code, title in types]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def form_offer(form_id: int) -> InlineKeyboardMarkup:
    fill, as_is = texts.lines("form_offer_buttons")
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(fill, FormCb(form=form_id, step=0, action="fill").pack())],
            [_button(as_is, FormCb(form=form_id, step=0, action="asis").pack())],
        ]
    )


def form_step(
    form_id: int, step: int, answers: Sequence[str], *, skip: bool, back: bool
) -> InlineKeyboardMarkup:
    """A question's buttons: its ready answers (two a row), «Пропустить» for an optional
    field, «← Назад» (not on the first question) and «Отмена»."""
    back_label, cancel, skip_label = texts.lines("form_nav_buttons")

    def b(label: str, action: str, value: int = 0) -> InlineKeyboardButton:
        return _button(
            short(label), FormCb(form=form_id, step=step, action=action, value=value).pack()
        )

    picks = [b(label, "pick", i) for i, label in enumerate(answers)]
    rows = [picks[i : i + 2] for i in range(0, len(picks), 2)]
    if skip:
        rows.append([b(skip_label, "skip")])
    rows.append([b(back_label, "back"), b(cancel, "cancel")] if back else [b(cancel, "cancel")])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def form_summary(form_id: int, step: int) -> InlineKeyboardMarkup:
    back_label, cancel, _ = texts.lines("form_nav_buttons")
    send = texts.render("form_send_button")

    def b(label: str, action: str) -> InlineKeyboardButton:
        return _button(label, FormCb(form=form_id, step=step, action=action).pack())

    return InlineKeyboardMarkup(
        inline_keyboard=[[b(send, "send")], [b(back_label, "back"), b(cancel, "cancel")]]
    )


def approval(approval_id: int) -> InlineKeyboardMarkup:
    ok, no, _ = texts.lines("approval_buttons")
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(ok, ApprovalCb(approval=approval_id, action="ok").pack()),
                _button(no, ApprovalCb(approval=approval_id, action="no").pack()),
            ]
        ]
    )


def approval_keep(approval_id: int) -> InlineKeyboardMarkup:
    """Under «Почему отклоняете?»: take the refusal back."""
    keep = texts.lines("approval_buttons")[2]
    return InlineKeyboardMarkup(
        inline_keyboard=[[_button(keep, ApprovalCb(approval=approval_id, action="keep").pack())]]
    )
