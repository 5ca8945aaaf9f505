"""From the matrix to the next documents: the mid-term report, and the carry-forward into the next
review's draft recommendations.

The mid-term report is a document of the drafting engine (kind "mid_term_report"), pre-filled: a
methodology, one chapter per cluster (owned by the cluster's working group) with its traffic-light
table and assessments, the coalition's own contributions, and recommendations for the next cycle.
The working groups then edit it, sign on and export it like any document.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from coalitions.models import Engagement, Membership
from submissions import services as documents
from submissions.models import Document, DraftRecommendation
from upr import generated_text
from upr.rules import DOCUMENT_LANGUAGES

from .exports import ExportRow, export_rows
from .models import Light, Matrix, MatrixRow
from .selectors import dashboard

NOT_DONE = (Light.RED, Light.ORANGE, Light.GREY)  # what the next cycle should ask again


def _p(text: str) -> str:
    return generated_text.render([generated_text.paragraph(text)])


def _methodology(matrix: Matrix, rows: list[ExportRow], membership: Membership) -> str:
    board = dashboard(matrix=matrix, membership=membership)
    review = matrix.engagement.review
    return generated_text.render(
        [
            generated_text.paragraph(
                _(
                    "This report assesses the implementation of the %(n)d recommendations %(state)s received at its review in "
                    "%(session)s: %(supported)d supported and %(noted)d noted."
                )
                % {
                    "n": len(rows),
                    "state": review.state.name,
                    "session": review.session,
                    "supported": sum(1 for r in rows if r.row.recommendation.response == "supported"),
                    "noted": sum(1 for r in rows if r.row.recommendation.response == "noted"),
                }
            ),
            generated_text.paragraph(
                _(
                    "%(coalition)s grouped them into %(clusters)d clusters, each followed by a working group. Each recommendation "
                    "was assessed for law, policy and practice (fully, partially or not implemented, or no information) and given "
                    "an overall traffic light: green (implemented), orange (partly), red (not implemented), grey (no information). "
                    "Assessments rest on the evidence listed with them."
                )
                % {"coalition": matrix.coalition.name, "clusters": matrix.clusters.count()}
            ),
            generated_text.paragraph(
                _(
                    "Overall, %(p)d%% of the recommendations are implemented fully or partly (%(done)d of %(n)d; %(assessed)d "
                    "assessed)."
                )
                % {
                    "p": board.overall.percent,
                    "done": board.overall.implemented,
                    "n": board.overall.total,
                    "assessed": board.overall.assessed,
                }
            ),
        ]
    )


def _cluster_chapter(items: list[ExportRow]) -> str:
    counts = {light: sum(1 for i in items if i.assessment and i.assessment.light == light) for light in Light.values}
    summary = _(
        "%(n)d recommendations: %(green)d green, %(orange)d orange, %(red)d red, %(grey)d grey, %(none)d not assessed."
    ) % {"n": len(items), **counts, "none": sum(1 for i in items if i.assessment is None)}
    rows = [
        (
            f"{i.row.recommendation.paragraph} {i.row.recommendation.text}",
            i.row.recommendation.get_response_display(),
            i.assessment.get_light_display() if i.assessment else _("Not assessed"),
            i.assessment.narrative if i.assessment else "",
        )
        for i in items
    ]
    head = (_("Recommendation"), _("Position"), _("Overall"), _("Assessment"))
    return generated_text.render([generated_text.paragraph(summary), generated_text.table(head, rows)])


def _contributions(rows: list[ExportRow]) -> str:
    items = [(r, action) for r in rows for action in r.row.support_actions.all()]
    if not items:
        return _p(_("To be written: what the coalition did to support implementation."))
    return generated_text.render(
        [
            generated_text.bullets(
                f"{action.what}{' (' + action.who + ')' if action.who else ''}{', ' + action.when if action.when else ''}"
                f": {r.row.recommendation.paragraph}"
                for r, action in items
            )
        ]
    )


def _next_cycle(rows: list[ExportRow]) -> str:
    asks = [r for r in rows if r.assessment is None or r.assessment.light in NOT_DONE]
    if not asks:
        return _p(_("Every recommendation is assessed as implemented."))
    return generated_text.render(
        [
            generated_text.paragraph(_("States should ask again, in the next review, for what is not done:")),
            generated_text.bullets(
                _("As previously recommended (%(paragraph)s): %(text)s")
                % {"paragraph": r.row.recommendation.paragraph, "text": r.row.recommendation.text}
                for r in asks
            ),
        ]
    )


class MidtermReportExists(Exception):
    """The engagement has its mid-term report already: it is opened, not made a second time."""

    def __init__(self, document: Document) -> None:
        super().__init__(
            _(
                'This review\'s mid-term report exists already: "%(title)s". It is opened instead of made '
                "again, so that the working groups' edits stay."
            )
            % {"title": document.title}
        )
        self.document = document


def midterm_existing(*, matrix: Matrix) -> Document | None:
    """The mid-term report already made for the matrix's engagement, if any."""
    return (
        Document.objects.filter(coalition=matrix.coalition, engagement=matrix.engagement, kind="mid_term_report")
        .order_by("created_at", "pk")
        .first()
    )


def report_language(value: object) -> str:
    """The language a report is asked for in: one of the documents' languages, else the reader's."""
    known = dict(DOCUMENT_LANGUAGES)
    if isinstance(value, str) and value in known:
        return value
    current = (translation.get_language() or "en")[:2]
    return current if current in known else "en"


