"""Reading a contract's service catalogue and a client's people from the config.

    [contracts.NAME.types.CODE]   title, category, priority, reaction, resolution,
                                  approval = "none" | "any" | "all", design,
                                  remind_after, escalate_after, subject, match
    [[contracts.NAME.types.CODE.fields]]
                                  name, label, prompt, kind (text | choice | date |
                                  number | yesno | attachment), required, options,
                                  other, after
    [[clients]] ... people = [{ telegram_id = 1004, name = "Ольга Петрова" }],
                    approvers = { access = [1004] }

An approver must be a person of that client (in its ``people`` or ``managers``); a
client with neither approvers for a type nor managers gets that type without an
approval (``bot.services.approvals.request`` records why). Every mistake fails with
the file, line and reason (``Reader.fail``).
"""

from __future__ import annotations

import re
import string

from desk.catalogue import (
    Approval,
    Catalogue,
    ClientPeople,
    FieldKind,
    FormField,
    Person,
    RequestType,
)
from desk.config._fields import Duration, parse_duration
from desk.config._lines import KeyPath
from desk.config._messages import reason
from desk.config._reader import Reader, Table
from desk.enums import Category, Priority

CATALOGUE_KEYS = {"types"}
CLIENT_KEYS = {"people", "approvers"}
TYPE_KEYS = {
    "title", "category", "priority", "reaction", "resolution", "approval", "design",
    "remind_after", "escalate_after", "subject", "match", "fields",
}  # fmt: skip
FIELD_KEYS = {"name", "label", "prompt", "kind", "required", "options", "other", "after"}
FIELDS_LIMIT = 20
OPTIONS_LIMIT = 20
OPTION_LENGTH = 60
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,23}$")
_CATEGORIES = [c.value for c in Category if c is not Category.MONITORING]
_SPECS = ("", "initials")


def contract_catalogue(r: Reader, t: Table, path: KeyPath, day_minutes: int) -> Catalogue:
    """The request types of a ``[contracts.NAME]`` table (none: today's free text)."""
    if "types" not in t:
        return Catalogue()
    tpath = (*path, "types")
    raw = r.value(t, path, "types", dict)
    types = []
    for code, table in raw.items():
        if not _CODE.match(code):
            r.fail((*tpath, code), reason("bad_type_code", value=code))
        if not isinstance(table, dict):
            r.fail((*tpath, code), reason("not_table", key=f"types.{code}"))
        types.append(_type(r, code, table, (*tpath, code), day_minutes))
    return Catalogue(tuple(types))


def _type(r: Reader, code: str, t: Table, path: KeyPath, day: int) -> RequestType:
    r.check_keys(t, path, TYPE_KEYS, {"title", "category"})
    category = r.value(t, path, "category", str)
    if category not in _CATEGORIES:
        r.fail(
            (*path, "category"),
            reason("bad_category", value=category, allowed=", ".join(_CATEGORIES)),
        )
    priority = None
    if "priority" in t:
        value = r.value(t, path, "priority", int)
        if value not in {int(p) for p in Priority}:
            r.fail((*path, "priority"), reason("bad_type_priority", value=value))
        priority = Priority(value)
    approval = r.value(t, path, "approval", str, Approval.NONE.value)
    if approval not in {a.value for a in Approval}:
        r.fail((*path, "approval"), reason("bad_approval", value=approval))
    fields = _fields(r, t, path)
    design = r.value(t, path, "design", bool, False)
    if approval != Approval.NONE.value and not fields:
        r.fail((*path, "approval"), reason("approval_without_form", code=code))
    if design and approval == Approval.NONE.value:
        r.fail((*path, "design"), reason("design_without_approval", code=code))
    subject = r.value(t, path, "subject", str, "")
    _check_subject(r, (*path, "subject"), subject, {f.name for f in fields})
    match = r.value(t, path, "match", list, [])
    for phrase in match:
        if not isinstance(phrase, str) or not phrase.strip():
            r.fail((*path, "match"), reason("bad_match", value=phrase))
    defaults = RequestType(code, "", Category.CONSULTATION)
    return RequestType(
        code=code,
        title=r.value(t, path, "title", str),
        category=Category(category),
        fields=fields,
        priority=priority,
        reaction_minutes=_minutes(r, t, path, "reaction", day, None),
        resolution_minutes=_minutes(r, t, path, "resolution", day, None),
        approval=Approval(approval),
        design=design,
        remind_after_minutes=_required_minutes(
            r, t, path, "remind_after", day, defaults.remind_after_minutes
        ),
        escalate_after_minutes=_required_minutes(
            r, t, path, "escalate_after", day, defaults.escalate_after_minutes
        ),
        subject=subject,
        match=tuple(p.strip() for p in match),
    )


def _minutes(
    r: Reader, t: Table, path: KeyPath, key: str, day: int, default: int | None
) -> int | None:
    if key not in t:
        return default
    parsed: Duration | None = r.parsed(t, path, key, parse_duration)
    return None if parsed is None else parsed.total(day)


def _required_minutes(r: Reader, t: Table, path: KeyPath, key: str, day: int, default: int) -> int:
    minutes = _minutes(r, t, path, key, day, default)
    if minutes is None:
        r.fail((*path, key), reason("bad_duration", value=t[key]))
    return minutes


