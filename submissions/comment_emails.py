"""The email to a person mentioned in a comment ("@Ana Novak"): who mentioned them, in which
coalition, when, and a link back to the comment on the document's page.

What it never carries: the comment's text, the document's title or text, the quoted passage, any
organisation's name. An inbox is not private, and the people of a coalition may be at risk of
reprisals for what they write: the words stay behind the sign-in.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coalitions.models import Membership

from .models import Comment

# How long a sent mention is remembered, so that a task delivered twice emails nobody twice.
SENT_FOR_SECONDS = 7 * 24 * 3600


def comment_link(comment: Comment, coalition_slug: str, document_id: int) -> str:
    return f"{settings.SITE_URL}{reverse('documents:detail', args=[coalition_slug, document_id])}#comment-{comment.pk}"


def mention_emails_send(*, comment_id: int) -> int:
    """Email each person the comment mentions who is still one of the coalition's people, once
    (a redelivered task finds them sent), in their language and time zone. The number of emails sent."""
    comment = Comment.objects.select_related("coalition", "author", "section").filter(pk=comment_id).first()
    if comment is None:
        return 0  # deleted (with its section) before the worker got to it
    still_members = Membership.objects.filter(coalition_id=comment.coalition_id, user__is_active=True).values("user_id")
    people = list(comment.mentions.filter(pk__in=still_members))
    link = comment_link(comment, comment.coalition.slug, comment.section.document_id)
    messages, claimed = [], []
    for user in people:
        key = f"mention-email:{comment.pk}:{user.pk}"
        if not cache.add(key, 1, SENT_FOR_SECONDS):
            continue
        claimed.append(key)
        zone = user.timezone or "UTC"
        with translation.override(user.language or settings.LANGUAGE_CODE), timezone.override(zone):
            context = {
                "author": str(comment.author) if comment.author_id else _("A former member"),
                "coalition": comment.coalition.name,
                "url": link,
                "zone": zone,
                "when": timezone.localtime(comment.created_at),
            }
            messages.append(
                EmailMessage(
                    subject=_("[UPR Coalition Hub] You were mentioned in a comment"),
                    to=[user.email],
                    body=render_to_string("submissions/email/mention.txt", context),
                )
            )
    try:
        if messages:
            get_connection().send_messages(messages)
    except Exception:
        cache.delete_many(claimed)  # not sent: the retry sends them
        raise
    return len(messages)
