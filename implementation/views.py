"""Pages of the implementation matrix, under /c/<slug>/engagements/<id>/matrix/ (guarded by the
coalition middleware: outsiders get 404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalitions.models import Engagement, Role, WorkingGroup
from coalitions.selectors import engagement_list
from coalitions.tenancy import CoalitionRequest, require_role
from recommendations.models import Response
from submissions.views.common import NOT_DONE, attempt, document_of, document_url
from upr.inputs import parse_id
from upr.rules import DOCUMENT_LANGUAGES

from . import access, annex, selectors, services
from .forms import ActionFormSet, AssessmentForm, BuildForm, ClusterForm, EvidenceForm, IndicatorFormSet, RowForm
from .models import Assessment, Cluster, Evidence, Light, Matrix, MatrixRow


def _engagement(request: CoalitionRequest, engagement_id: int) -> Engagement:
    return get_object_or_404(engagement_list(coalition=request.coalition), pk=engagement_id)


def _matrix(request: CoalitionRequest, engagement_id: int) -> Matrix:
    matrix = selectors.matrix_of(_engagement(request, engagement_id))
    if matrix is None:
        raise Http404
    return matrix


def _matrix_url(matrix: Matrix, suffix: str = "") -> str:
    return reverse("implementation:matrix", args=[matrix.coalition.slug, matrix.engagement_id]) + suffix


def _row(request: CoalitionRequest, engagement_id: int, row_id: int) -> MatrixRow:
    matrix = _matrix(request, engagement_id)
    return get_object_or_404(
        MatrixRow.objects.filter(coalition=request.coalition, matrix=matrix).select_related(
            "recommendation", "cluster", "latest", "matrix__engagement__review__state", "updated_by"
        ),
        pk=row_id,
    )


def matrix_page(request: CoalitionRequest, coalition_slug: str, engagement_id: int) -> HttpResponse:
    """The matrix, cluster by cluster, 50 rows to a page (the filters kept in the page links), with
    each row's latest light and how it moved; or, before it exists, the page that builds it."""
    engagement = _engagement(request, engagement_id)
    matrix = selectors.matrix_of(engagement)
    membership = request.membership
    if matrix is None:
        return render(
            request,
            "implementation/build.html",
            {"engagement": engagement, "form": BuildForm(), "can_build": access.can_manage(membership)},
        )
    from . import rows

    filters = {key: request.GET.get(key, "")[:200] for key in ("cluster", "light", "response", "q")}
    found = rows.render(matrix=matrix, membership=membership, filters=filters, slug=coalition_slug, page=request.GET.get("page"))
    # (id, name, chosen) as plain values: the 43 clusters of an OHCHR matrix are two selects of
    # the page, and a model and a filter per option cost more than the page's 50 rows.
    clusters = [(str(pk), name, str(pk) == filters["cluster"]) for pk, name in matrix.clusters.values_list("pk", "name")]
    return render(
        request,
        "implementation/matrix.html",
        {
            "engagement": engagement,
            "matrix": matrix,
            "rows": found,
            "clusters": clusters,
            "filters": filters,
            "lights": Light.choices,
            "responses": Response.choices,
            "can_manage": access.can_manage(membership),
            "document_languages": DOCUMENT_LANGUAGES,
        },
    )


