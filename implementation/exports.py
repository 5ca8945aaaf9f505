"""The matrix, exported: CSV and XLSX for work, OHCHR's matrix format as .docx (to annex to the next
stakeholder submission), and a PDF scorecard.

OHCHR invites stakeholders to complete the matrix of the previous review's recommendations in four
columns, grouped by theme: Recommendation | Position | Full list of themes | Assessment/comments on
level of implementation. Observers' exports hold only assessments marked as shared, like their pages.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalitions.models import Membership, Role
from upr.cells import xlsx_book

from .models import Assessment, Light, Matrix, MatrixRow
from .selectors import dashboard

OTHER = gettext_lazy("Other")  # lazy: in the language of each export, not the one at import


@dataclass
class ExportRow:
    row: MatrixRow
    assessment: Assessment | None

    def assessment_text(self) -> str:
        """The OHCHR matrix's last column: the light in words, the three levels, the narrative, the date."""
        a = self.assessment
        if a is None:
            return ""
        levels = _("Law: %(law)s; policy: %(policy)s; practice: %(practice)s.") % {
            "law": a.get_law_display().lower(),
            "policy": a.get_policy_display().lower(),
            "practice": a.get_practice_display().lower(),
        }
        when = _("(assessed %(date)s)") % {"date": a.assessed_on.isoformat()}
        return " ".join(part for part in (f"{a.get_light_display()}.", levels, a.narrative.strip(), when) if part)


def export_rows(*, matrix: Matrix, membership: Membership) -> list[ExportRow]:
    """Every row with its tags, indicators and support actions, in paragraph order (six queries)."""
    rows = list(
        MatrixRow.objects.filter(coalition=matrix.coalition, matrix=matrix)
        .select_related("recommendation", "cluster__working_group", "latest")
        .prefetch_related("recommendation__themes", "recommendation__recommending_states", "indicators", "support_actions")
        .order_by("recommendation__paragraph_major", "recommendation__paragraph_minor", "id")
    )
    member = membership.has_role(Role.MEMBER)
    return [ExportRow(row, row.latest if row.latest and (member or row.latest.shared) else None) for row in rows]


def header() -> list[str]:
    return [
        _("Paragraph"),
        _("Recommendation"),
        _("Recommending States"),
        _("Position"),
        _("Themes"),
        _("Cluster"),
        _("Working group"),
        _("Lead body"),
        _("Supporting bodies"),
        _("Actions expected"),
        _("To be done by"),
        _("National plan"),
        _("Indicators"),
        _("Our support actions"),
        _("Similar recommendations"),
        _("Assessed on"),
        _("Law"),
        _("Policy"),
        _("Practice"),
        _("Overall"),
        _("Assessment"),
    ]


def table(rows: list[ExportRow]) -> Iterator[list[Any]]:
    for item in rows:
        row, r, a = item.row, item.row.recommendation, item.assessment
        indicators = "; ".join(
            " ".join(
                part
                for part in (
                    i.measure,
                    f"({i.baseline} → {i.target})" if i.baseline or i.target else "",
                    i.source and f"[{i.source}]",
                    i.sdg and f"SDG {i.sdg}",
                )
                if part
            )
            for i in row.indicators.all()
        )
        actions = "; ".join(" · ".join(p for p in (s.what, s.who, s.when) if p) for s in row.support_actions.all())
        yield [  # raw values: upr.cells neutralises them in CSV and writes them as text in XLSX
            r.paragraph,
            r.text,
            "; ".join(s.name for s in r.recommending_states.all()),
            r.get_response_display(),
            "; ".join(t.name for t in r.themes.all()),
            row.cluster.name,
            row.cluster.working_group.name if row.cluster.working_group else "",
            row.lead_body,
            row.supporting_bodies,
            row.actions_expected,
            row.due_on.isoformat() if row.due_on else "",
            row.national_plan,
            indicators,
            actions,
            row.related_mechanisms,
            a.assessed_on.isoformat() if a else "",
            a.get_law_display() if a else "",
            a.get_policy_display() if a else "",
            a.get_practice_display() if a else "",
            a.get_light_display() if a else "",
            a.narrative if a else "",
        ]


