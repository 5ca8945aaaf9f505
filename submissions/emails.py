"""Emails of the drafting engine: an organisation asked to sign a submission is told.

What the email carries (an inbox is not private, and a contact may be at risk): that the person's
organisation is asked to sign a stakeholder submission for the review of a State, the submission
deadline in the person's zone and Geneva's, and a link back to the sign-on on the document's page.
Never the document's title (it can say what the coalition reports, e.g. torture in a named place),
nor its text, nor the names of the coalition's organisations or people.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coalitions.models import Membership, Role
from upr.rules import GENEVA

from .models import SignOn, SignOnStatus


def signon_contacts(sign_on: SignOn) -> list[Membership]:
    """Who speaks for the organisation: its contacts in the coalition (observers sign nothing)."""
    return list(
        Membership.objects.filter(
            coalition_id=sign_on.coalition_id, organisation_id=sign_on.organisation_id, user__is_active=True
        )
        .exclude(role=Role.OBSERVER)
        .select_related("user")
    )


def signon_email_send(*, sign_on_id: int) -> int:
    """Email the contacts of an organisation asked to sign, once per request and once per reminder
    (the row is held while the emails go: a task delivered twice sends nothing the second time).
    The number of emails sent."""
    from .selectors import submission_deadline

    with transaction.atomic():
        sign_on = (
            SignOn.objects.select_for_update(of=("self",))
            .select_related("coalition", "document__engagement__review__state", "document__engagement__review__session")
            .filter(pk=sign_on_id)
            .first()
        )
        if sign_on is None or sign_on.status != SignOnStatus.REQUESTED or not sign_on.document.editable:
            return 0  # answered, withdrawn or locked before the worker got to it
        if not sign_on.email_due:
            return 0  # this request (or reminder) was emailed already
        document = sign_on.document
        review = document.engagement.review
        deadline = submission_deadline(document)
        link = settings.SITE_URL + reverse("documents:detail", args=[sign_on.coalition.slug, document.pk]) + "#sign-on"
        messages = []
        for contact in signon_contacts(sign_on):
            user = contact.user
            zone = user.timezone or "UTC"
            with translation.override(user.language or settings.LANGUAGE_CODE), timezone.override(zone):
                context = {
                    "state": review.state.name,
                    "session": review.session.number,
                    "url": link,
                    "zone": zone,
                    "reminder": sign_on.reminded_at is not None,
                    "asked_on": timezone.localtime(sign_on.requested_at),
                    "due_local": timezone.localtime(deadline) if deadline else None,
                    "due_geneva": deadline.astimezone(GENEVA) if deadline else None,
                }
                subject = (
                    _("[UPR Coalition Hub] Reminder: your organisation is asked to sign a submission")
                    if context["reminder"]
                    else _("[UPR Coalition Hub] Your organisation is asked to sign a submission")
                )
                messages.append(
                    EmailMessage(
                        subject=subject, to=[user.email], body=render_to_string("submissions/email/signon_request.txt", context)
                    )
                )
        if messages:
            get_connection().send_messages(messages)
        sign_on.notified_at = timezone.now()
        sign_on.save(update_fields=["notified_at"])
        return len(messages)
