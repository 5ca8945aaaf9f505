"""The person's deadlines and how they hear of them: their deadlines page, reminder preferences (also
opened from a signed link in each reminder), private calendar addresses (their own, and the
secretariat's of the coalition), and the iCalendar feed those addresses serve."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.requests import SignedInRequest
from coalitions.models import Coalition, Role
from coalitions.tenancy import CoalitionRequest, require_role

from .. import feeds, work_plan
from ..forms import CalendarFeedForm, ReminderPreferenceForm
from ..models import ReminderPreference
from ..reminders import PREFERENCES_LINK_DAYS, PREFERENCES_SALT


@login_required
def my_deadlines(request: SignedInRequest) -> HttpResponse:
    """The person's deadlines across all their coalitions, in their own zone and Geneva's."""
    return render(
        request, "coalitions/my_deadlines.html", {"rows": work_plan.my_deadlines(user=request.user, now=timezone.now())}
    )


def _change_feed(request: SignedInRequest, *, coalition: Coalition | None, revoked: str, made: str) -> None:
    """A calendar address form's POST: revoke the address, or make a new one (replacing any), and say
    so; `made` shows the new address, once: only its hash is kept."""
    if request.POST.get("action") == "revoke":
        feeds.feed_revoke(user=request.user, coalition=coalition)
        messages.success(request, revoked)
        return
    choice = CalendarFeedForm(request.POST)
    choice.is_valid()  # a box: it can only be ticked or not
    with_name = choice.cleaned_data.get("with_coalition_name", False)
    token = feeds.feed_create(user=request.user, coalition=coalition, with_coalition_name=with_name)
    messages.success(request, made % {"url": feeds.feed_url(token)})


@login_required
@require_POST
def personal_calendar_feed(request: SignedInRequest) -> HttpResponse:
    """Create (or replace) the person's private calendar address, or revoke it."""
    _change_feed(
        request,
        coalition=None,
        revoked=_("Calendar address revoked: calendars subscribed to it get nothing more."),
        made=_("Your private calendar address (copy it now into your calendar; anyone with it sees your deadlines): %(url)s"),
    )
    return redirect("profile")


def _reminder_preferences(request: HttpRequest, user: User, action: str) -> HttpResponse:
    preference = ReminderPreference.objects.filter(user=user).first()
    initial = {
        "lead_days": ", ".join(str(d) for d in (preference.lead_days if preference else [30, 7, 1, 0])),
        "delivery": preference.delivery if preference else "single",
    }
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None and "stop" in data:  # one click: no more reminders
        data.update({"lead_days": initial["lead_days"], "delivery": "none"})
    form = ReminderPreferenceForm(data, initial=initial)
    if data is not None and form.is_valid():
        ReminderPreference.objects.update_or_create(user=user, defaults=form.cleaned_data)
        messages.success(request, _("Reminder preferences saved."))
        return redirect(action)
    return render(
        request,
        "accounts/reminder_preferences.html",
        {"form": form, "action": action, "person": user},
        status=400 if form.errors else 200,
    )


@login_required
def reminder_preferences(request: SignedInRequest) -> HttpResponse:
    return _reminder_preferences(request, request.user, reverse("reminder_preferences"))


def reminder_preferences_link(request: HttpRequest, signed: str) -> HttpResponse:
    """The link in each reminder: the person's preferences, without a login (the signed link is the
    key; it opens nothing else). An altered or expired link gets 404."""
    try:
        pk = signing.loads(signed, salt=PREFERENCES_SALT, max_age=dt.timedelta(days=PREFERENCES_LINK_DAYS))
    except signing.BadSignature:
        raise Http404 from None
    user = get_object_or_404(User, pk=pk, is_active=True)
    return _reminder_preferences(request, user, reverse("reminder_preferences_link", args=[signed]))


@require_POST
@require_role(Role.ADMIN)
def coalition_calendar_feed(request: CoalitionRequest, coalition_slug: str) -> HttpResponse:
    """The secretariat's private calendar address of the coalition's deadlines: create, replace, revoke."""
    _change_feed(
        request,
        coalition=request.coalition,
        revoked=_("The coalition's calendar address is revoked."),
        made=_("The coalition's private calendar address (copy it now; anyone with it sees the coalition's deadlines): %(url)s"),
    )
    return redirect("coalitions:settings", coalition_slug=coalition_slug)


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A private iCalendar feed, read by calendar applications without a login: the secret address
    is the key. An unknown or revoked address gets 404."""
    feed = feeds.feed_for(token)
    if feed is None:
        raise Http404
    response = HttpResponse(feeds.render_feed(feed), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="upr-deadlines.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
