"""Our own simple CSV template, for recommendations from anywhere else (a national report, a
mid-term report, a table typed by hand): one row per recommendation, in one review.

The template is offered for download with these columns; a person may also save it as .xlsx.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from upr.inputs import parse_int
from upr.models import Review
from upr.reference import StateIndex

from .models import Source
from .ohchr import SDG as SDG_LABEL
from .ohchr import ParsedRecommendation
from .row_import import ImportReport, Problem, Row, resolve, save_rows, source_key
from .spreadsheet import Table

# (column, what goes in it): the download's header and the upload page's explanation.
COLUMNS = [
    ("paragraph", _("Paragraph number in the Working Group report, e.g. 140.12 (optional).")),
    ("recommendation", _("The full text of the recommendation (required).")),
    ("recommending_states", _("The recommending State(s), separated by semicolons, e.g. Chile; Türkiye (required).")),
    ("response", _("Supported, Noted, Supported in part or Pending (empty: Pending).")),
    ("response_source", _("Where the State said it, e.g. A/HRC/59/15/Add.1 - Para.3 (optional).")),
    ("thematic_cluster", _("The heading it is listed under (optional).")),
    ("themes", _("Themes, separated by semicolons (optional).")),
    ("affected_persons", _("Groups of persons concerned, separated by semicolons (optional).")),
    ("sdgs", _("SDG numbers, separated by semicolons, e.g. 5; 16 (optional).")),
    ("action_category", _("UPR Info's action category 1-5 (optional: suggested from the first verb when empty).")),
]
HEADER = [name for name, _help in COLUMNS]
REQUIRED = ("recommendation", "recommending_states")
SDG_NAMES = {
    1: "No poverty",
    2: "Zero hunger",
    3: "Good health and well-being",
    4: "Quality education",
    5: "Gender equality",
    6: "Clean water and sanitation",
    7: "Affordable and clean energy",
    8: "Decent work and economic growth",
    9: "Industry, innovation and infrastructure",
    10: "Reduced inequalities",
    11: "Sustainable cities and communities",
    12: "Responsible consumption and production",
    13: "Climate action",
    14: "Life below water",
    15: "Life on land",
    16: "Peace, justice and strong institutions",
    17: "Partnerships for the goals",
}


def is_template(table: Table) -> bool:
    return all(column in table.fieldnames for column in REQUIRED)


def _split(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def check_row(line: int, raw: dict[str, str], states: StateIndex) -> tuple[Row | None, str | None]:
    text = " ".join((raw.get("recommendation") or "").split())
    if not text:
        return None, "the recommendation has no text"
    paragraph = (raw.get("paragraph") or "").strip()
    sdgs = []
    for part in _split(raw.get("sdgs", "")):
        match = SDG_LABEL.match(part)
        number = int(match.group(1)) if match else parse_int(part, minimum=1, maximum=17) or 0
        if number not in SDG_NAMES:
            return None, f"SDG {part!r} is not a goal from 1 to 17"
        sdgs.append((number, SDG_NAMES[number]))
    action_text = (raw.get("action_category") or "").strip()
    if action_text and action_text not in {"1", "2", "3", "4", "5"}:
        return None, f"action category {action_text!r} is not 1 to 5"
    parsed = ParsedRecommendation(
        row=line,
        paragraph=paragraph[:20],
        text=text,
        state_groups=[(name, True) for name in _split(raw.get("recommending_states", ""))],
        position=(raw.get("response") or "").strip(),
        source=(raw.get("response_source") or "").strip(),
        cluster=(raw.get("thematic_cluster") or "").strip(),
        themes=_split(raw.get("themes", "")),
        groups=_split(raw.get("affected_persons", "")),
        sdgs=sdgs,
    )
    row, problem = resolve(parsed, states)
    if row is not None and action_text:
        row.action = int(action_text)
    return row, problem


def import_template(table: Table, *, review: Review, source_name: str = "", mode: str = "skip") -> ImportReport:
    """Import the rows of a filled-in template into `review`."""
    states = StateIndex()
    report = ImportReport()
    rows: list[Row] = []
    seen: set[str] = set()
    for line, raw in table:
        row, problem = check_row(line, raw, states)
        if row is not None and source_key(row) in seen:
            what = f"paragraph {row.parsed.paragraph}" if row.parsed.paragraph else "the same recommendation"
            row, problem = None, f"{what} appears twice in the file"
        if problem:
            report.problems.append(Problem(line, "", problem))
            continue
        assert row is not None
        seen.add(source_key(row))
        rows.append(row)
    if report.problems and mode == "all_or_nothing":
        report.saved = False
        return report
    with transaction.atomic():
        save_rows(rows, review=review, source=Source.TEMPLATE, source_name=source_name, report=report)
    return report