def _check_subject(r: Reader, path: KeyPath, subject: str, names: set[str]) -> None:
    try:
        parts = list(string.Formatter().parse(subject))
    except ValueError:
        r.fail(path, reason("bad_subject", value=subject, detail="непарная фигурная скобка"))
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in names:
            r.fail(path, reason("bad_subject", value=subject, detail=f"нет поля «{name}»"))
        if spec not in _SPECS or conversion:
            r.fail(
                path, reason("bad_subject", value=subject, detail=f"неизвестный формат «{spec}»")
            )


def _fields(r: Reader, t: Table, path: KeyPath) -> tuple[FormField, ...]:
    raw = r.value(t, path, "fields", list, [])
    fpath = (*path, "fields")
    if not all(isinstance(item, dict) for item in raw):
        r.fail(fpath, reason("not_array_of_tables", key="fields"))
    if len(raw) > FIELDS_LIMIT:
        r.fail(fpath, reason("too_many_fields", limit=FIELDS_LIMIT))
    fields: list[FormField] = []
    for index, item in enumerate(raw):
        field = _field(r, item, (*fpath, index), fields)
        if any(f.name == field.name for f in fields):
            r.fail((*fpath, index, "name"), reason("field_twice", name=field.name))
        fields.append(field)
    return tuple(fields)


def _field(r: Reader, t: Table, path: KeyPath, earlier: list[FormField]) -> FormField:
    r.check_keys(t, path, FIELD_KEYS, {"name", "label", "prompt"})
    name = r.value(t, path, "name", str)
    if not _CODE.match(name):
        r.fail((*path, "name"), reason("bad_field_name", value=name))
    kind = r.value(t, path, "kind", str, FieldKind.TEXT.value)
    if kind not in {k.value for k in FieldKind}:
        allowed = ", ".join(k.value for k in FieldKind)
        r.fail((*path, "kind"), reason("bad_field_kind", value=kind, allowed=allowed))
    kind_ = FieldKind(kind)
    only = {"options": FieldKind.CHOICE, "other": FieldKind.CHOICE, "after": FieldKind.DATE}
    for key, needs in only.items():
        if key in t and kind_ is not needs:
            r.fail((*path, key), reason("field_key_kind", key=key, kind=needs.value))
    options = r.value(t, path, "options", list, [])
    if kind_ is FieldKind.CHOICE and not options:
        r.fail(path, reason("choice_without_options", name=name))
    if len(options) > OPTIONS_LIMIT:
        r.fail((*path, "options"), reason("too_many_options", limit=OPTIONS_LIMIT))
    for option in options:
        if not isinstance(option, str) or not option.strip() or len(option) > OPTION_LENGTH:
            r.fail((*path, "options"), reason("bad_option", value=option, limit=OPTION_LENGTH))
    after = r.value(t, path, "after", str, None)
    if after is not None and not any(f.name == after and f.kind is FieldKind.DATE for f in earlier):
        r.fail((*path, "after"), reason("bad_after", value=after))
    return FormField(
        name=name,
        label=r.value(t, path, "label", str),
        prompt=r.value(t, path, "prompt", str),
        kind=kind_,
        required=r.value(t, path, "required", bool, True),
        options=tuple(o.strip() for o in options),
        other=r.value(t, path, "other", bool, False),
        after=after,
    )


def client_people(
    r: Reader, t: Table, path: KeyPath, catalogue: Catalogue, managers: tuple[int, ...]
) -> ClientPeople:
    """``people`` and ``approvers`` of a ``[[clients]]`` entry, checked against the
    client's contract's catalogue: each approver a person of this client."""
    people: list[Person] = []
    ppath = (*path, "people")
    for item in r.value(t, path, "people", list, []):
        if not isinstance(item, dict):
            r.fail(ppath, reason("bad_person", value=item))
        r.check_keys(item, ppath, {"telegram_id", "name"}, {"telegram_id", "name"})
        person = Person(r.value(item, ppath, "telegram_id", int), r.value(item, ppath, "name", str))
        if any(p.telegram_id == person.telegram_id for p in people):
            r.fail(ppath, reason("person_twice", value=person.telegram_id))
        people.append(person)
    known = {p.telegram_id for p in people} | set(managers)
    approvers: list[tuple[str, tuple[int, ...]]] = []
    apath = (*path, "approvers")
    code_of_client = t.get("code", "?")
    for code, ids in r.value(t, path, "approvers", dict, {}).items():
        form = catalogue.get(code)
        if form is None:
            r.fail((*apath, code), reason("unknown_type", value=code))
        if form.approval is Approval.NONE:
            r.fail((*apath, code), reason("type_without_approval", value=code))
        if not isinstance(ids, list) or not ids:
            r.fail((*apath, code), reason("bad_approvers", code=code))
        for value in ids:
            if not isinstance(value, int) or isinstance(value, bool):
                r.fail((*apath, code), reason("bad_approvers", code=code))
            if value not in known:
                r.fail(
                    (*apath, code),
                    reason("approver_not_person", value=value, client=code_of_client),
                )
        approvers.append((code, tuple(dict.fromkeys(ids))))
    return ClientPeople(tuple(people), tuple(approvers))
