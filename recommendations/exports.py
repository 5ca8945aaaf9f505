"""The filtered list as CSV or XLSX: every column a coalition works with, its own record included.

Spreadsheet programs run a cell that starts with =, +, - or @ as a formula; a recommendation or a
note pasted from elsewhere must not become one: every cell goes through upr.cells (`csv_lines`,
`xlsx_book`), the one writer of the app's CSV and XLSX files.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from coalitions.models import Coalition
from upr.cells import csv_lines

from .models import CoalitionRecommendation, Recommendation

__all__ = ["csv_lines", "header", "rows"]  # csv_lines: the views' one writer of CSV (upr.cells)


def header() -> list[str]:
    return [
        _("State under Review"),
        _("Session"),
        _("Cycle"),
        _("Paragraph"),
        _("Recommendation"),
        _("Recommending States"),
        _("Regional groups"),
        _("Response"),
        _("Where the State said it"),
        _("Action category"),
        _("Action category source"),
        _("Thematic cluster"),
        _("Themes"),
        _("Affected persons"),
        _("SDGs"),
        _("UPR Info issues"),
        _("Our priority"),
        _("Our notes"),
        _("Our working group"),
    ]


def rows(queryset: QuerySet[Recommendation], *, coalition: Coalition) -> Iterator[list[Any]]:
    """One list per recommendation, read in chunks of 2,000 (with their tags) to bound memory."""
    ours_by_id = {
        ours.recommendation_id: ours
        for ours in CoalitionRecommendation.objects.for_coalition(coalition).select_related("working_group")
    }
    records = queryset.select_related("review__state", "review__session").prefetch_related(
        "recommending_states", "themes", "affected_groups", "sdgs", "issues"
    )
    yes = _("yes")
    for r in records.iterator(chunk_size=2000):
        ours = ours_by_id.get(r.pk)
        states = list(r.recommending_states.all())
        groups = sorted({s.get_regional_group_display() for s in states if s.regional_group})
        yield [  # raw values: upr.cells neutralises them in CSV and writes them as text in XLSX
            r.review.state.name,
            r.review.session.number,
            r.review.session.cycle,
            r.paragraph,
            r.text,
            "; ".join(s.name for s in states),
            "; ".join(groups),
            r.get_response_display(),
            r.response_source,
            r.action_category or "",
            r.get_action_category_status_display(),
            r.thematic_cluster,
            "; ".join(t.name for t in r.themes.all()),
            "; ".join(g.name for g in r.affected_groups.all()),
            "; ".join(str(s.number) for s in r.sdgs.all()),
            "; ".join(i.name for i in r.issues.all()),
            yes if ours and ours.priority else "",
            ours.notes if ours else "",
            ours.working_group.name if ours and ours.working_group else "",
        ]
