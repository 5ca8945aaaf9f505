"""The person's own pages: profile, language, API token. (Their coalitions are the home page, in
`coalitions`; their reminders and calendar addresses are in `workplan`, which adds its part of the
profile page as a panel.)"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from rest_framework.authtoken.models import Token

from upr.panels import panels

from .forms import ProfileForm
from .models import User
from .requests import SignedInRequest


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
def profile(request: SignedInRequest) -> HttpResponse:
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
    return render(request, "accounts/profile.html", {"form": form, "token": token, **panels("profile", request)})


@login_required
@require_POST
def api_token(request: SignedInRequest) -> HttpResponse:
    """Create (or replace) the person's API token, or revoke it."""
    Token.objects.filter(user=request.user).delete()
    if request.POST.get("action") == "revoke":
        messages.success(request, _("API token revoked."))
    else:
        token = Token.objects.create(user=request.user)
        messages.success(request, _("New API token: %(key)s. Copy it now; it authenticates as you.") % {"key": token.key})
    return redirect("profile")
