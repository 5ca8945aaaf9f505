"""Insights for the whole coalition (every member role reads them): the statistics of a review and
of its State across cycles, and lobbying targets on a subject, with their CSV export.

Bad input (a malformed review id, an unknown theme, a query too long) is shown on the form beside
its field with status 400, never a server error.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from coalitions.tenancy import CoalitionRequest
from upr.models import Review

from .. import exports
from ..charts import BarChart, StackedChart, bar_chart, stacked_chart
from ..forms import LobbyingForm, ReviewChoiceForm
from ..lobbying import export_header, export_rows, lobbying_targets, subject_recommendations
from ..models import Response
from ..statistics import (
    CycleRow,
    ReviewStatistics,
    cycle_statistics,
    default_review,
    review_by_id,
    review_statistics,
)

CHART_LIMIT = 30  # bars drawn in one chart; the table under it lists every row


# --- statistics -----------------------------------------------------------------------------------


def _chosen_review(request: CoalitionRequest) -> tuple[ReviewChoiceForm, Review | None]:
    """The review to count and the form, set to it: from ?state=&session= (the form, which wins),
    else ?review=<id> (a link from another page), else the review of the coalition's most recent
    engagement."""
    if "state" in request.GET or "session" in request.GET:
        form = ReviewChoiceForm(request.GET)
        return form, form.cleaned_data.get("review") if form.is_valid() else None
    if "review" in request.GET:
        review = review_by_id(request.GET["review"])
        if review is None:
            form = ReviewChoiceForm({})  # bound, so that it can carry the error
            form.add_error(None, _("There is no such review in our data. Choose a State under Review and a session."))
            return form, None
    else:
        review = default_review(coalition=request.coalition)
    # The review is known: the form only shows it (unbound, so nothing is looked up twice).
    initial = {"state": review.state.iso3, "session": review.session.number} if review else {}
    return ReviewChoiceForm(initial=initial), review


@require_safe
def statistics(request: CoalitionRequest, coalition_slug: str) -> HttpResponse:
    """A review's recommendations counted by response, theme, SDG, action category, recommending
    State and regional group, with the same State's reviews across cycles."""
    form, review = _chosen_review(request)
    context: dict[str, Any] = {"form": form, "review": review}
    if review is not None:
        stats = review_statistics(review)
        cycles = cycle_statistics(review.state)
        context.update(stats=stats, charts=_review_charts(stats), cycles=cycles, cycle_charts=_cycle_charts(cycles))
    return render(request, "recommendations/statistics.html", context, status=400 if form.errors else 200)


def _review_charts(stats: ReviewStatistics) -> dict[str, BarChart]:
    recommendations = _("Recommendations")
    remainder = None
    if stats.other_states:
        remainder = (_("Other States (%(count)d)") % {"count": stats.other_states}, stats.other_states_count)
    return {
        "responses": bar_chart(
            stats.responses,
            chart_id="chart-responses",
            title=_("Recommendations by response"),
            label_header=_("Response"),
            value_header=recommendations,
        ),
        "actions": bar_chart(
            stats.actions,
            chart_id="chart-actions",
            title=_("Recommendations by action category"),
            label_header=_("Action category"),
            value_header=recommendations,
        ),
        "themes": bar_chart(
            stats.themes,
            chart_id="chart-themes",
            title=_("Recommendations by theme"),
            label_header=_("Theme"),
            value_header=recommendations,
            limit=CHART_LIMIT,
        ),
        "sdgs": bar_chart(
            stats.sdgs,
            chart_id="chart-sdgs",
            title=_("Recommendations by Sustainable Development Goal"),
            label_header=_("SDG"),
            value_header=recommendations,
        ),
        "issues": bar_chart(
            stats.issues,
            chart_id="chart-issues",
            title=_("Recommendations by UPR Info issue"),
            label_header=_("Issue"),
            value_header=recommendations,
            limit=CHART_LIMIT,
        ),
        "states": bar_chart(
            stats.states,
            chart_id="chart-states",
            title=_("Recommendations by recommending State"),
            label_header=_("Recommending State"),
            value_header=recommendations,
            remainder=remainder,
        ),
        "groups": bar_chart(
            stats.groups,
            chart_id="chart-groups",
            title=_("Recommendations by regional group of the recommending States"),
            label_header=_("Regional group"),
            value_header=recommendations,
        ),
    }


def _cycle_charts(cycles: list[CycleRow]) -> dict[str, StackedChart]:
    labels = [_("Session %(number)d (cycle %(cycle)d)") % {"number": c.session, "cycle": c.cycle} for c in cycles]
    # Only the responses and categories that occur, so that the legend and the table stay short.
    responses = [r for r in Response if any(c.responses.get(r.value) for c in cycles)]
    categories = [n for n in (1, 2, 3, 4, 5, None) if any(c.actions.get(n) for c in cycles)]
    category_names = [_("Category %(n)d") % {"n": n} if n else _("No category") for n in categories]
    return {
        "responses": stacked_chart(
            [(label, [c.responses.get(r.value, 0) for r in responses]) for label, c in zip(labels, cycles, strict=True)],
            series=[str(r.label) for r in responses],
            chart_id="chart-cycle-responses",
            title=_("Responses, review by review"),
            label_header=_("Review"),
        ),
        "actions": stacked_chart(
            [(label, [c.actions.get(n, 0) for n in categories]) for label, c in zip(labels, cycles, strict=True)],
            series=category_names,
            chart_id="chart-cycle-actions",
            title=_("Action categories, review by review"),
            label_header=_("Review"),
        ),
    }


# --- lobbying targets -----------------------------------------------------------------------------


@require_safe
def lobbying(request: CoalitionRequest, coalition_slug: str) -> HttpResponse:
    """The States that recommended on a subject before, with their record, to choose whom to approach."""
    form = LobbyingForm(request.GET or None)
    context: dict[str, Any] = {"form": form}
    if form.is_bound and form.is_valid():
        subject = form.subject()
        recommendations = subject_recommendations(subject)
        context.update(
            subject=subject,
            targets=lobbying_targets(subject, recommendations),
            matched=recommendations.count(),
            query=request.GET.urlencode(),
        )
    return render(request, "recommendations/lobbying.html", context, status=400 if form.errors else 200)


@require_safe
def lobbying_export(request: CoalitionRequest, coalition_slug: str) -> HttpResponse | StreamingHttpResponse:
    """The lobbying targets of the same query as CSV (UTF-8 with BOM, for Excel); without a subject,
    only the header row."""
    form = LobbyingForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "recommendations/lobbying.html", {"form": form}, status=400)
    targets = lobbying_targets(form.subject()) if form.is_bound else []
    response = StreamingHttpResponse(
        exports.csv_lines(export_header(), export_rows(targets)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="lobbying-targets-{timezone.localdate().isoformat()}.csv"'
    return response
