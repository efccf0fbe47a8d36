"""The report as one self-contained HTML page (inline CSS and SVG charts)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot import texts
from bot.reports import charts, fmt
from desk.reporting import Report


def survey_questions() -> list[str]:
    """The survey's questions, in order (question 1 first)."""
    return texts.lines("report_survey_questions")


def render_html(report: Report) -> str:
    made = report.made_at.astimezone(ZoneInfo(report.timezone)).strftime("%d.%m.%Y %H:%M")
    return texts.render(
        "report",
        report=report,
        f=fmt,
        made=made,
        sla_bars=charts.sla_bars(report),
        priority_bars=charts.priority_bars(report),
        category_bars=charts.category_bars(report),
        csat_bars=charts.csat_bars(report),
        questions=survey_questions(),
    )