@transaction.atomic
def midterm_create(*, matrix: Matrix, membership: Membership, language: str = "en") -> Document:
    """A mid-term report pre-filled from the matrix as the person may see it (observers cannot make one).

    Its title, chapters and tables are written in the report's `language` (the document's language,
    which the exports also follow), not in the language of the page it was asked from.

    One per engagement: generating it again raises MidtermReportExists with the existing report
    (the pages open it, the API answers 409 with its id), rather than make a second document or
    overwrite the chapters the working groups have edited since. Two requests at the same moment
    queue on the matrix's row: the second finds the first one's report."""
    if not membership.can_edit:
        raise ValidationError(_("Editors and the secretariat make the mid-term report."))
    Matrix.objects.select_for_update().filter(pk=matrix.pk).first()  # a no-op on SQLite, whose writes queue anyway
    existing = midterm_existing(matrix=matrix)
    if existing is not None:
        raise MidtermReportExists(existing)
    if language not in dict(DOCUMENT_LANGUAGES):
        raise ValidationError(_("Choose the report's language among English, French and Spanish."))
    with translation.override(language):
        return _midterm_write(matrix=matrix, membership=membership, language=language)


def _midterm_write(*, matrix: Matrix, membership: Membership, language: str) -> Document:
    rows = export_rows(matrix=matrix, membership=membership)
    actor = membership.user
    review = matrix.engagement.review
    document = documents.document_create(
        coalition=matrix.coalition,
        actor=actor,
        engagement=matrix.engagement,
        kind="mid_term_report",
        language=language,
        title=_("Mid-term report on the implementation of the UPR recommendations to %(state)s") % {"state": review.state.name},
    )
    document.sections.all().delete()  # the engine's starting sections: replaced by the chapters below
    note = _("Made from the implementation matrix")
    documents.section_add(
        document=document, actor=actor, title=_("Methodology"), note=note, body=_methodology(matrix, rows, membership)
    )
    by_cluster: dict[int, list[ExportRow]] = {}
    for item in rows:
        by_cluster.setdefault(item.row.cluster_id, []).append(item)
    for cluster in matrix.clusters.select_related("working_group"):
        if cluster.pk in by_cluster:
            documents.section_add(
                document=document,
                actor=actor,
                title=cluster.name,
                note=note,
                working_group=cluster.working_group,
                body=_cluster_chapter(by_cluster[cluster.pk]),
            )
    documents.section_add(
        document=document, actor=actor, title=_("The coalition's contributions"), note=note, body=_contributions(rows)
    )
    documents.section_add(
        document=document, actor=actor, title=_("Recommendations for the next cycle"), note=note, body=_next_cycle(rows)
    )
    return document


def previous_matrix(engagement: Engagement) -> Matrix | None:
    """The coalition's matrix of the same State's latest earlier review."""
    return (
        Matrix.objects.filter(
            coalition=engagement.coalition,
            engagement__review__state=engagement.review.state_id,
            engagement__review__session__number__lt=engagement.review.session.number,
        )
        .select_related("engagement__review__session", "engagement__review__state")
        .order_by("-engagement__review__session__number")
        .first()
    )


def carry_forward_candidates(*, engagement: Engagement) -> tuple[Matrix | None, list[MatrixRow]]:
    """The previous review's rows not implemented (red, orange, grey or never assessed), with no draft
    of this engagement following them up yet."""
    earlier = previous_matrix(engagement)
    if earlier is None:
        return None, []
    taken = DraftRecommendation.objects.filter(
        coalition=engagement.coalition, engagement=engagement, follows_up__isnull=False
    ).values("follows_up")
    rows = (
        MatrixRow.objects.filter(coalition=engagement.coalition, matrix=earlier)
        .exclude(latest__light=Light.GREEN)
        .exclude(recommendation__in=taken)
        .select_related("recommendation", "cluster", "latest")
        .order_by("cluster__position", "recommendation__paragraph_major", "recommendation__paragraph_minor")
    )
    return earlier, list(rows)


@transaction.atomic
def carry_forward(*, engagement: Engagement, actor: User, row_ids: list[int]) -> list[DraftRecommendation]:
    """New draft recommendations of `engagement`, one per chosen row, "as previously recommended"."""
    _earlier, candidates = carry_forward_candidates(engagement=engagement)
    chosen = [row for row in candidates if row.pk in set(row_ids)]
    last = (
        DraftRecommendation.objects.filter(engagement=engagement).order_by("-position").values_list("position", flat=True).first()
        or 0
    )
    drafts = []
    for n, row in enumerate(chosen, start=1):
        r = row.recommendation
        drafts.append(
            DraftRecommendation.objects.create(
                coalition=engagement.coalition,
                engagement=engagement,
                position=last + n,
                created_by=actor,
                follows_up=r,
                text=_("As previously recommended (%(paragraph)s): %(text)s") % {"paragraph": r.paragraph, "text": r.text},
                responsible_actor=row.lead_body,
                timeframe="",
            )
        )
    if drafts:
        from coalitions.audit import audit_record

        audit_record(
            coalition=engagement.coalition,
            actor=actor,
            action="draft.create",
            target=drafts[0],
            changes={"carried forward": ["", str(len(drafts))]},
        )
    return drafts
