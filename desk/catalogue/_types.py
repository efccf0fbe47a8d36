"""What a contract's service catalogue says: request types, their form fields and
approval rules; and a client's people who may approve (plain, JSON-safe data)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from desk.enums import Category, Priority


class FieldKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"  # one of ``options`` (or, with ``other``, any text)
    DATE = "date"
    NUMBER = "number"
    YESNO = "yesno"
    ATTACHMENT = "attachment"  # a document or a photo


class Approval(StrEnum):
    """Who must agree before work starts: nobody, any one approver, or every one."""

    NONE = "none"
    ANY = "any"
    ALL = "all"


@dataclass(frozen=True)
class FormField:
    name: str  # the key of the answer (``{name}`` in a subject)
    label: str  # how the card's list names it («Кому»)
    prompt: str  # the question the user reads
    kind: FieldKind = FieldKind.TEXT
    required: bool = True
    options: tuple[str, ...] = ()  # choice
    other: bool = False  # choice: a typed answer outside ``options`` is taken
    after: str | None = None  # date: not earlier than this other date field


@dataclass(frozen=True)
class RequestType:
    """One kind of work a contract names. A type without fields takes today's free-text
    path (the user describes the request in one message)."""

    code: str
    title: str
    category: Category
    fields: tuple[FormField, ...] = ()
    priority: Priority | None = None  # None: guessed from the text, as today
    reaction_minutes: int | None = None  # overrides of the priority's targets
    resolution_minutes: int | None = None
    approval: Approval = Approval.NONE
    design: bool = False  # the approval is of a functional design (``/design``) before work
    remind_after_minutes: int = 240  # business minutes before an approver is reminded
    escalate_after_minutes: int = 480  # ... and before the client's managers are asked
    subject: str = ""  # e.g. "Доступ: {who:initials} — {base}, роль {roles}"
    match: tuple[str, ...] = ()  # phrases that, in a first message, offer this form

    @property
    def has_form(self) -> bool:
        return bool(self.fields)

    @property
    def needs_approval(self) -> bool:
        """The request itself waits for an approver (a design type waits at ``/design``)."""
        return self.approval is not Approval.NONE and not self.design

    def field(self, name: str) -> FormField | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class Catalogue:
    """A contract's request types, in the order ``/new`` shows them."""

    types: tuple[RequestType, ...] = ()

    def get(self, code: str) -> RequestType | None:
        return next((t for t in self.types if t.code == code), None)

    def design_type(self) -> RequestType | None:
        """The type whose designs are approved (``/design`` on any enhancement)."""
        return next((t for t in self.types if t.design), None)


@dataclass(frozen=True)
class Person:
    """Someone of a client company the config names (an approver, say)."""

    telegram_id: int
    name: str


@dataclass(frozen=True)
class ClientPeople:
    """A client's named people and, per request type code, who of them approves."""

    people: tuple[Person, ...] = ()
    approvers: tuple[tuple[str, tuple[int, ...]], ...] = ()  # (type code, telegram ids)

    def approvers_of(self, code: str) -> tuple[int, ...]:
        return next((ids for c, ids in self.approvers if c == code), ())

    def name_of(self, telegram_id: int) -> str | None:
        return next((p.name for p in self.people if p.telegram_id == telegram_id), None)


def catalogue_to_json(catalogue: Catalogue) -> list[dict[str, Any]]:
    return [_type_to_json(t) for t in catalogue.types]


def _type_to_json(t: RequestType) -> dict[str, Any]:
    return {
        "code": t.code,
        "title": t.title,
        "category": t.category.value,
        "fields": [
            {
                "name": f.name,
                "label": f.label,
                "prompt": f.prompt,
                "kind": f.kind.value,
                "required": f.required,
                "options": list(f.options),
                "other": f.other,
                "after": f.after,
            }
            for f in t.fields
        ],
        "priority": None if t.priority is None else int(t.priority),
        "reaction_minutes": t.reaction_minutes,
        "resolution_minutes": t.resolution_minutes,
        "approval": t.approval.value,
        "design": t.design,
        "remind_after_minutes": t.remind_after_minutes,
        "escalate_after_minutes": t.escalate_after_minutes,
        "subject": t.subject,
        "match": list(t.match),
    }


def catalogue_from_json(data: list[dict[str, Any]]) -> Catalogue:
    types = []
    for raw in data:
        fields = tuple(
            FormField(
                name=f["name"],
                label=f["label"],
                prompt=f["prompt"],
                kind=FieldKind(f["kind"]),
                required=f["required"],
                options=tuple(f["options"]),
                other=f["other"],
                after=f["after"],
            )
            for f in raw["fields"]
        )
        types.append(
            RequestType(
                code=raw["code"],
                title=raw["title"],
                category=Category(raw["category"]),
                fields=fields,
                priority=None if raw["priority"] is None else Priority(raw["priority"]),
                reaction_minutes=raw["reaction_minutes"],
                resolution_minutes=raw["resolution_minutes"],
                approval=Approval(raw["approval"]),
                design=raw["design"],
                remind_after_minutes=raw["remind_after_minutes"],
                escalate_after_minutes=raw["escalate_after_minutes"],
                subject=raw["subject"],
                match=tuple(raw["match"]),
            )
        )
    return Catalogue(tuple(types))


def people_to_json(people: ClientPeople) -> dict[str, Any]:
    return {
        "people": [{"telegram_id": p.telegram_id, "name": p.name} for p in people.people],
        "approvers": {code: list(ids) for code, ids in people.approvers},
    }


def people_from_json(data: dict[str, Any]) -> ClientPeople:
    return ClientPeople(
        people=tuple(Person(p["telegram_id"], p["name"]) for p in data["people"]),
        approvers=tuple((code, tuple(ids)) for code, ids in data["approvers"].items()),
    )
