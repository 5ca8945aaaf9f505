"""Joining: the home page (the person's coalitions) and the invitation link that brings them in."""

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.models import User

from ..models import Membership
from ..services import InvitationError, invitation_accept, invitation_for_token, invitation_problem
from ..signup import INVITATION_SESSION_KEY


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "home_anonymous.html")
    memberships = Membership.objects.filter(user=request.user).select_related("coalition", "organisation")
    return render(request, "home.html", {"memberships": memberships.order_by("coalition__name")})


def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation email.

    Logged in with the invited address: join at once (after a POST, so a link preview cannot accept).
    Not logged in: remember the token in the session and open sign-up (or log-in for an existing
    account). Every unusable link (forged, expired, spent, withdrawn) gets a clear page, never an error.
    """
    invitation = invitation_for_token(token=token)
    problem = invitation_problem(invitation)
    if problem:
        return render(
            request, "accounts/invitation_invalid.html", {"problem": problem}, status=404 if invitation is None else 410
        )
    assert invitation is not None
    if not request.user.is_authenticated:
        request.session[INVITATION_SESSION_KEY] = token
        # Following the emailed link proves the person reads that inbox: allauth counts the address
        # as verified if they sign up with it (any other address is refused by the adapter).
        get_adapter(request).stash_verified_email(request, invitation.email)
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
