"""Bring a review's recommendations in from a file, and the template for files from anywhere else.

The rows are shared reference data (the same for every coalition), so an import here is verified
against the file's own identification, shown as a preview before anything changes, confirmed, then
recorded and announced to every coalition following the State, and can be undone (see
recommendations.shared_imports for who may do what, and why). Only admins import.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalitions.models import Coalition, Engagement, Role
from coalitions.tenancy import CoalitionRequest, require_role
from upr.models import Review

from .. import shared_imports
from ..exports import csv_lines
from ..file_import import ImportRefused
from ..forms import ImportForm
from ..shared_imports import ImportNotAllowed
from ..template import COLUMNS, HEADER

LOG_SHOWN = 20


def importable_reviews(coalition: Coalition) -> QuerySet[Review]:
    """Every review (all cycles) of the States the coalition follows in an engagement."""
    states = Engagement.objects.for_coalition(coalition).values("review__state")
    return Review.objects.filter(state__in=states).select_related("state", "session").order_by("state__name", "-session__number")


def _log(request: CoalitionRequest) -> list[dict[str, Any]]:
    """The latest shared imports of the States the coalition follows, with whether this person may undo each."""
    records = shared_imports.imports_for(coalition=request.coalition)[:LOG_SHOWN]
    return [
        {"record": r, "can_undo": shared_imports.may_undo(r, actor=request.user, coalition=request.coalition)} for r in records
    ]


@require_role(Role.ADMIN)
def recommendation_import(request: CoalitionRequest, coalition_slug: str) -> HttpResponse:
    """GET: the form. POST with a file: verified, then previewed (nothing changes). POST `confirm`
    (the preview's id): imported, recorded and announced."""
    reviews = importable_reviews(request.coalition)
    confirming = request.method == "POST" and "confirm" in request.POST
    form = ImportForm(
        None if confirming else (request.POST or None),
        None if confirming else (request.FILES or None),
        reviews=reviews,
        initial={"review": request.GET.get("review")},
    )
    outcome, refused, status = None, "", 200
    if confirming:
        pending = shared_imports.pending_for(pk=request.POST["confirm"], actor=request.user, coalition=request.coalition)
        if pending is None:
            raise Http404  # another person's preview, an old one, or none: as if it did not exist
        try:
            outcome = shared_imports.shared_import_confirm(pending=pending, actor=request.user)
        except (ImportRefused, ImportNotAllowed) as error:
            refused, status = str(error), 400
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            outcome = shared_imports.shared_import_start(
                content=upload.read(),
                name=upload.name,
                review=form.cleaned_data["review"],
                mode=form.cleaned_data["mode"],
                actor=request.user,
                coalition=request.coalition,
                dry_run=True,
                keep_preview=True,
            )
        except (ImportRefused, ImportNotAllowed) as error:
            refused, status = str(error), 400
    elif form.errors:
        status = 400
    report = outcome.report if outcome else None
    return render(
        request,
        "recommendations/import.html",
        {
            "form": form,
            "outcome": outcome,
            "record": outcome.record if outcome else None,
            "report": report,
            "refused": refused,
            "columns": COLUMNS,
            "has_reviews": reviews.exists(),
            "log": _log(request),
            "problems": report.problems[:500] if report else [],
            "is_staff": request.user.is_staff,
        },
        status=status,
    )


@require_POST
@require_role(Role.ADMIN)
def import_undo(request: CoalitionRequest, coalition_slug: str, import_id: int) -> HttpResponse:
    """Undo a shared import run through this coalition (site staff: any); others answer 404."""
    record = shared_imports.undoable_for(pk=import_id, actor=request.user, coalition=request.coalition)
    if record is None:
        raise Http404
    try:
        shared_imports.shared_import_undo(record=record, actor=request.user, coalition=request.coalition)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The import of %(file)s is undone: the shared recommendations are as they were before it.")
            % {"file": record.file_name},
        )
    return redirect("recommendations:import", coalition_slug=coalition_slug)


def template_download(request: CoalitionRequest, coalition_slug: str) -> HttpResponse:
    """The empty CSV template: its header row only, so that no example row is imported by mistake."""
    response = HttpResponse("".join(csv_lines(HEADER, iter(()))), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="recommendations-template.csv"'
    return response
