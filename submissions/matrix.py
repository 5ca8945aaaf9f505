"""The matrix of previous recommendations, as an annex: OHCHR invites stakeholders to complete the
State's matrix (every recommendation of the previous review, clustered by theme) with their
"assessment/comments on level of implementation", and its words do not count toward the limit.

The table is built from the recommendations imported for the State's previous review; the last
column holds the latest assessment from the coalition's implementation matrix of that review where
there is one (carried forward), else its own notes on the recommendation (its layer), to be completed.
"""
from __future__ import annotations

from html import escape

from django.utils.translation import gettext as _

from coalitions.models import Coalition
from recommendations.models import CoalitionRecommendation, Recommendation
from upr.models import Review


def previous_review(review: Review) -> Review | None:
    """The State's latest earlier review that has recommendations in the app."""
    return (
        Review.objects.filter(state_id=review.state_id, session__number__lt=review.session.number,
                              recommendations__isnull=False)
        .select_related("session", "state").order_by("-session__number").distinct().first()
    )


def assessed(*, coalition: Coalition, review: Review) -> dict[int, str]:
    """The latest assessment of each recommendation in the coalition's implementation matrix of that
    review, as OHCHR's last column reads it. Only assessments shared beyond the members: one marked
    members-only (a source at risk) never goes into a document OHCHR publishes."""
    from implementation.exports import ExportRow
    from implementation.models import MatrixRow

    rows = MatrixRow.objects.filter(coalition=coalition, matrix__engagement__review=review, latest__shared=True
                                    ).select_related("latest")
    return {row.recommendation_id: ExportRow(row, row.latest).assessment_text() for row in rows}


def matrix_html(*, coalition: Coalition, review: Review) -> str:
    """The annex's table: paragraph, recommendation, recommending States, response, and the
    coalition's assessment (its notes so far)."""
    recommendations = list(
        Recommendation.objects.filter(review=review).prefetch_related("recommending_states", "themes")
        .order_by("paragraph_major", "paragraph_minor", "id")
    )
    notes = dict(CoalitionRecommendation.objects.filter(coalition=coalition, recommendation__review=review)
                 .values_list("recommendation_id", "notes"))
    notes.update(assessed(coalition=coalition, review=review))
    head = "".join(f"<th>{escape(str(label))}</th>" for label in (
        _("Paragraph"), _("Recommendation"), _("Recommending States"), _("Response"),
        _("Assessment/comments on level of implementation")))
    rows = []
    for r in recommendations:
        states = ", ".join(sorted(s.name for s in r.recommending_states.all()))
        cells = (r.paragraph, r.text, states, r.get_response_display(), notes.get(r.pk, ""))
        rows.append("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
