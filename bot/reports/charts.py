"""Chart geometry for the HTML report; the SVG itself is drawn by
``bot/templates/report_charts.j2`` from these numbers.

Every chart is a list of rows with bar lengths in SVG units of a fixed width,
so the template only places rectangles and labels.
"""

from __future__ import annotations

from dataclasses import dataclass

from desk.reporting import Met, Report

BAR_WIDTH = 240  # SVG units of a full (100 %) bar


@dataclass(frozen=True)
class SplitBar:
    """A bar split into kept (green) and missed (red) parts."""

    key: str  # what the label template names, e.g. "P2 reaction"
    priority: int
    target: str  # reaction | resolution
    met: int
    missed: int
    met_width: float
    missed_width: float
    share: float | None


@dataclass(frozen=True)
class Bar:
    key: str
    value: int
    width: float
    share: float  # of the total, percent


def _split(priority: int, target: str, met: Met) -> SplitBar:
    if met.total == 0:
        return SplitBar(f"P{priority}", priority, target, 0, 0, 0.0, 0.0, None)
    met_width = BAR_WIDTH * met.met / met.total
    return SplitBar(
        f"P{priority}",
        priority,
        target,
        met.met,
        met.missed,
        round(met_width, 1),
        round(BAR_WIDTH - met_width, 1),
        met.share,
    )


def sla_bars(report: Report) -> list[SplitBar]:
    """Reaction and resolution kept/missed, per priority that had tickets."""
    bars = []
    for p in report.figures.by_priority:
        bars.append(_split(int(p.priority), "reaction", p.reaction))
        bars.append(_split(int(p.priority), "resolution", p.resolution))
    return bars


def _bars(values: list[tuple[str, int]]) -> list[Bar]:
    top = max((v for _, v in values), default=0)
    total = sum(v for _, v in values)
    return [
        Bar(
            key,
            value,
            0.0 if top == 0 else round(BAR_WIDTH * value / top, 1),
            0.0 if total == 0 else 100.0 * value / total,
        )
        for key, value in values
    ]


def category_bars(report: Report) -> list[Bar]:
    items = sorted(report.figures.by_category.items(), key=lambda kv: (-kv[1], kv[0]))
    return _bars(items)


def priority_bars(report: Report) -> list[Bar]:
    return _bars([(f"{int(p.priority)}", p.tickets) for p in report.figures.by_priority])


def csat_bars(report: Report) -> list[Bar]:
    """Ratings 5 down to 1, every score shown even when nobody gave it."""
    return _bars([(str(score), report.figures.csat.get(score, 0)) for score in range(5, 0, -1)])
