"""Pages of the engagement's consultations, advocacy log, and review and adoption.

Any member records a consultation or a meeting and changes their own records; editors and the
secretariat change any. Observers read.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from coalitions import selectors
from coalitions.models import ORAL_STATEMENT_SLOTS, Engagement, Role
from coalitions.tenancy import CoalitionRequest
from coalitions.views import PER_PAGE, engagement_or_404
from coalitions.withheld import sees_withheld
from upr.models import State

from .. import advocacy, advocacy_outcome
from ..models import AdvocacyMeeting, Consultation

KINDS: dict[str, dict[str, Any]] = {
    "consultation": {
        "model": Consultation,
        "form": advocacy.ConsultationForm,
        "save": advocacy.consultation_save,
        "list": "workplan:consultations",
        "delete": "workplan:consultation_delete",
        "heading": gettext_lazy("Consultation"),
        "back": gettext_lazy("All consultations"),
        "saved": gettext_lazy("Consultation saved."),
        "deleted": gettext_lazy("Consultation deleted."),
    },
    "meeting": {
        "model": AdvocacyMeeting,
        "form": advocacy.AdvocacyMeetingForm,
        "save": advocacy.meeting_save,
        "list": "workplan:advocacy",
        "delete": "workplan:meeting_delete",
        "heading": gettext_lazy("Advocacy meeting"),
        "back": gettext_lazy("The advocacy log"),
        "saved": gettext_lazy("Meeting saved in the advocacy log."),
        "deleted": gettext_lazy("Meeting deleted from the advocacy log."),
    },
}


def _list_url(kind: str, request: CoalitionRequest, engagement: Engagement) -> str:
    return reverse(KINDS[kind]["list"], args=[request.coalition.slug, engagement.pk])


def _add(request: CoalitionRequest, kind: str, engagement: Engagement) -> tuple[Any, HttpResponse | None]:
    """The add form of a list page; on a valid POST, save and redirect (the redirect is returned)."""
    if not request.membership.has_role(Role.MEMBER):
        if request.method == "POST":
            raise PermissionDenied
        return None, None
    spec = KINDS[kind]
    form = spec["form"](request.POST or None, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        spec["save"](engagement=engagement, actor=request.user, form=form)
        messages.success(request, spec["saved"])
        return form, redirect(_list_url(kind, request, engagement))
    return form, None


def _edit(request: CoalitionRequest, kind: str, engagement_id: int, record_id: int) -> HttpResponse:
    engagement = engagement_or_404(request, engagement_id)
    spec = KINDS[kind]
    record = get_object_or_404(spec["model"].objects.for_coalition(request.coalition), engagement=engagement, pk=record_id)
    if not advocacy.can_change(request.membership, record):
        raise PermissionDenied
    form = spec["form"](request.POST or None, instance=record, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        spec["save"](engagement=engagement, actor=request.user, form=form)
        messages.success(request, spec["saved"])
        return redirect(_list_url(kind, request, engagement))
    return render(
        request,
        "coalitions/record_edit.html",
        {
            "engagement": engagement,
            "form": form,
            "record": record,
            "heading": spec["heading"],
            "back": _list_url(kind, request, engagement),
            "back_label": spec["back"],
            "delete_url": reverse(spec["delete"], args=[request.coalition.slug, engagement.pk, record.pk]),
        },
        status=400 if form.errors else 200,
    )


def _delete(request: CoalitionRequest, kind: str, engagement_id: int, record_id: int) -> HttpResponse:
    engagement = engagement_or_404(request, engagement_id)
    spec = KINDS[kind]
    record = get_object_or_404(spec["model"].objects.for_coalition(request.coalition), engagement=engagement, pk=record_id)
    advocacy.record_delete(record=record, membership=request.membership)
    messages.success(request, spec["deleted"])
    return redirect(_list_url(kind, request, engagement))


# --- consultations --------------------------------------------------------------------------------


def consultation_list(request: CoalitionRequest, coalition_slug: str, engagement_id: int) -> HttpResponse:
    engagement = engagement_or_404(request, engagement_id)
    form, done = _add(request, "consultation", engagement)
    if done:
        return done
    page = Paginator(advocacy_outcome.consultations(engagement=engagement), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "coalitions/consultation_list.html",
        {
            "engagement": engagement,
            "form": form,
            "consultations": page,
            "page": page,
            "sees_withheld": sees_withheld(request.membership),
        },
        status=400 if form is not None and form.errors else 200,
    )


def consultation_edit(request: CoalitionRequest, coalition_slug: str, engagement_id: int, consultation_id: int) -> HttpResponse:
    return _edit(request, "consultation", engagement_id, consultation_id)


@require_POST
def consultation_delete(request: CoalitionRequest, coalition_slug: str, engagement_id: int, consultation_id: int) -> HttpResponse:
    return _delete(request, "consultation", engagement_id, consultation_id)


# --- the advocacy log -----------------------------------------------------------------------------


def advocacy_log(request: CoalitionRequest, coalition_slug: str, engagement_id: int) -> HttpResponse:
    """The log, newest first, optionally of one State; then each State lobbied and what it recommended."""
    engagement = engagement_or_404(request, engagement_id)
    form, done = _add(request, "meeting", engagement)
    if done:
        return done
    log = advocacy_outcome.meetings(engagement=engagement)
    state = State.objects.filter(iso3=request.GET.get("state", "")).first() if request.GET.get("state") else None
    shown = [m for m in log if m.state_id == state.pk] if state else log
    # The outcome table reads the whole log; the meetings below it are shown a page at a time.
    page = Paginator(shown, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "coalitions/advocacy_log.html",
        {
            "engagement": engagement,
            "form": form,
            "meetings": page,
            "page": page,
            "state": state,
            "states": sorted({m.state for m in log}, key=lambda s: s.name),
            "outcome": advocacy_outcome.lobbying_outcome(engagement=engagement, log=log),
        },
        status=400 if form is not None and form.errors else 200,
    )


def meeting_edit(request: CoalitionRequest, coalition_slug: str, engagement_id: int, meeting_id: int) -> HttpResponse:
    return _edit(request, "meeting", engagement_id, meeting_id)


@require_POST
def meeting_delete(request: CoalitionRequest, coalition_slug: str, engagement_id: int, meeting_id: int) -> HttpResponse:
    return _delete(request, "meeting", engagement_id, meeting_id)


# --- the review and the adoption ------------------------------------------------------------------

REVIEW_KINDS = ("review", "outcome_report", "lobby_for_support", "oral_statement_signup", "adoption")


def review_adoption(request: CoalitionRequest, coalition_slug: str, engagement_id: int) -> HttpResponse:
    """The review and the adoption on one page: their dates, the webcast, the lobbying window and the
    oral statement at the Human Rights Council (the secretariat keeps the details)."""
    engagement = engagement_or_404(request, engagement_id)
    is_admin = request.membership.is_admin
    if request.method == "POST" and not is_admin:
        raise PermissionDenied
    form = advocacy.ReviewAdoptionForm(request.POST or None, instance=engagement) if is_admin else None
    if request.method == "POST" and form is not None and form.is_valid():
        advocacy.review_adoption_save(engagement=engagement, actor=request.user, form=form)
        messages.success(request, _("Saved."))
        return redirect("workplan:review_adoption", coalition_slug=coalition_slug, engagement_id=engagement.pk)
    from submissions.models import Document

    timeline = [e for e in selectors.engagement_timeline(engagement=engagement) if e.milestone.kind in REVIEW_KINDS]
    statements = Document.objects.for_coalition(request.coalition).filter(engagement=engagement, kind="oral_statement")
    return render(
        request,
        "coalitions/review_adoption.html",
        {
            "engagement": engagement,
            "form": form,
            "timeline": timeline,
            "today": timezone.localdate(),
            "statements": list(statements),
            "slots": ORAL_STATEMENT_SLOTS,
        },
        status=400 if form is not None and form.errors else 200,
    )
