"""The person's own pages: home (their coalitions), profile, API token, accepting an invitation."""
import datetime as dt

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from rest_framework.authtoken.models import Token

from coalitions.models import Membership
from coalitions.services import InvitationError, invitation_accept, invitation_for_token, invitation_problem

from .adapters import INVITATION_SESSION_KEY
from .forms import CalendarFeedForm, ProfileForm
from .models import CalendarFeed, User


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "home_anonymous.html")
    memberships = Membership.objects.filter(user=request.user).select_related("coalition", "organisation")
    return render(request, "home.html", {"memberships": memberships.order_by("coalition__name")})


@require_POST
def language_choose(request: HttpRequest) -> HttpResponse:
    """The language chooser at the foot of every page. Django's `set_language` checks the code and the
    `next` address and sets the cookie; a signed-in person's choice is also kept on their account, so
    that their other devices and the emails they receive follow it."""
    response = set_language(request)
    code = request.POST.get("language", "")
    if request.user.is_authenticated and code in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(language=code)
    return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        translation.activate(user.language)
        messages.success(request, _("Profile saved."))
        response = redirect("profile")
        # The page language follows the person's choice from the next page on (LocaleMiddleware reads it).
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
        return response
    token = Token.objects.filter(user=request.user).first()
    feed = CalendarFeed.objects.filter(user=request.user, coalition=None).first()
    return render(request, "accounts/profile.html", {"form": form, "token": token, "feed": feed})


@login_required
@require_POST
def api_token(request: HttpRequest) -> HttpResponse:
    """Create (or replace) the person's API token, or revoke it."""
    Token.objects.filter(user=request.user).delete()
    if request.POST.get("action") == "revoke":
        messages.success(request, _("API token revoked."))
    else:
        token = Token.objects.create(user=request.user)
        messages.success(request, _("New API token: %(key)s. Copy it now; it authenticates as you.") % {"key": token.key})
    return redirect("profile")


@login_required
@require_POST
def calendar_feed(request: HttpRequest) -> HttpResponse:
    """Create (or replace) the person's private calendar address, or revoke it."""
    from coalitions import feeds

    if request.POST.get("action") == "revoke":
        feeds.feed_revoke(user=request.user)
        messages.success(request, _("Calendar address revoked: calendars subscribed to it get nothing more."))
    else:
        choice = CalendarFeedForm(request.POST)
        choice.is_valid()  # a box: it can only be ticked or not
        token = feeds.feed_create(user=request.user, with_coalition_name=choice.cleaned_data.get("with_coalition_name", False))
        messages.success(request, _("Your private calendar address (copy it now into your calendar; anyone with it sees "
                                    "your deadlines): %(url)s") % {"url": feeds.feed_url(token)})
    return redirect("profile")


PREFERENCES_SALT = "reminder-preferences"
PREFERENCES_LINK_DAYS = 120  # a reminder's "change your preferences" link works this long


def preferences_link(user: User) -> str:
    """The address, in every reminder, that opens the person's reminder preferences without logging in."""
    return settings.SITE_URL + reverse("reminder_preferences_link", args=[signing.dumps(user.pk, salt=PREFERENCES_SALT)])


def _reminder_preferences(request: HttpRequest, user: User, action: str) -> HttpResponse:
    from coalitions.forms import ReminderPreferenceForm
    from coalitions.models import ReminderPreference

    preference = ReminderPreference.objects.filter(user=user).first()
    initial = {"lead_days": ", ".join(str(d) for d in (preference.lead_days if preference else [30, 7, 1, 0])),
               "delivery": preference.delivery if preference else "single"}
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None and "stop" in data:  # one click: no more reminders
        data.update({"lead_days": initial["lead_days"], "delivery": "none"})
    form = ReminderPreferenceForm(data, initial=initial)
    if data is not None and form.is_valid():
        ReminderPreference.objects.update_or_create(user=user, defaults=form.cleaned_data)
        messages.success(request, _("Reminder preferences saved."))
        return redirect(action)
    return render(request, "accounts/reminder_preferences.html", {"form": form, "action": action, "person": user},
                  status=400 if form.errors else 200)


@login_required
def reminder_preferences(request: HttpRequest) -> HttpResponse:
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


def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation email.

    Logged in with the invited address: join at once (after a POST, so a link preview cannot accept).
    Not logged in: remember the token in the session and open sign-up (or log-in for an existing
    account). Every unusable link (forged, expired, spent, withdrawn) gets a clear page, never an error.
    """
    invitation = invitation_for_token(token=token)
    problem = invitation_problem(invitation)
    if problem:
        return render(request, "accounts/invitation_invalid.html", {"problem": problem}, status=404 if invitation is None else 410)
    assert invitation is not None
    if not request.user.is_authenticated:
        request.session[INVITATION_SESSION_KEY] = token
        # Following the emailed link proves the person reads that inbox: allauth counts the address
        # as verified if they sign up with it (any other address is refused by the adapter).
        get_adapter(request).stash_verified_email(request, invitation.email)
        from accounts.models import User

        has_account = User.objects.filter(email__iexact=invitation.email).exists()
        return render(request, "accounts/invitation_welcome.html", {"invitation": invitation, "has_account": has_account})
    if request.method == "POST":
        try:
            membership = invitation_accept(token=token, user=request.user)
        except InvitationError as error:
            return render(request, "accounts/invitation_invalid.html", {"problem": str(error)}, status=409)
        request.session.pop(INVITATION_SESSION_KEY, None)
        messages.success(request, _("Welcome to %(coalition)s.") % {"coalition": membership.coalition.name})
        return redirect("coalitions:dashboard", coalition_slug=membership.coalition.slug)
    return render(request, "accounts/invitation_confirm.html", {"invitation": invitation})
