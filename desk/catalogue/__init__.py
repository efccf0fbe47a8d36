"""The service catalogue: request types with their forms and approval rules.

    RequestType, FormField, FieldKind, Approval, Catalogue    what a contract lists
    Person, ClientPeople                                      a client's named approvers
    read_answer, attachment_answer, build_subject,            filling a form
    answer_lines, form_text, match_type
    asked_first, may_decide, verdict, start_resolution        approvals

``desk.config`` reads them from ``[contracts.NAME.types.CODE]`` and a client's
``people`` and ``approvers``; nothing here knows of a database or a bot.
"""

from __future__ import annotations

from desk.catalogue._approval import (
    Verdict,
    asked_first,
    may_decide,
    start_resolution,
    verdict,
)
from desk.catalogue._forms import (
    Answers,
    Refusal,
    answer_lines,
    attachment_answer,
    build_subject,
    date_refusal_label,
    form_text,
    initials,
    match_type,
    parse_date,
    read_answer,
    shown,
)
from desk.catalogue._types import (
    Approval,
    Catalogue,
    ClientPeople,
    FieldKind,
    FormField,
    Person,
    RequestType,
    catalogue_from_json,
    catalogue_to_json,
    people_from_json,
    people_to_json,
)

__all__ = [
    "Answers",
    "Approval",
    "Catalogue",
    "ClientPeople",
    "FieldKind",
    "FormField",
    "Person",
    "Refusal",
    "RequestType",
    "Verdict",
    "answer_lines",
    "asked_first",
    "attachment_answer",
    "build_subject",
    "catalogue_from_json",
    "catalogue_to_json",
    "date_refusal_label",
    "form_text",
    "initials",
    "match_type",
    "may_decide",
    "parse_date",
    "people_from_json",
    "people_to_json",
    "read_answer",
    "shown",
    "start_resolution",
    "verdict",
]
