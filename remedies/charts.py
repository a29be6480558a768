"""Geometry for the small server-rendered SVG charts on the pair page (no JavaScript).

Templates draw the shapes; every chart also comes with its numbers as text.
"""

from dataclasses import dataclass
from datetime import date

VOTES_WIDTH = 600
VOTES_HEIGHT = 160
VOTES_LABEL_SPACE = 18
OUTCOME_WIDTH = 600
OUTCOME_BAR_HEIGHT = 22
OUTCOME_ROW_HEIGHT = 48


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    css_class: str
    label: str


@dataclass
class MonthColumn:
    label: str  # "Jan 2026", for text
    short_label: str  # "Jan", or "Jan ’26" where the year changes, under the bar
    up: int
    down: int
    up_bar: Bar
    down_bar: Bar
    label_x: float


def votes_chart(months: list[tuple[date, int, int]]) -> dict | None:
    """Diverging monthly bars: up-votes above the middle line, down-votes below it."""
    if not months:
        return None
    peak = max(max(up, down) for _, up, down in months) or 1
    half = (VOTES_HEIGHT - VOTES_LABEL_SPACE) / 2
    step = VOTES_WIDTH / len(months)
    width = min(step * 0.6, 40)
    columns = []
    for i, (month, up, down) in enumerate(months):
        x = i * step + (step - width) / 2
        label = month.strftime("%b %Y")
        short = month.strftime("%b ’%y") if i == 0 or month.month == 1 else month.strftime("%b")
        up_height = half * up / peak
        down_height = half * down / peak
        columns.append(
            MonthColumn(
                label=label,
                short_label=short,
                up=up,
                down=down,
                up_bar=Bar(x, half - up_height, width, up_height, "bar-up", f"{up} up"),
                down_bar=Bar(x, half, width, down_height, "bar-down", f"{down} down"),
                label_x=x + width / 2,
            )
        )
    return {
        "width": VOTES_WIDTH,
        "height": VOTES_HEIGHT,
        "baseline": half,
        "label_y": VOTES_HEIGHT - 4,
        "columns": columns,
    }


def outcomes_chart(breakdowns) -> dict | None:
    """One stacked bar per regimen with reports: its share of each outcome."""
    rows = []
    for breakdown in breakdowns:
        if not breakdown.total:
            continue
        y = len(rows) * OUTCOME_ROW_HEIGHT + 16
        x = 0.0
        bars = []
        for value, label, count, _percent in breakdown.outcome_rows:
            width = OUTCOME_WIDTH * count / breakdown.total
            if width:
                bars.append(
                    Bar(x, y + 4, width, OUTCOME_BAR_HEIGHT, f"bar-{value}", f"{label}: {count}")
                )
            x += width
        rows.append({"label": f"{breakdown.label} ({breakdown.total})", "label_y": y, "bars": bars})
    if not rows:
        return None
    return {"width": OUTCOME_WIDTH, "height": len(rows) * OUTCOME_ROW_HEIGHT + 8, "rows": rows}
