"""Sign-up is by invitation only (the adapter is ACCOUNT_ADAPTER in the settings).

A coalition is private: its members can be human-rights defenders at risk, so nobody may create an
account on their own. The invitation link stores its token in the session; while that token is
valid the sign-up form is open, and only for the address the invitation was sent to. Following the
link proves the person reads that inbox, so allauth treats the address as verified.
"""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.signals import user_signed_up
from django import forms
from django.conf import settings
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Invitation
from .services import InvitationError, invitation_accept, invitation_for_token

INVITATION_SESSION_KEY = "upr_invitation_token"


def pending_invitation(request: HttpRequest) -> Invitation | None:
    token = request.session.get(INVITATION_SESSION_KEY) if hasattr(request, "session") else None
    if not token:
        return None
    return invitation_for_token(token=token, usable_only=True)


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """The key of the "failed logins" limit that allauth counts per key (ACCOUNT_RATE_LIMITS
        "login_failed": "…/key"): the client's address with the account, not the account alone.

        Why: counted per account, five wrong passwords from anywhere lock the right one out for
        everyone, so whoever knows a defender's email can keep them out of their coalition. Counted per
        (address, account) and per address ("…/ip"), a stranger's failures slow the stranger only,
        while a brute force from one address is throttled as before. (allauth offers no public hook
        for this key; tests/test_login_throttle.py pins the behaviour across upgrades.)"""
        return f"{self.get_client_ip(request)}:{super()._get_login_attempts_cache_key(request, **credentials)}"

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return pending_invitation(request) is not None

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        invitation = pending_invitation(self.request) if self.request else None
        if invitation is not None and email.strip().lower() != invitation.email:
            raise forms.ValidationError(
                _("This invitation was sent to %(email)s. Sign up with that address.") % {"email": invitation.email}
            )
        return email

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        """A new account keeps the language its person signed up in (chosen from their browser or at the
        foot of the page), so that their pages and emails stay in it rather than fall back to English."""
        language = (translation.get_language() or "")[:2]
        if language in dict(settings.LANGUAGES):
            user.language = language
        return super().save_user(request, user, form, commit=commit)


# Join the coalition as soon as an invited person's account exists.
@receiver(user_signed_up)
def accept_pending_invitation(sender, request, user, **kwargs) -> None:
    token = request.session.pop(INVITATION_SESSION_KEY, None) if request is not None else None
    if not token:
        return
    try:
        invitation_accept(token=token, user=user)
    except InvitationError:
        # The form already refused a mismatched address; a race (revoked meanwhile) leaves an
        # account with no coalition, which is harmless and shown as such on the home page.
        pass