@require_POST
@require_role(Role.ADMIN)
def matrix_build(request: CoalitionRequest, coalition_slug: str, engagement_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id)
    form = BuildForm(request.POST)
    if form.is_valid():
        try:
            services.matrix_build(engagement=engagement, actor=request.user, scheme=form.cleaned_data["scheme"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Matrix built: one row per recommendation. Assign the clusters to working groups next."))
    return redirect("implementation:matrix", coalition_slug=coalition_slug, engagement_id=engagement.pk)


@require_role(Role.ADMIN)
def clusters(request: CoalitionRequest, coalition_slug: str, engagement_id: int) -> HttpResponse:
    """Rename clusters, give each to a working group, add one; move rows between them from the matrix."""
    matrix = _matrix(request, engagement_id)
    cluster = None
    if request.POST.get("cluster"):  # renaming one: an id that is none answers like an unknown one
        cluster = get_object_or_404(Cluster, matrix=matrix, pk=parse_id(request.POST["cluster"]) or 0)
    form = ClusterForm(request.POST or None, matrix=matrix)
    if request.method == "POST" and form.is_valid():
        try:
            services.cluster_save(matrix=matrix, actor=request.user, cluster=cluster, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Cluster saved."))
            return redirect(reverse("implementation:clusters", args=[coalition_slug, engagement_id]))
    elif request.method == "POST":
        messages.error(
            request, _("Not saved: %(errors)s") % {"errors": " ".join(str(e) for errs in form.errors.values() for e in errs)}
        )
    found = list(matrix.clusters.select_related("working_group").order_by("position", "name"))
    counts = dict(MatrixRow.objects.filter(matrix=matrix).values_list("cluster").annotate(n=Count("id")))
    groups = list(WorkingGroup.objects.for_coalition(matrix.coalition).values_list("pk", "name"))
    return render(
        request,
        "implementation/clusters.html",
        {
            "matrix": matrix,
            "engagement": matrix.engagement,
            "entries": [(c, counts.get(c.pk, 0)) for c in found],
            "groups": groups,
            "new_form": ClusterForm(matrix=matrix),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@require_role(Role.ADMIN)
def rows_move(request: CoalitionRequest, coalition_slug: str, engagement_id: int) -> HttpResponse:
    """Move the rows ticked on the matrix page into one cluster (how a custom scheme is sorted)."""
    matrix = _matrix(request, engagement_id)
    to = parse_id(request.POST.get("to"))
    cluster = Cluster.objects.filter(matrix=matrix, pk=to).first() if to is not None else None
    ids = [pk for pk in map(parse_id, request.POST.getlist("row")) if pk is not None]
    # Every ticked row must be this matrix's: an id of another matrix (or coalition) is refused, not
    # silently skipped and recorded as a move.
    if ids and MatrixRow.objects.filter(matrix=matrix, pk__in=ids).count() != len(set(ids)):
        ids = []
    if cluster is None or not ids:
        messages.error(request, _("Tick the rows to move and choose the cluster to move them into."))
    else:
        moved = services.rows_move(matrix=matrix, actor=request.user, rows=ids, cluster=cluster)
        messages.success(request, _("%(n)d rows moved into %(cluster)s.") % {"n": moved, "cluster": cluster.name})
    return redirect(_matrix_url(matrix))


def row_page(request: CoalitionRequest, coalition_slug: str, engagement_id: int, row_id: int) -> HttpResponse:
    """One row: its plan (editable by its cluster's working group), its assessments and their evidence."""
    row = _row(request, engagement_id, row_id)
    membership = request.membership
    editable = access.can_edit_cluster(membership, row.cluster, access.my_groups(membership))
    if request.method == "POST" and not editable:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = RowForm(data, instance=row)
    indicators = IndicatorFormSet(data, instance=row, prefix="indicators")
    actions = ActionFormSet(data, instance=row, prefix="actions")
    conflict = None
    status = 200
    if data is not None:
        if form.is_valid() and indicators.is_valid() and actions.is_valid():
            try:
                services.row_save(
                    row=row,
                    membership=membership,
                    base_version=form.cleaned_data["base_version"],
                    data=form.cleaned_data,
                    indicators=indicators,
                    actions=actions,
                )
            except services.Conflict as clash:
                conflict, status = clash.current, 409
                form = RowForm(data, instance=row)  # what the person typed stays on the page
                form.is_valid()
                retyped = data.copy()  # the form's data: the request's QueryDict, copied to be changed
                retyped["base_version"] = str(clash.current.version)  # saving again keeps theirs, knowingly
                form.data = retyped
            except PermissionDenied as error:
                messages.error(request, str(error))
                status = 403
            else:
                messages.success(request, _("Row saved."))
                return redirect(reverse("implementation:row", args=[coalition_slug, engagement_id, row.pk]))
        else:
            status = 400
    return render(
        request,
        "implementation/row.html",
        {
            "row": row,
            "matrix": row.matrix,
            "engagement": row.matrix.engagement,
            "form": form,
            "indicators": indicators,
            "actions": actions,
            "editable": editable,
            "conflict": conflict,
            "history": selectors.history(row=row, membership=membership),
            "assess_form": AssessmentForm(auto_id="assess_%s") if editable else None,
            "evidence_form": EvidenceForm(auto_id="evidence_%s") if editable else None,
        },
        status=status,
    )


@require_POST
def assess(request: CoalitionRequest, coalition_slug: str, engagement_id: int, row_id: int) -> HttpResponse:
    row = _row(request, engagement_id, row_id)
    form = AssessmentForm(request.POST, request.FILES, auto_id="assess_%s")
    if form.is_valid():
        piece = form.evidence()
        services.assessment_add(
            row=row,
            membership=request.membership,
            data=form.assessment_data(),
            links=[piece] if piece else [],
        )
        messages.success(request, _("Assessment recorded."))
        return redirect(reverse("implementation:row", args=[coalition_slug, engagement_id, row.pk]) + "#history")
    return _refused(request, row, form, "assess_form")


@require_POST
def evidence_add(
    request: CoalitionRequest, coalition_slug: str, engagement_id: int, row_id: int, assessment_id: int
) -> HttpResponse:
    row = _row(request, engagement_id, row_id)
    assessment = get_object_or_404(Assessment, coalition=request.coalition, row=row, pk=assessment_id)
    if not access.can_edit_cluster(request.membership, row.cluster, access.my_groups(request.membership)):
        raise PermissionDenied
    form = EvidenceForm(request.POST, request.FILES, auto_id="evidence_%s")
    if form.is_valid():
        piece = form.evidence()
        assert piece is not None  # a valid EvidenceForm has a file or a link (its clean()); ** would fail on None
        services.evidence_add(assessment=assessment, actor=request.user, **piece)
        messages.success(request, _("Evidence added."))
        return redirect(reverse("implementation:row", args=[coalition_slug, engagement_id, row.pk]) + "#history")
    return _refused(request, row, form, "evidence_form")


def _refused(request: CoalitionRequest, row: MatrixRow, form: Any, name: str) -> HttpResponse:
    """The row's page again, the refused form with its messages and what was typed (a file must be chosen again)."""
    membership = request.membership
    if not access.can_edit_cluster(membership, row.cluster, access.my_groups(membership)):
        raise PermissionDenied
    context = {
        "row": row,
        "matrix": row.matrix,
        "engagement": row.matrix.engagement,
        "form": RowForm(instance=row),
        "indicators": IndicatorFormSet(instance=row, prefix="indicators"),
        "actions": ActionFormSet(instance=row, prefix="actions"),
        "editable": True,
        "history": selectors.history(row=row, membership=membership),
        "assess_form": AssessmentForm(auto_id="assess_%s"),
        "evidence_form": EvidenceForm(auto_id="evidence_%s"),
    }
    context[name] = form
    return render(request, "implementation/row.html", context, status=400)


def evidence_download(request: CoalitionRequest, coalition_slug: str, evidence_id: int) -> FileResponse:
    """A member's download of an evidence file (observers: only of a shared assessment)."""
    item = get_object_or_404(Evidence.objects.select_related("assessment"), coalition=request.coalition, pk=evidence_id)
    if not access.sees(request.membership, item.assessment) or not item.file:
        raise Http404
    try:
        handle = item.file.open("rb")
    except OSError:  # the file is gone from the store: say so as for any missing thing
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=item.filename, content_type=item.content_type or "application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def dashboard(request: CoalitionRequest, coalition_slug: str, engagement_id: int) -> HttpResponse:
    matrix = _matrix(request, engagement_id)
    board = selectors.dashboard(matrix=matrix, membership=request.membership)
    return render(
        request,
        "implementation/dashboard.html",
        {"matrix": matrix, "engagement": matrix.engagement, "board": board, "lights": Light.choices},
    )


EXPORTS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "pdf": ("application/pdf", "pdf"),
}


def export(request: CoalitionRequest, coalition_slug: str, engagement_id: int, fmt: str) -> HttpResponse:
    """The matrix as CSV or XLSX (every column), OHCHR's four-column matrix (.docx), or the PDF scorecard."""
    if fmt not in EXPORTS:
        raise Http404
    return export_response(_matrix(request, engagement_id), request.membership, fmt)


def export_response(matrix: Matrix, membership: Any, fmt: str) -> HttpResponse:
    """The download (the page and the API both answer with it)."""
    from recommendations.exports import csv_lines

    from . import exports

    rows = exports.export_rows(matrix=matrix, membership=membership)
    content_type, extension = EXPORTS[fmt]
    if fmt == "csv":
        body: Any = "".join(csv_lines(exports.header(), exports.table(rows)))
    elif fmt == "xlsx":
        body = exports.render_xlsx(rows)
    elif fmt == "docx":
        body = exports.render_ohchr_docx(matrix=matrix, rows=rows)
    else:
        body = exports.render_scorecard_pdf(matrix=matrix, rows=rows, membership=membership)
    review = matrix.engagement.review
    name = {"docx": "ohchr-matrix", "pdf": "scorecard"}.get(fmt, "matrix")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{review.state.iso3.lower()}-{review.session.number}.{extension}"'
    )
    return response


@require_POST
@require_role(Role.EDITOR)
def midterm(request: CoalitionRequest, coalition_slug: str, engagement_id: int) -> HttpResponse:
    """Generate the mid-term report from the matrix and open it in the editor."""
    from .midterm import MidtermReportExists, midterm_create, report_language

    matrix = _matrix(request, engagement_id)
    try:
        document = midterm_create(
            matrix=matrix,
            membership=request.membership,
            language=report_language(request.POST.get("language")),
        )
    except MidtermReportExists as exists:  # generated before: open that one, edits kept
        messages.info(request, str(exists))
        document = exists.document
    else:
        messages.success(request, _("Mid-term report made from the matrix. The working groups can now edit their chapters."))
    return redirect("documents:detail", coalition_slug=coalition_slug, document_id=document.pk)


def carry_forward(request: CoalitionRequest, coalition_slug: str, engagement_id: int) -> HttpResponse:
    """On the next review's engagement: the previous matrix's recommendations not implemented,
    offered as new draft recommendations ("as previously recommended")."""
    from . import midterm

    engagement = _engagement(request, engagement_id)
    if request.method == "POST":
        if not request.membership.can_edit:
            raise PermissionDenied
        ids = [pk for pk in map(parse_id, request.POST.getlist("row")) if pk is not None]
        drafts = midterm.carry_forward(engagement=engagement, actor=request.user, row_ids=ids)
        if drafts:
            messages.success(
                request, _("%(n)d draft recommendations added: make each SMART before you send it.") % {"n": len(drafts)}
            )
            return redirect("submissions:drafts", coalition_slug=coalition_slug, engagement_id=engagement.pk)
        messages.error(request, _("Tick the recommendations to carry forward."))
    earlier, rows = midterm.carry_forward_candidates(engagement=engagement)
    return render(request, "implementation/carry_forward.html", {"engagement": engagement, "earlier": earlier, "rows": rows})


@require_POST
@require_role(Role.ADMIN)
def matrix_annex(request: CoalitionRequest, coalition_slug: str, document_id: int) -> HttpResponse:
    """Add the completed matrix of the previous review to a document, as an annex (the form is on the document page)."""
    document = document_of(request, document_id)
    added = attempt(
        request,
        lambda: annex.matrix_annex_add(document=document, actor=request.user),
        _("The matrix is added as an annex: complete its last column."),
    )
    return redirect(document_url(coalition_slug, document.pk, "" if added is NOT_DONE else f"section-{added.pk}"))
