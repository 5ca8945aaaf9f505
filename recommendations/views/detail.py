"""One recommendation: its text, States, response history, tags, the coalition's own record, and its
links to earlier cycles. Each change is a small POST form (htmx-enhanced where it helps)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalitions.models import Role
from coalitions.tenancy import CoalitionRequest, require_role

from .. import selectors, services
from ..forms import ActionCategoryForm, DecisionForm, OursForm, ResponseForm
from ..models import Recommendation


def _page(request: CoalitionRequest, recommendation: Recommendation, *, status: int = 200, **forms) -> HttpResponse:
    detail = selectors.recommendation_detail(coalition=request.coalition, recommendation=recommendation)
    ours = detail.ours
    context = {
        "detail": detail,
        "r": detail.recommendation,
        "can_edit": request.membership.can_edit,
        "ours_form": forms.get("ours_form")
        or OursForm(
            coalition=request.coalition,
            initial={
                "priority": ours.priority if ours else False,
                "notes": ours.notes if ours else "",
                "working_group": ours.working_group_id if ours else None,
            },
        ),
        "response_form": forms.get("response_form") or ResponseForm(operator=request.user.is_staff),
        "category_form": forms.get("category_form")
        or ActionCategoryForm(
            operator=request.user.is_staff,
            initial={
                "category": (ours.action_category if ours and ours.action_category else None)
                or detail.recommendation.action_category
            },
        ),
    }
    return render(request, "recommendations/detail.html", context, status=status)


def recommendation_detail(request: CoalitionRequest, coalition_slug: str, recommendation_id: int) -> HttpResponse:
    return _page(request, get_object_or_404(Recommendation, pk=recommendation_id))


def _back(coalition_slug: str, recommendation: Recommendation, anchor: str = "") -> HttpResponse:
    response = redirect("recommendations:detail", coalition_slug=coalition_slug, recommendation_id=recommendation.pk)
    response["Location"] += anchor
    return response


def _change(
    request: CoalitionRequest,
    coalition_slug: str,
    recommendation_id: int,
    *,
    form: Form,
    name: str,
    save: Callable[[Recommendation, dict], object],
    done: str,
    anchor: str,
) -> HttpResponse:
    """The detail page's small forms: valid, the change is saved and the page shown again at `anchor`
    with `done`; invalid, the page with the form's errors (400) and nothing saved."""
    recommendation = get_object_or_404(Recommendation, pk=recommendation_id)
    if not form.is_valid():
        return _page(request, recommendation, status=400, **{name: form})
    save(recommendation, form.cleaned_data)
    messages.success(request, done)
    return _back(coalition_slug, recommendation, anchor)


@require_POST
@require_role(Role.EDITOR)
def ours_edit(request: CoalitionRequest, coalition_slug: str, recommendation_id: int) -> HttpResponse:
    return _change(
        request,
        coalition_slug,
        recommendation_id,
        form=OursForm(request.POST, coalition=request.coalition),
        name="ours_form",
        done=_("Your coalition's notes are saved."),
        anchor="#ours",
        save=lambda r, data: services.ours_save(coalition=request.coalition, actor=request.user, recommendation=r, **data),
    )


@require_POST
@require_role(Role.EDITOR)
def response_add(request: CoalitionRequest, coalition_slug: str, recommendation_id: int) -> HttpResponse:
    """The coalition's reading of a later response, in its own record; site staff may record it as the
    shared response instead (the `shared` box, shown to them only)."""
    form = ResponseForm(request.POST, operator=request.user.is_staff)

    def save(r: Recommendation, data: dict) -> object:
        shared = data.pop("shared", False)
        service = services.response_record if shared else services.reading_record
        return service(coalition=request.coalition, actor=request.user, recommendation=r, **data)

    shared = request.user.is_staff and request.POST.get("shared")
    return _change(
        request,
        coalition_slug,
        recommendation_id,
        form=form,
        name="response_form",
        save=save,
        anchor="#responses",
        done=_("The new response is recorded for every coalition; the earlier ones stay in the history.")
        if shared
        else _("Your coalition's reading of the response is saved; the shared response is as OHCHR gives it."),
    )


@require_POST
@require_role(Role.EDITOR)
def action_category_edit(request: CoalitionRequest, coalition_slug: str, recommendation_id: int) -> HttpResponse:
    """The coalition's own action category, in its own record; site staff may confirm the shared one."""
    form = ActionCategoryForm(request.POST, operator=request.user.is_staff)

    def save(r: Recommendation, data: dict) -> object:
        if data.get("shared"):
            return services.action_category_set(
                coalition=request.coalition, actor=request.user, recommendation=r, category=data["category"]
            )
        return services.ours_save(
            coalition=request.coalition, actor=request.user, recommendation=r, action_category=data["category"]
        )

    return _change(
        request,
        coalition_slug,
        recommendation_id,
        form=form,
        name="category_form",
        save=save,
        anchor="#category",
        done=_("Action category confirmed for every coalition.")
        if request.user.is_staff and request.POST.get("shared")
        else _("Your coalition's action category is saved."),
    )


@require_POST
@require_role(Role.EDITOR)
def earlier_decide(request: CoalitionRequest, coalition_slug: str, recommendation_id: int, earlier_id: int) -> HttpResponse:
    recommendation = get_object_or_404(Recommendation.objects.select_related("review__session"), pk=recommendation_id)
    earlier = get_object_or_404(Recommendation.objects.select_related("review__session"), pk=earlier_id)
    # The pair can be decided from either page (the later recommendation's, or the earlier one's).
    page = earlier if request.POST.get("back") == str(earlier.pk) else recommendation
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Confirm or reject the link."))
        return _back(coalition_slug, page, "#cycles")
    try:
        services.cross_cycle_decide(
            coalition=request.coalition,
            actor=request.user,
            recommendation=recommendation,
            earlier=earlier,
            decision=form.cleaned_data["decision"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(coalition_slug, page, "#cycles")
