"""Browse the recommendations: search, filters, sort, pages, export, and the priority flag."""

from __future__ import annotations

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalitions.models import Role
from coalitions.tenancy import CoalitionRequest, require_role

from .. import exports, filters, rows, search, selectors, services
from ..models import CoalitionRecommendation, Recommendation
from ..spreadsheet import write_xlsx

PAGE_SIZE = 25  # light on a slow connection (about 35 KB); the export takes the whole list


def recommendation_list(request: CoalitionRequest, coalition_slug: str) -> HttpResponse:
    found = filters.read(request.GET, request.coalition)
    queryset = selectors.recommendation_search(coalition=request.coalition, filters=found.filters)
    # A search on the coalition's own record is its own: never shared through the search cache.
    own = any(found.filters.get(name) for name in filters.OURS_FILTERS)
    page = rows.read_page(
        queryset,
        coalition=request.coalition,
        page=request.GET.get("page"),
        per_page=PAGE_SIZE,
        cache_key=None if own else search.cache_key(found.filters),
    )
    table = rows.render(
        page, base_url=reverse("recommendations:list", args=[coalition_slug]), can_edit=request.membership.can_edit
    )
    return render(
        request, "recommendations/list.html", {"search": found, "page": page, "rows": table, "filtered": bool(found.filters)}
    )


def recommendation_export(request: CoalitionRequest, coalition_slug: str, fmt: str) -> HttpResponse | StreamingHttpResponse:
    """The whole filtered list (not only the page), as CSV or XLSX."""
    found = filters.read(request.GET, request.coalition)
    queryset = selectors.recommendation_search(coalition=request.coalition, filters=found.filters)
    body = exports.rows(queryset, coalition=request.coalition)
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        content = write_xlsx(exports.header(), body, title="Recommendations")
        response: HttpResponse | StreamingHttpResponse = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        response = StreamingHttpResponse(exports.csv_lines(exports.header(), body), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="recommendations-{stamp}.{fmt}"'
    return response


@require_POST
@require_role(Role.EDITOR)
def priority_toggle(request: CoalitionRequest, coalition_slug: str, recommendation_id: int) -> HttpResponse:
    """Flag or unflag one recommendation as the coalition's priority (from the list or the detail)."""
    recommendation = get_object_or_404(Recommendation, pk=recommendation_id)
    current = (
        CoalitionRecommendation.objects.for_coalition(request.coalition)
        .filter(recommendation=recommendation, priority=True)
        .exists()
    )
    ours = services.ours_save(
        coalition=request.coalition, actor=request.user, recommendation=recommendation, priority=not current
    )
    if request.htmx:
        return HttpResponse(
            rows.priority_cell(
                ours.priority,
                name=recommendation.paragraph or rows.shorten(recommendation.text, 6),
                url=reverse("recommendations:detail", args=[coalition_slug, recommendation.pk]),
                announce=_("Flagged") if ours.priority else _("Unflagged"),
            )
        )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("recommendations:detail", coalition_slug=coalition_slug, recommendation_id=recommendation.pk)