def render_xlsx(rows: list[ExportRow]) -> bytes:
    return xlsx_book(header(), table(rows), title=_("Matrix"), bold_header=True, freeze="C2")


def by_theme(rows: list[ExportRow]) -> list[tuple[str, list[ExportRow]]]:
    """Rows grouped by OHCHR's thematic cluster, in the order the clusters first appear."""
    groups: dict[str, list[ExportRow]] = {}
    for item in rows:
        groups.setdefault(item.row.recommendation.thematic_cluster or str(OTHER), []).append(item)
    return list(groups.items())


def with_states(recommendation: Any) -> str:
    """The recommendation's text with its recommending States in brackets, written once: OHCHR's own
    text already ends with them ("… (Spain);"), so only a State it does not name is added."""
    from recommendations.ohchr import bracket_groups

    text = recommendation.text
    named = " ".join(group for group, _trailing in bracket_groups(text))
    missing = [
        state.name
        for state in recommendation.recommending_states.all()
        if not any(spelling and spelling in named for spelling in (state.name, *(state.aliases or [])))
    ]
    return f"{text} ({', '.join(missing)})" if missing else text


def render_ohchr_docx(*, matrix: Matrix, rows: list[ExportRow]) -> bytes:
    """OHCHR's matrix: a landscape table of four columns, a shaded heading row per theme."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Mm, Pt

    doc = Document()
    doc.core_properties.author = ""  # no person's name in a file that goes to the UN
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)  # A4, as the UN prints (python-docx's default is Letter)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))
    doc.styles["Normal"].font.size = Pt(9)
    review = matrix.engagement.review
    doc.add_heading(
        _("Matrix of recommendations: %(state)s, %(session)s") % {"state": review.state.name, "session": review.session}, level=1
    )
    doc.add_paragraph(
        _("Assessment of the level of implementation by %(coalition)s, %(date)s.")
        % {"coalition": matrix.coalition.name, "date": timezone.localdate().isoformat()}
    )
    columns = [_("Recommendation"), _("Position"), _("Full list of themes"), _("Assessment/comments on level of implementation")]
    widths = [Cm(9.5), Cm(2.5), Cm(4.5), Cm(8.5)]
    grid = doc.add_table(rows=1, cols=4)
    grid.style = "Table Grid"
    for cell, title, width in zip(grid.rows[0].cells, columns, widths, strict=True):
        cell.width = width
        cell.paragraphs[0].add_run(title).bold = True
    repeat = OxmlElement("w:tblHeader")  # the heading row on every page
    repeat.set(qn("w:val"), "true")
    grid.rows[0]._tr.get_or_add_trPr().append(repeat)
    for theme, items in by_theme(rows):
        heading = grid.add_row().cells
        merged = heading[0].merge(heading[3])
        merged.paragraphs[0].add_run(_("Theme: %(theme)s") % {"theme": theme}).bold = True
        shade = OxmlElement("w:shd")
        shade.set(qn("w:val"), "clear")
        shade.set(qn("w:fill"), "D9D9D9")
        merged._tc.get_or_add_tcPr().append(shade)
        for item in items:
            r = item.row.recommendation
            cells = grid.add_row().cells
            text = f"{r.paragraph} {with_states(r)}"
            for cell, value in zip(
                cells,
                (text, r.get_response_display(), "; ".join(t.name for t in r.themes.all()), item.assessment_text()),
                strict=True,
            ):
                cell.text = value
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_scorecard_pdf(*, matrix: Matrix, rows: list[ExportRow], membership: Membership) -> bytes:
    """A traffic-light scorecard: the figures, then each cluster's rows with their light in words."""
    from weasyprint import HTML

    from submissions.export_pdf import _NoFetching

    clusters: dict[str, list[ExportRow]] = {}
    for item in sorted(rows, key=lambda i: (i.row.cluster.position, i.row.cluster.name)):
        clusters.setdefault(item.row.cluster.name, []).append(item)
    html = render_to_string(
        "implementation/scorecard.html",
        {
            "matrix": matrix,
            "review": matrix.engagement.review,
            "clusters": clusters,
            "lights": Light,
            "board": dashboard(matrix=matrix, membership=membership),
            "today": timezone.localdate(),
        },
    )
    return HTML(string=html, url_fetcher=_NoFetching()).write_pdf()
