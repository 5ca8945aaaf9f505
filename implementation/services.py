"""Writes of the implementation matrix: validated, atomic, audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from coalitions.audit import audit_record
from coalitions.models import Engagement, Membership
from recommendations.models import Recommendation
from upr.uploads import stored_name

from . import access, evidence
from .models import FOUR_PILLARS, Assessment, Cluster, ClusterScheme, Evidence, Matrix, MatrixRow

OTHER_CLUSTER = gettext_lazy("Other")  # a recommendation OHCHR gave no cluster (lazy: named in the builder's language)


@transaction.atomic
def matrix_build(*, engagement: Engagement, actor: User, scheme: str) -> Matrix:
    """One row per recommendation of the engagement's review, supported and noted alike, in clusters:
    OHCHR's (as in its thematic list), the four pillars (rows start in the first; move them), or one
    cluster to split."""
    if Matrix.objects.filter(engagement=engagement).exists():
        raise ValidationError(_("This engagement has its matrix already."))
    recommendations = list(
        Recommendation.objects.filter(review=engagement.review)
        .order_by("paragraph_major", "paragraph_minor", "id")
        .values_list("pk", "thematic_cluster")
    )
    if not recommendations:
        raise ValidationError(_("The review's recommendations are not in the app yet: import them first."))
    try:
        with transaction.atomic():
            matrix = Matrix.objects.create(coalition=engagement.coalition, engagement=engagement, scheme=scheme, created_by=actor)
    except IntegrityError:  # a second click, or a colleague, built it at the same moment
        raise ValidationError(_("This engagement has its matrix already.")) from None
    if scheme == ClusterScheme.OHCHR:
        names = list(dict.fromkeys((name or str(OTHER_CLUSTER)) for _pk, name in recommendations))
    elif scheme == ClusterScheme.PILLARS:
        names = [str(name) for name in FOUR_PILLARS]
    else:
        names = [_("All recommendations")]
    clusters = {
        name: Cluster.objects.create(coalition=engagement.coalition, matrix=matrix, name=name[:200], position=i)
        for i, name in enumerate(names)
    }
    first = clusters[names[0]]
    MatrixRow.objects.bulk_create(
        [
            MatrixRow(
                coalition=engagement.coalition,
                matrix=matrix,
                recommendation_id=pk,
                cluster=clusters.get((name or str(OTHER_CLUSTER))[:200], first) if scheme == ClusterScheme.OHCHR else first,
            )
            for pk, name in recommendations
        ]
    )
    audit_record(coalition=engagement.coalition, actor=actor, action="matrix.create", target=matrix)
    return matrix


@transaction.atomic
def cluster_save(*, matrix: Matrix, actor: User, name: str, working_group: Any = None, cluster: Cluster | None = None) -> Cluster:
    name = name.strip()
    clash = Cluster.objects.filter(matrix=matrix, name__iexact=name).exclude(pk=cluster.pk if cluster else None)
    if clash.exists():
        raise ValidationError({"name": _("The matrix has a cluster of that name already.")})
    if cluster is None:
        position = (matrix.clusters.order_by("-position").values_list("position", flat=True).first() or 0) + 1
        cluster = Cluster.objects.create(
            coalition=matrix.coalition, matrix=matrix, name=name, position=position, working_group=working_group
        )
    else:
        cluster.name, cluster.working_group = name, working_group
        cluster.save(update_fields=["name", "working_group"])
    audit_record(coalition=matrix.coalition, actor=actor, action="cluster.save", target=cluster)
    return cluster


@transaction.atomic
def rows_move(*, matrix: Matrix, actor: User, rows: list[int], cluster: Cluster) -> int:
    if cluster.matrix_id != matrix.pk:
        raise ValidationError(_("Unknown cluster."))
    moved = MatrixRow.objects.filter(matrix=matrix, pk__in=rows).update(cluster=cluster, version=F("version") + 1)
    audit_record(coalition=matrix.coalition, actor=actor, action="matrix.move", target=cluster, changes={"rows": [str(moved)]})
    return moved


@dataclass
class Conflict(Exception):
    """A save that started from an older version: both versions go back to the person."""

    current: MatrixRow


ROW_FIELDS = ["lead_body", "supporting_bodies", "actions_expected", "due_on", "national_plan", "related_mechanisms", "cluster"]


@transaction.atomic
def row_save(
    *,
    row: MatrixRow,
    membership: Membership,
    base_version: int,
    data: dict[str, Any],
    indicators: Any = None,
    actions: Any = None,
) -> MatrixRow:
    """Save a row's plan (and its indicator and support-action formsets, already valid) if nobody
    saved it since `base_version`; else raise Conflict with the row as it is now."""
    groups = access.my_groups(membership)
    if not access.can_edit_cluster(membership, row.cluster, groups):
        raise PermissionDenied(_("Only the working group that owns this cluster, or the secretariat, changes its rows."))
    target = data.get("cluster", row.cluster)
    if target.pk != row.cluster_id and not access.can_edit_cluster(membership, target, groups):
        raise PermissionDenied(_("You cannot move rows into a cluster another working group owns."))
    fields = {name: data[name] for name in ROW_FIELDS if name in data}
    updated = MatrixRow.objects.filter(pk=row.pk, version=base_version).update(
        **fields, version=F("version") + 1, updated_by=membership.user
    )
    current = MatrixRow.objects.select_related("cluster", "updated_by").get(pk=row.pk)
    if not updated:
        raise Conflict(current)
    for formset in (indicators, actions):
        if formset is not None:
            for form in formset.forms:
                if form.instance.pk is None:
                    form.instance.coalition_id = row.coalition_id
            formset.instance = current
            formset.save()
    audit_record(coalition=row.coalition, actor=membership.user, action="row.update", target=current)
    return current


def refresh_latest(row: MatrixRow) -> None:
    """Point the row at its latest assessment and keep the light before it (for the movement)."""
    two = list(Assessment.objects.filter(row=row).order_by("-assessed_on", "-id")[:2])
    row.latest = two[0] if two else None
    row.previous_light = two[1].light if len(two) > 1 else ""
    row.save(update_fields=["latest", "previous_light"])


@transaction.atomic
def assessment_add(
    *, row: MatrixRow, membership: Membership, data: dict[str, Any], links: Sequence[dict[str, Any]] = ()
) -> Assessment:
    """Record an assessment of the row at a date, with its evidence (each a link or an `upload`, as
    evidence_add takes them); assessments are never changed afterwards (a new one is made), so the
    history shows how the row moved."""
    if not access.can_edit_cluster(membership, row.cluster, access.my_groups(membership)):
        raise PermissionDenied(_("Only the working group that owns this cluster, or the secretariat, assesses its rows."))
    assessment = Assessment.objects.create(coalition=row.coalition, row=row, created_by=membership.user, **data)
    for item in links:
        evidence_add(assessment=assessment, actor=membership.user, **item)
    refresh_latest(row)
    audit_record(
        coalition=row.coalition, actor=membership.user, action="row.assess", target=row, changes={"light": ["", assessment.light]}
    )
    return assessment


def evidence_add(
    *, assessment: Assessment, actor: User, title: str, source: str, dated: Any, url: str = "", upload: Any = None
) -> Evidence:
    """Keep a link or a checked file as evidence of the assessment."""
    if upload is None and not url:
        raise ValidationError(_("Give a file or a link."))
    item = Evidence(
        coalition=assessment.coalition, assessment=assessment, title=title, source=source, dated=dated, url=url, added_by=actor
    )
    if upload is not None:
        item.content_type, name = evidence.checked(upload)
        item.filename, item.size = name, upload.size
        item.file.save(stored_name(PurePath(name).suffix), upload, save=False)  # kept under a random name
    item.save()
    return item
