"""Bring a review's recommendations in from a file, and the template for files from anywhere else.

The rows become shared reference data (the same for every coalition); the coalition's trail records
who imported which file. Only admins import: a wrong file touches what every coalition reads.
"""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from coalitions.models import Engagement, Role
from coalitions.tenancy import require_role
from upr.models import Review

from .. import services
from ..exports import csv_lines
from ..forms import ImportForm
from ..imports import ImportRefused, import_file
from ..template import COLUMNS, HEADER


def importable_reviews(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Every review (all cycles) of the States the coalition follows in an engagement."""
    states = Engagement.objects.for_coalition(request.coalition).values("review__state")  # type: ignore[attr-defined]
    return Review.objects.filter(state__in=states).select_related("state", "session").order_by("state__name", "-session__number")


@require_role(Role.ADMIN)
def recommendation_import(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    reviews = importable_reviews(request)
    form = ImportForm(request.POST or None, request.FILES or None, reviews=reviews,
                      initial={"review": request.GET.get("review")})
    report, refused = None, ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        review = form.cleaned_data["review"]
        try:
            report = import_file(upload.file, name=upload.name, review=review, mode=form.cleaned_data["mode"])
        except ImportRefused as error:
            refused = str(error)
        else:
            summary = report.summary() if report.saved else _("nothing imported")
            services.import_recorded(coalition=request.coalition, actor=request.user, review=review, name=upload.name,
                                     summary=summary)
    status = 400 if (form.errors or refused) else 200
    return render(request, "recommendations/import.html", {
        "form": form, "report": report, "refused": refused, "columns": COLUMNS, "has_reviews": reviews.exists(),
        "problems": report.problems[:500] if report else [],
    }, status=status)


def template_download(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    """The empty CSV template: its header row only, so that no example row is imported by mistake."""
    response = HttpResponse("".join(csv_lines(HEADER, iter(()))), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="recommendations-template.csv"'
    return response
