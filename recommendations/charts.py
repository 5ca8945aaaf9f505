"""Server-rendered SVG bar charts: the geometry is computed here, the markup is written by the
templates `recommendations/partials/chart_bars.html` and `chart_stacked.html`.

Why the templates write the SVG: every label (a State's name, a theme) comes from an imported file,
and Django's autoescaping escapes it in the SVG as anywhere else, so no string is ever assembled into
markup by hand here.

The charts read without colour: each bar carries its name and its number in text, stacked bars name
their parts and figures in text and fill them with distinct patterns, and each chart has a one-line
summary for assistive technology (`role="img"`) and the same figures in an HTML table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

WIDTH = 640
LABEL_LINE = 18  # the label sits on its own line above its bar, so that long names need no column
BAR = 14
GAP = 10
ROW = LABEL_LINE + BAR + GAP
NUMBER_ROOM = 56  # right of the longest bar, for its number
MAX_LABEL_CHARS = 90  # at 13px, about what 640 units hold; the full label is in the table
SUMMARY_ITEMS = 8  # the summary names the largest figures; the table has them all
LEGEND_LINE = 20

# Fills told apart by shape as well as tone (for print, and for people who do not see the colours).
PATTERNS = ("solid", "hatch", "dots", "cross", "vertical", "outline")


@dataclass(frozen=True)
class BarRow:
    """One bar: its full label (table, tooltip), the label as drawn, its number and its geometry."""

    label: str
    short_label: str
    value: int
    text_y: int
    bar_y: int
    bar_width: float
    value_x: float
    value_y: int


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart and its table."""

    chart_id: str
    title: str
    summary: str
    label_header: str
    value_header: str
    rows: list[BarRow]
    height: int
    table_rows: list[tuple[str, int]]  # what the table lists: the bars, and any summarised remainder
    width: int = WIDTH


@dataclass(frozen=True)
class Segment:
    """One part of a stacked bar, filled with its series' pattern."""

    series: str
    value: int
    x: float
    width: float
    pattern_id: str


@dataclass(frozen=True)
class CaptionLine:
    text: str
    y: int


@dataclass(frozen=True)
class StackedRow:
    label: str
    caption: str  # the label with every part's figure in words: the bar read without its fills
    lines: list[CaptionLine]  # the caption as drawn: one line, or two when it is long
    total: int
    values: list[int]
    bar_y: int
    segments: list[Segment]


@dataclass(frozen=True)
class LegendEntry:
    series: str
    pattern: str
    pattern_id: str
    swatch_y: int
    text_y: int


@dataclass(frozen=True)
class StackedChart:
    """Horizontal stacked bars (e.g. responses per review) with a legend, and its table."""

    chart_id: str
    title: str
    summary: str
    label_header: str
    series: list[str]
    legend: list[LegendEntry]
    rows: list[StackedRow]
    height: int
    width: int = WIDTH


def shorten(label: str, limit: int = MAX_LABEL_CHARS) -> str:
    """The label cut to what fits on one line of the chart, marked with an ellipsis when cut."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _summary(title: str, items: Sequence[tuple[str, int]]) -> str:
    shown = ", ".join(f"{label}: {value}" for label, value in items[:SUMMARY_ITEMS])
    if len(items) > SUMMARY_ITEMS:
        more = _("and %(count)d more in the table") % {"count": len(items) - SUMMARY_ITEMS}
        return f"{title}. {shown}, {more}."
    return f"{title}. {shown}." if shown else _("%(title)s: nothing to count.") % {"title": title}


def bar_chart(
    items: Sequence[tuple[str, int]],
    *,
    chart_id: str,
    title: str,
    label_header: str,
    value_header: str,
    limit: int | None = None,
    remainder: tuple[str, int] | None = None,
) -> BarChart:
    """A horizontal bar chart of `items` (label, count), in the order given.

    With `limit`, only the first `limit` items are drawn and the table lists them all; `remainder`
    (a label and a figure summarising what was left out, e.g. "Other States (40)") ends the table.
    """
    drawn = list(items[:limit] if limit else items)
    largest = max((value for _label, value in drawn), default=0) or 1
    scale = (WIDTH - NUMBER_ROOM) / largest
    rows = []
    for index, (label, value) in enumerate(drawn):
        top = index * ROW
        width = value * scale
        rows.append(
            BarRow(
                label=label,
                short_label=shorten(label),
                value=value,
                text_y=top + 13,
                bar_y=top + LABEL_LINE,
                bar_width=round(width, 1),
                value_x=round(width + 6, 1),
                value_y=top + LABEL_LINE + 12,
            )
        )
    table_rows = list(items) + ([remainder] if remainder else [])
    return BarChart(
        chart_id=chart_id,
        title=title,
        summary=_summary(title, table_rows),
        label_header=label_header,
        value_header=value_header,
        rows=rows,
        height=max(len(rows) * ROW, ROW),
        table_rows=table_rows,
    )


def stacked_chart(
    rows: Sequence[tuple[str, Sequence[int]]],
    *,
    series: Sequence[str],
    chart_id: str,
    title: str,
    label_header: str,
) -> StackedChart:
    """Horizontal stacked bars: one bar per row (label, one count per series), all on one scale so
    that the bars' lengths compare, with a legend of the series' patterns."""
    legend = [
        LegendEntry(name, PATTERNS[i % len(PATTERNS)], f"{chart_id}-p{i}", i * LEGEND_LINE + 2, i * LEGEND_LINE + 14)
        for i, name in enumerate(series)
    ]
    largest = max((sum(values) for _label, values in rows), default=0) or 1
    scale = (WIDTH - NUMBER_ROOM) / largest
    drawn = []
    top = len(legend) * LEGEND_LINE + GAP
    for label, values in rows:
        x = 0.0
        segments = []
        for entry, value in zip(legend, values, strict=True):
            if value:
                segments.append(Segment(entry.series, value, round(x, 1), round(value * scale, 1), entry.pattern_id))
                x += value * scale
        total = sum(values)
        parts = ", ".join(f"{name} {value}" for name, value in zip(series, values, strict=True) if value)
        caption = f"{label}: {total}" + (f" ({parts})" if parts else "")
        # A caption too long for one line puts its parts on a second line rather than cutting them off.
        texts = [caption] if len(caption) <= MAX_LABEL_CHARS else [f"{label}: {total}", shorten(f"({parts})")]
        lines = [CaptionLine(text, top + 13 + i * LABEL_LINE) for i, text in enumerate(texts)]
        bar_y = top + len(lines) * LABEL_LINE
        drawn.append(StackedRow(label, caption, lines, total, list(values), bar_y, segments))
        top = bar_y + BAR + GAP
    # Each caption carries its total and parts in full: the summary is the captions.
    captions = "; ".join(row.caption for row in drawn)
    summary = f"{title}. {captions}." if drawn else _("%(title)s: nothing to count.") % {"title": title}
    return StackedChart(
        chart_id=chart_id,
        title=title,
        summary=summary,
        label_header=label_header,
        series=list(series),
        legend=legend,
        rows=drawn,
        height=max(top, len(legend) * LEGEND_LINE + GAP + ROW),
    )
