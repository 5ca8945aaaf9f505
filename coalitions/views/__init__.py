"""Coalition pages. Thin: check, validate, call a service, render.

Every view here sits under /c/<coalition_slug>/ and runs after CoalitionMiddleware has set
request.coalition and request.membership (or answered 404).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count
from django.forms import BaseForm
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.requests import SignedInRequest
from upr.panels import panels

from .. import selectors, services
from ..forms import (
    CoalitionForm,
    CoalitionSettingsForm,
    EngagementForm,
    InvitationForm,
    MembershipForm,
    MilestoneDateForm,
    OrganisationForm,
    WorkingGroupForm,
)
from ..models import Engagement, Invitation, MemberOrganisation, Milestone, Role, WorkingGroup
from ..rows import member_rows
from ..tenancy import CoalitionRequest, require_role
from ..withheld import sees_withheld, visible_organisations

# Rows on a page of a long list (organisations, invitations, engagements; people and the audit trail
# page by 50 too): a phone on a slow line gets 50 rows and the links to the others.
PER_PAGE = 50


def form_failed(form: BaseForm, error: ValidationError) -> None:
    """Show a service's refusal on the form, beside the field it concerns where there is one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- the coalition itself -----------------------------------------------------------------------


@login_required
def coalition_create(request: SignedInRequest) -> HttpResponse:
    form = CoalitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            coalition = services.coalition_create(creator=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_failed(form, error)
        else:
            messages.success(request, _("Coalition created. Add its member organisations next."))
            return redirect("coalitions:dashboard", coalition_slug=coalition.slug)
    return render(request, "coalitions/coalition_form.html", {"form": form})


def dashboard(request: CoalitionRequest, coalition_slug: str) -> HttpResponse:
    """The coalition at a glance.

    Its body is a {% freshcache %} fragment per membership (upr.freshness): kept until any table it
    read (engagements, milestones, reviews, organisations, people, working groups, the audit trail)
    is written, by a service or not. Everything below is lazy: computed only when it is rendered.
    """
    coalition = request.coalition

    def upcoming() -> list:
        engagements = selectors.engagement_list(coalition=coalition).prefetch_related("milestones")
        return [
            (e, selectors.next_milestone(selectors.engagement_timeline(engagement=e, milestones=list(e.milestones.all()))))
            for e in engagements
        ]

    context = {
        "today": timezone.localdate().isoformat(),
        "upcoming": SimpleLazyObject(upcoming),
        "counts": SimpleLazyObject(lambda: selectors.coalition_counts(coalition=coalition)),
        "my_groups": SimpleLazyObject(lambda: list(request.membership.working_groups.all())),
        "recent": SimpleLazyObject(lambda: list(selectors.audit_list(coalition=coalition)[:8])),
    }
    # What higher apps show here (the sign-ons waiting for this person, their sections over budget),
    # read only when the template renders it: a {% freshcache %} of its own, per membership, shows any
    # change at once (a sign-on answered, a text shortened) and costs no query while nothing changed.
    context["panels"] = SimpleLazyObject(lambda: panels("dashboard", request))
    return render(request, "coalitions/dashboard.html", context)


@require_role(Role.ADMIN)
def coalition_settings(request: CoalitionRequest, coalition_slug: str) -> HttpResponse:
    form = CoalitionSettingsForm(request.POST or None, instance=request.coalition)
    if request.method == "POST" and form.is_valid():
        services.coalition_update(coalition=request.coalition, actor=request.user, data=form.cleaned_data)
        messages.success(request, _("Settings saved."))
        return redirect("coalitions:dashboard", coalition_slug=coalition_slug)
    return render(request, "coalitions/settings.html", {"form": form, **panels("coalition_settings", request)})


# --- people -------------------------------------------------------------------------------------


def member_list(request: CoalitionRequest, coalition_slug: str) -> HttpResponse:
    hide = not sees_withheld(request.membership)  # an observer reads no withheld organisation's name
    page: Page[dict[str, Any]] = Paginator(selectors.MemberRows(request.coalition, hide_withheld=hide), 50).get_page(  # type: ignore[arg-type]  # MemberRows has count() and slicing, all Paginator uses
        request.GET.get("page")
    )
    rows = member_rows(
        page,
        members_url=reverse("coalitions:members", args=[coalition_slug]),
        with_actions=request.membership.is_admin,
    )
    return render(request, "coalitions/member_list.html", {"page": page, "rows": rows})


@require_role(Role.ADMIN)
def member_edit(request: CoalitionRequest, coalition_slug: str, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(selectors.membership_list(coalition=request.coalition), pk=membership_id)
    form = MembershipForm(
        request.POST or None,
        coalition=request.coalition,
        initial={"role": membership.role, "organisation": membership.organisation},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(membership=membership, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_failed(form, error)
        else:
            if request.htmx:  # the row itself says "saved" (role="status"), where the change was made
                row = selectors.MemberRows(request.coalition).row(membership.pk)
                members_url = reverse("coalitions:members", args=[coalition_slug])
                return HttpResponse(member_rows([row], members_url=members_url, with_actions=True, edited=True))
            change = {"person": membership.user, "role": membership.get_role_display()}
            messages.success(request, _("%(person)s is now %(role)s.") % change)
            return redirect("coalitions:members", coalition_slug=coalition_slug)
    template = "coalitions/partials/member_form.html" if request.htmx else "coalitions/member_edit.html"
    return render(request, template, {"form": form, "m": membership}, status=400 if form.errors else 200)


@require_POST
@require_role(Role.ADMIN)
def member_remove(request: CoalitionRequest, coalition_slug: str, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(selectors.membership_list(coalition=request.coalition), pk=membership_id)
    try:
        services.membership_remove(membership=membership, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(person)s no longer has access to the coalition.") % {"person": membership.user})
        if membership.user_id == request.user.pk:
            return redirect("home")  # they left: the coalition's pages are closed to them now
    return redirect("coalitions:members", coalition_slug=coalition_slug)


# --- member organisations -----------------------------------------------------------------------


def organisation_list(request: CoalitionRequest, coalition_slug: str) -> HttpResponse:
    everyone = selectors.organisation_list(coalition=request.coalition)
    shown = visible_organisations(everyone, request.membership)  # an observer: no withheld one, counted
    page = Paginator(shown, PER_PAGE).get_page(request.GET.get("page"))  # reads one page's rows
    unnamed = 0 if sees_withheld(request.membership) else everyone.filter(withheld=True).count()
    return render(request, "coalitions/organisation_list.html", {"organisations": page, "page": page, "unnamed": unnamed})


@require_role(Role.ADMIN)
def organisation_edit(request: CoalitionRequest, coalition_slug: str, organisation_id: int | None = None) -> HttpResponse:
    organisation = None
    if organisation_id is not None:
        organisation = get_object_or_404(MemberOrganisation.objects.for_coalition(request.coalition), pk=organisation_id)
    form = OrganisationForm(request.POST or None, instance=organisation, coalition=request.coalition)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        # The form's instance was edited in place by validation; save against a fresh copy.
        fresh = MemberOrganisation.objects.get(pk=organisation.pk) if organisation else None
        try:
            services.organisation_save(coalition=request.coalition, actor=request.user, data=data, organisation=fresh)
        except ValidationError as error:
            form_failed(form, error)
        else:
            messages.success(request, _("Organisation saved."))
            return redirect("coalitions:organisations", coalition_slug=coalition_slug)
    return render(request, "coalitions/organisation_form.html", {"form": form, "organisation": organisation})


# --- invitations --------------------------------------------------------------------------------


@require_role(Role.ADMIN)
def invitation_list(request: CoalitionRequest, coalition_slug: str) -> HttpResponse:
    form = InvitationForm(request.POST or None, coalition=request.coalition)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(coalition=request.coalition, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_failed(form, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("coalitions:invitations", coalition_slug=coalition_slug)
    invitations = selectors.invitation_list(coalition=request.coalition).order_by("-created_at", "-pk")  # a stable order to page
    page = Paginator(invitations, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "coalitions/invitation_list.html", {"form": form, "invitations": page, "page": page})


@require_POST
@require_role(Role.ADMIN)
def invitation_revoke(request: CoalitionRequest, coalition_slug: str, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.for_coalition(request.coalition), pk=invitation_id)
    services.invitation_revoke(invitation=invitation, actor=request.user)
    messages.success(request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email})
    return redirect("coalitions:invitations", coalition_slug=coalition_slug)


# --- working groups -----------------------------------------------------------------------------


def working_group_list(request: CoalitionRequest, coalition_slug: str) -> HttpResponse:
    groups = selectors.working_group_list(coalition=request.coalition)
    return render(request, "coalitions/working_group_list.html", {"groups": groups})


@require_role(Role.ADMIN)
def working_group_edit(request: CoalitionRequest, coalition_slug: str, group_id: int | None = None) -> HttpResponse:
    group = None
    if group_id is not None:
        group = get_object_or_404(WorkingGroup.objects.for_coalition(request.coalition), pk=group_id)
    initial = WorkingGroupForm.initial_for(group) if group else None
    form = WorkingGroupForm(request.POST or None, coalition=request.coalition, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.working_group_save(
                coalition=request.coalition,
                actor=request.user,
                group=group,
                name=form.cleaned_data["name"],
                theme=form.cleaned_data["theme"],
                lead=form.cleaned_data["lead"],
                members=list(form.cleaned_data["members"]),
            )
        except ValidationError as error:
            form_failed(form, error)
        else:
            messages.success(request, _("Working group saved."))
            return redirect("coalitions:groups", coalition_slug=coalition_slug)
    return render(request, "coalitions/working_group_form.html", {"form": form, "group": group})


# --- engagements --------------------------------------------------------------------------------


def engagement_list(request: CoalitionRequest, coalition_slug: str) -> HttpResponse:
    engagements = (
        selectors.engagement_list(coalition=request.coalition)
        .annotate(n_milestones=Count("milestones"))
        .order_by("-review__session__number", "review__state__name", "pk")
    )  # a stable order to page
    page = Paginator(engagements, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "coalitions/engagement_list.html", {"engagements": page, "page": page})


@require_role(Role.ADMIN)
def engagement_create(request: CoalitionRequest, coalition_slug: str) -> HttpResponse:
    form = EngagementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            engagement = services.engagement_create(coalition=request.coalition, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_failed(form, error)
        else:
            messages.success(request, _("Engagement set up. Its timeline is computed from the review date."))
            return redirect("workplan:engagement", coalition_slug=coalition_slug, engagement_id=engagement.pk)
    return render(request, "coalitions/engagement_form.html", {"form": form})


def engagement_or_404(request: CoalitionRequest, engagement_id: int) -> Engagement:
    """The coalition's engagement of that id, or 404 (another coalition's is not found)."""
    return get_object_or_404(selectors.engagement_list(coalition=request.coalition), pk=engagement_id)


@require_role(Role.ADMIN)
def milestone_edit(request: CoalitionRequest, coalition_slug: str, engagement_id: int, milestone_id: int) -> HttpResponse:
    engagement = engagement_or_404(request, engagement_id)
    milestone = get_object_or_404(Milestone.objects.for_coalition(request.coalition), engagement=engagement, pk=milestone_id)
    form = MilestoneDateForm(request.POST or None, initial={"date": milestone.override_date, "note": milestone.note})
    if request.method == "POST" and form.is_valid():
        services.milestone_set_date(milestone=milestone, actor=request.user, **form.cleaned_data)
        if request.htmx:
            entry = next(e for e in selectors.engagement_timeline(engagement=engagement) if e.milestone.pk == milestone.pk)
            return render(
                request, "coalitions/partials/milestone_row.html", {"entry": entry, "engagement": engagement, "saved": True}
            )
        messages.success(request, _("Date saved."))
        return redirect("workplan:engagement", coalition_slug=coalition_slug, engagement_id=engagement.pk)
    template = "coalitions/partials/milestone_form.html" if request.htmx else "coalitions/milestone_edit.html"
    return render(
        request, template, {"form": form, "milestone": milestone, "engagement": engagement}, status=400 if form.errors else 200
    )


@require_POST
@require_role(Role.ADMIN)
def internal_deadlines_propose(request: CoalitionRequest, coalition_slug: str, engagement_id: int) -> HttpResponse:
    engagement = engagement_or_404(request, engagement_id)
    try:
        added = services.internal_deadlines_propose(engagement=engagement, actor=request.user)
        messages.success(
            request,
            _("%(count)d internal deadlines added, counted back from the stakeholder deadline. Move or delete any of them.")
            % {"count": len(added)},
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("workplan:engagement", coalition_slug=coalition_slug, engagement_id=engagement.pk)


# --- audit trail --------------------------------------------------------------------------------


@require_role(Role.ADMIN)
def audit_trail(request: CoalitionRequest, coalition_slug: str) -> HttpResponse:
    page = Paginator(selectors.audit_list(coalition=request.coalition), 50).get_page(request.GET.get("page"))
    return render(request, "coalitions/audit_trail.html", {"page": page})
