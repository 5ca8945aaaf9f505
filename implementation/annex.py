"""The matrix of previous recommendations, as an annex of a document: OHCHR invites stakeholders to
complete the State's matrix (every recommendation of the previous review, clustered by theme) with
their "assessment/comments on level of implementation", and its words do not count toward the limit.

The table is built from the recommendations imported for the State's previous review; the last
column holds the latest assessment from the coalition's implementation matrix of that review where
there is one (carried forward), else its own notes on the recommendation, to be completed. It lives
here, beside the implementation matrix it reads, and adds its section through the drafting engine.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from coalitions.models import Coalition
from recommendations.models import CoalitionRecommendation, Recommendation
from submissions import services as documents
from submissions.models import Document, Section
from upr import generated_text
from upr.models import Review

from .exports import ExportRow
from .models import MatrixRow


def previous_review(review: Review) -> Review | None:
    """The State's latest earlier review that has recommendations in the app."""
    return (
        Review.objects.filter(state_id=review.state_id, session__number__lt=review.session.number, recommendations__isnull=False)
        .select_related("session", "state")
        .order_by("-session__number")
        .distinct()
        .first()
    )


def assessed(*, coalition: Coalition, review: Review) -> dict[int, str]:
    """The latest assessment of each recommendation in the coalition's implementation matrix of that
    review, as OHCHR's last column reads it. Only assessments shared beyond the members: one marked
    members-only (a source at risk) never goes into a document OHCHR publishes."""
    rows = MatrixRow.objects.filter(coalition=coalition, matrix__engagement__review=review, latest__shared=True).select_related(
        "latest"
    )
    return {row.recommendation_id: ExportRow(row, row.latest).assessment_text() for row in rows}


def annex_html(*, coalition: Coalition, review: Review) -> str:
    """The annex's table: paragraph, recommendation, recommending States, response, and the
    coalition's assessment (its notes so far). The section's text, sanitised when it is stored."""
    recommendations = list(
        Recommendation.objects.filter(review=review)
        .prefetch_related("recommending_states", "themes")
        .order_by("paragraph_major", "paragraph_minor", "id")
    )
    notes = dict(
        CoalitionRecommendation.objects.filter(coalition=coalition, recommendation__review=review).values_list(
            "recommendation_id", "notes"
        )
    )
    notes.update(assessed(coalition=coalition, review=review))
    head = (
        _("Paragraph"),
        _("Recommendation"),
        _("Recommending States"),
        _("Response"),
        _("Assessment/comments on level of implementation"),
    )
    rows = [
        (
            r.paragraph,
            r.text,
            ", ".join(sorted(s.name for s in r.recommending_states.all())),
            r.get_response_display(),
            notes.get(r.pk, ""),
        )
        for r in recommendations
    ]
    return generated_text.render([generated_text.table(head, rows)])


def matrix_annex_add(*, document: Document, actor: User) -> Section:
    """Add the completed-matrix annex to `document`. Refused when the document is locked or the
    previous review's recommendations are not imported."""
    with transaction.atomic():
        documents.refuse_if_locked(document)
        earlier = previous_review(document.engagement.review)
        if earlier is None:
            raise ValidationError(_("The recommendations of the previous review are not imported yet: import them first."))
        title = _("Matrix of recommendations of the %(review)s") % {"review": earlier}
        return documents.section_add(
            document=document, actor=actor, title=title, annex=True, body=annex_html(coalition=document.coalition, review=earlier)
        )
