"""The engagement's page (its timeline, the week ahead, its tasks and what its documents asked for)
and the work on it: tasks, internal deadlines. It sits in `workplan` because it shows all of these."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalitions import selectors, services
from coalitions.forms import CustomMilestoneForm
from coalitions.models import Engagement, Role
from coalitions.tenancy import CoalitionRequest, require_role
from coalitions.views import engagement_or_404
from coalitions.withheld import sees_withheld
from submissions.selectors import engagement_impact

from .. import work_plan
from ..models import Task


def engagement_detail(request: CoalitionRequest, coalition_slug: str, engagement_id: int) -> HttpResponse:
    return _engagement_page(request, engagement_or_404(request, engagement_id))


def _engagement_page(
    request: CoalitionRequest, engagement: Engagement, custom_form: Form | None = None, status: int = 200
) -> HttpResponse:
    """The engagement's page; `custom_form` is an internal deadline refused, shown with its errors.
    The page's two forms have their own id prefixes: both have a "title" field."""
    timeline = selectors.engagement_timeline(engagement=engagement)
    return render(
        request,
        "coalitions/engagement_detail.html",
        {
            "engagement": engagement,
            "timeline": timeline,
            "next": selectors.next_milestone(timeline),
            "custom_form": custom_form or CustomMilestoneForm(auto_id="deadline_%s"),
            "impact": engagement_impact(engagement=engagement),
            "tasks": work_plan.plan(engagement=engagement),
            "now": timezone.now(),
            "sees_withheld": sees_withheld(request.membership),
            "dashboard": work_plan.engagement_week(engagement=engagement, now=timezone.now()),
            "task_form": work_plan.TaskForm(engagement=engagement, auto_id="task_%s") if request.membership.can_edit else None,
        },
        status=status,
    )


@require_POST
@require_role(Role.EDITOR)
def task_add(request: CoalitionRequest, coalition_slug: str, engagement_id: int) -> HttpResponse:
    engagement = engagement_or_404(request, engagement_id)
    form = work_plan.TaskForm(request.POST, engagement=engagement)
    if form.is_valid():
        work_plan.task_save(engagement=engagement, actor=request.user, data=form.cleaned_data)
        messages.success(request, _("Task added."))
    else:
        messages.error(
            request,
            _("The task was not added: %(errors)s")
            % {
                "errors": " ".join(
                    f"{form.fields[name].label if name in form.fields else ''}: {e}".strip(": ")
                    for name, errors in form.errors.items()
                    for e in errors
                )
            },
        )
    return redirect(reverse("workplan:engagement", args=[coalition_slug, engagement.pk]) + "#tasks")


@require_POST
@require_role(Role.MEMBER)
def task_status(request: CoalitionRequest, coalition_slug: str, engagement_id: int, task_id: int) -> HttpResponse:
    engagement = engagement_or_404(request, engagement_id)
    task = get_object_or_404(Task.objects.for_coalition(request.coalition), engagement=engagement, pk=task_id)
    try:
        work_plan.task_set_status(task=task, membership=request.membership, status=request.POST.get("status", ""))
    except PermissionDenied as error:
        messages.error(request, str(error))
    return redirect(reverse("workplan:engagement", args=[coalition_slug, engagement.pk]) + "#tasks")


@require_POST
@require_role(Role.ADMIN)
def milestone_add(request: CoalitionRequest, coalition_slug: str, engagement_id: int) -> HttpResponse:
    engagement = engagement_or_404(request, engagement_id)
    form = CustomMilestoneForm(request.POST, auto_id="deadline_%s")
    if form.is_valid():
        services.milestone_add(engagement=engagement, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Internal deadline added."))
        return redirect("workplan:engagement", coalition_slug=coalition_slug, engagement_id=engagement.pk)
    return _engagement_page(request, engagement, custom_form=form, status=400)
