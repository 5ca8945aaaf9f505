"""Emails the coalitions app sends."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Invitation


def invitation_email_send(*, invitation_id: int, token: str) -> None:
    """Email the invitation link. The link is the only place the plain token ever appears."""
    invitation = Invitation.objects.select_related("coalition", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_usable:
        return  # revoked or spent before the worker got to it: send nothing
    language = getattr(invitation.invited_by, "language", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "invitation": invitation,
            "url": settings.SITE_URL + reverse("invitation_accept", args=[token]),
        }
        send_mail(
            subject=_("[UPR Coalition Hub] You are invited to join a coalition"),
            message=render_to_string("coalitions/email/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
