"""The engagement's draft recommendations (the coalition's asks) and their impact."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalitions.models import Engagement, Role
from coalitions.tenancy import CoalitionRequest, require_role
from recommendations.forms import DecisionForm
from recommendations.models import Recommendation

from .. import selectors, services
from ..forms import DraftRecommendationForm
from ..models import DraftRecommendation
from .common import engagement_of

# Drafts shown on a page of the list: a phone on a slow line gets 50 and the links to the others.
PER_PAGE = 50


def _draft(request: CoalitionRequest, engagement: Engagement, draft_id: int) -> DraftRecommendation:
    return get_object_or_404(DraftRecommendation.objects.for_coalition(request.coalition), engagement=engagement, pk=draft_id)


def draft_list(request: CoalitionRequest, coalition_slug: str, engagement_id: int) -> HttpResponse:
    engagement = engagement_of(request, engagement_id)
    form = DraftRecommendationForm(request.POST or None, engagement=engagement)
    if request.method == "POST":
        if not request.membership.can_edit:
            raise PermissionDenied
        if form.is_valid():
            services.draft_save(coalition=request.coalition, actor=request.user, engagement=engagement, data=form.cleaned_data)
            messages.success(request, _("Draft recommendation added."))
            return redirect("submissions:drafts", coalition_slug=coalition_slug, engagement_id=engagement.pk)
    rows = selectors.draft_rows(engagement=engagement)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))  # the impact below counts every draft
    return render(
        request,
        "submissions/draft_list.html",
        {
            "engagement": engagement,
            "rows": page,
            "page": page,
            "impact": selectors.impact_summary(rows),
            "form": form,
            "can_edit": request.membership.can_edit,
        },
        status=400 if form.errors else 200,
    )


@require_role(Role.EDITOR)
def draft_edit(request: CoalitionRequest, coalition_slug: str, engagement_id: int, draft_id: int) -> HttpResponse:
    engagement = engagement_of(request, engagement_id)
    draft = _draft(request, engagement, draft_id)
    form = DraftRecommendationForm(request.POST or None, instance=draft, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        services.draft_save(
            coalition=request.coalition, actor=request.user, engagement=engagement, draft=draft, data=form.cleaned_data
        )
        messages.success(request, _("Draft recommendation saved."))
        return redirect("submissions:drafts", coalition_slug=coalition_slug, engagement_id=engagement.pk)
    return render(
        request,
        "submissions/draft_edit.html",
        {"engagement": engagement, "draft": draft, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@require_role(Role.EDITOR)
def draft_delete(request: CoalitionRequest, coalition_slug: str, engagement_id: int, draft_id: int) -> HttpResponse:
    engagement = engagement_of(request, engagement_id)
    services.draft_delete(coalition=request.coalition, actor=request.user, draft=_draft(request, engagement, draft_id))
    messages.success(request, _("Draft recommendation deleted."))
    return redirect("submissions:drafts", coalition_slug=coalition_slug, engagement_id=engagement.pk)


@require_POST
@require_role(Role.EDITOR)
def impact_decide(
    request: CoalitionRequest, coalition_slug: str, engagement_id: int, draft_id: int, recommendation_id: int
) -> HttpResponse:
    """Confirm that a State's recommendation takes up this draft, or reject the suggested match."""
    engagement = engagement_of(request, engagement_id)
    draft = _draft(request, engagement, draft_id)
    recommendation = get_object_or_404(Recommendation, pk=recommendation_id, review=engagement.review)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.impact_decide(
                coalition=request.coalition,
                actor=request.user,
                draft=draft,
                recommendation=recommendation,
                decision=form.cleaned_data["decision"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("Confirm or reject the match."))
    response = redirect("submissions:drafts", coalition_slug=coalition_slug, engagement_id=engagement.pk)
    response["Location"] += f"#draft-{draft.pk}"
    return response
