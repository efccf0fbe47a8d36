"""The report as an XLSX workbook (openpyxl): one sheet per table, numbers as
numbers (shares as percent-formatted fractions), so Excel and LibreOffice can
sort, filter and chart them."""

from __future__ import annotations

from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from bot import texts
from bot.reports.html import survey_questions
from desk.enums import Category
from desk.reporting import Met, Report

PERCENT = "0.0%"
BOLD = Font(bold=True)


def _labels(report: Report) -> dict[str, str]:
    made = report.made_at.astimezone(ZoneInfo(report.timezone)).strftime("%d.%m.%Y %H:%M")
    lines = texts.lines("report_xlsx", client=report.client_name, period=report.period, made=made)
    return {k.strip(): v.strip() for k, _, v in (line.partition("=") for line in lines)}


def _share(met: Met) -> float | None:
    return None if met.total == 0 else met.met / met.total


def _table(ws: Worksheet, header: list[str], rows: list[list[object]], percent: set[int]) -> None:
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    for row in rows:
        ws.append(row)
        for index in percent:
            ws.cell(row=ws.max_row, column=index + 1).number_format = PERCENT
    ws.freeze_panes = "A2"
    for i, title in enumerate(header):
        ws.column_dimensions[chr(ord("A") + i)].width = max(12, min(48, len(title) + 4))


def _names() -> tuple[dict[int, str], dict[str, str]]:
    lines = texts.lines("report_names", categories=[c.value for c in Category])
    pairs = [(k.strip(), v.strip()) for k, _, v in (line.partition("=") for line in lines)]
    priorities = {int(k[9:]): v for k, v in pairs if k.startswith("priority.")}
    categories = {k[9:]: v for k, v in pairs if k.startswith("category.")}
    return priorities, categories


def render_xlsx(report: Report) -> bytes:
    lab = _labels(report)
    priority_names, category_names = _names()
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = lab["summary"]
    _summary(summary, report, lab)

    f = report.figures
    _table(
        wb.create_sheet(lab["by_priority"]),
        [lab[k] for k in ("priority", "count", "reaction_met", "reaction_total", "share_reaction",
                          "resolution_met", "resolution_total", "share_resolution")],
        [
            [priority_names[int(p.priority)], p.tickets, p.reaction.met, p.reaction.total,
             _share(p.reaction), p.resolution.met, p.resolution.total, _share(p.resolution)]
            for p in f.by_priority
        ],
        {4, 7},
    )  # fmt: skip
    total = sum(f.by_category.values()) or 1
    _table(
        wb.create_sheet(lab["by_category"]),
        [lab["category"], lab["count"], lab["share"]],
        [
            [category_names.get(k, k), v, v / total]
            for k, v in sorted(f.by_category.items(), key=lambda kv: -kv[1])
        ],
        {2},
    )
    _table(
        wb.create_sheet(lab["breaches"]),
        [lab[k] for k in ("number", "priority", "target", "target_minutes", "actual_minutes",
                          "owner", "subject")],
        [
            [b.number, int(b.priority), lab[b.target], b.target_minutes, b.actual_minutes,
             b.owner, b.subject]
            for b in f.breaches
        ],
        set(),
    )  # fmt: skip
    _table(
        wb.create_sheet(lab["consultants"]),
        [lab[k] for k in ("consultant", "count", "resolved", "share_reaction",
                          "share_resolution", "avg_reaction", "csat", "ratings")],
        [
            [c.name, c.tickets, c.resolved, _share(c.reaction), _share(c.resolution),
             None if c.avg_reaction_minutes is None else round(c.avg_reaction_minutes, 1),
             None if c.csat_average is None else round(c.csat_average, 2), c.csat_count]
            for c in f.consultants
        ],
        {3, 4},
    )  # fmt: skip
    if f.incidents:  # each counted once above; its reports are not tickets of their own
        _table(
            wb.create_sheet(lab["incidents"]),
            [lab[k] for k in ("incident", "priority", "users", "reports", "subject")],
            [[i.number, int(i.priority), i.users, i.reports, i.subject] for i in f.incidents],
            set(),
        )
    ratings = wb.create_sheet(lab["satisfaction"])
    _table(
        ratings,
        [lab["score"], lab["ratings"]],
        [[s, f.csat.get(s, 0)] for s in range(5, 0, -1)],
        set(),
    )
    if f.survey:
        ratings.append([])
        questions = survey_questions()
        ratings.append([lab["question"], lab["answers"], lab["csat"]])
        for cell in ratings[ratings.max_row]:
            cell.font = BOLD
        for s in f.survey:
            text = questions[s.question - 1] if s.question <= len(questions) else str(s.question)
            ratings.append([text, s.answers, None if s.average is None else round(s.average, 2)])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _summary(ws: Worksheet, report: Report, lab: dict[str, str]) -> None:
    ws.append([lab["title"]])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([lab["period"]])
    ws.append([lab["made"]])
    ws.append([])
    f, totals = report.figures, report.totals
    rows: list[tuple[str, object, bool]] = [
        ("tickets", report.tickets, False),
        ("reaction_share", _share(totals["reaction"]), True),
        ("reaction_count", f"{totals['reaction'].met} / {totals['reaction'].total}", False),
        ("resolution_share", _share(totals["resolution"]), True),
        ("resolution_count", f"{totals['resolution'].met} / {totals['resolution'].total}", False),
        (
            "csat_average",
            None if report.csat_average is None else round(report.csat_average, 2),
            False,
        ),
        ("csat_count", report.csat_count, False),
        ("faq_steps", f.faq.steps, False),
        ("faq_helped", f.faq.helped, False),
        ("faq_deflection", None if f.faq.deflection is None else f.faq.deflection / 100, True),
    ]
    p = report.penalty
    if p is not None:
        rows += [
            ("penalty_breaches", p.breaches_percent, False),
            ("penalty_relief", p.csat_relief_percent, False),
            ("penalty_extra", p.csat_extra_percent, False),
            ("penalty_cap", p.cap_percent, False),
            ("penalty_percent", p.percent, False),
            ("penalty_fee", p.monthly_fee, False),
            ("penalty_amount", p.amount, False),
        ]
    for key, value, percent in rows:
        ws.append([lab[key], value])
        if percent:
            ws.cell(row=ws.max_row, column=2).number_format = PERCENT
    ws.column_dimensions["A"].width = 44
    ws.column_dimensions["B"].width = 16
