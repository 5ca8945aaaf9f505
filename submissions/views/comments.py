"""Comments through the page's forms (without JavaScript, or as the margin's fallback): add one on
the section or on a passage, reply, resolve, reopen. Each answers with a redirect to the comment on
the document's page, and what the service refuses becomes the person's message, never an error page.
A comment id of another section, document or coalition is 404."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalitions.models import Role
from coalitions.tenancy import CoalitionRequest, require_role

from .. import services
from ..models import Comment, Section
from .common import NOT_DONE, attempt, document_url
from .sections import section_of


def _comment_of(request: CoalitionRequest, section: Section, comment_id: int) -> Comment:
    comment = get_object_or_404(Comment.objects.for_coalition(request.coalition), section=section, pk=comment_id)
    comment.section = section
    return comment


def _back(coalition_slug: str, section: Section, done: Comment | object) -> HttpResponse:
    """Back to the comment `done`, or to the section's comments when it is NOT_DONE."""
    anchor = f"comment-{done.pk}" if isinstance(done, Comment) else f"comments-{section.pk}"
    return redirect(document_url(coalition_slug, section.document_id, anchor))


@require_POST
@require_role(Role.MEMBER)
def comment_add(request: CoalitionRequest, coalition_slug: str, document_id: int, section_id: int) -> HttpResponse:
    """A comment on the section; with `anchor_start`, `anchor_end` (and `quote`), on a passage of it."""
    section = section_of(request, document_id, section_id)
    start, end = request.POST.get("anchor_start", ""), request.POST.get("anchor_end", "")
    anchor = {"start": start, "end": end} if start or end else {}
    done = attempt(
        request,
        lambda: services.comment_add(
            section=section,
            membership=request.membership,
            text=request.POST.get("text", ""),
            anchor=anchor,
            quote=request.POST.get("quote", ""),
        ),
        _("Comment added."),
    )
    return _back(coalition_slug, section, done)


@require_POST
@require_role(Role.MEMBER)
def comment_reply(
    request: CoalitionRequest, coalition_slug: str, document_id: int, section_id: int, comment_id: int
) -> HttpResponse:
    section = section_of(request, document_id, section_id)
    parent = _comment_of(request, section, comment_id)
    done = attempt(
        request,
        lambda: services.comment_reply(parent=parent, membership=request.membership, text=request.POST.get("text", "")),
        _("Reply added."),
    )
    return _back(coalition_slug, section, parent if done is NOT_DONE else done)


@require_POST
@require_role(Role.MEMBER)
def comment_resolve(
    request: CoalitionRequest, coalition_slug: str, document_id: int, section_id: int, comment_id: int
) -> HttpResponse:
    section = section_of(request, document_id, section_id)
    comment = _comment_of(request, section, comment_id)
    attempt(request, lambda: services.comment_resolve(comment=comment, membership=request.membership), _("Comment resolved."))
    return _back(coalition_slug, section, comment)


@require_POST
@require_role(Role.MEMBER)
def comment_reopen(
    request: CoalitionRequest, coalition_slug: str, document_id: int, section_id: int, comment_id: int
) -> HttpResponse:
    section = section_of(request, document_id, section_id)
    comment = _comment_of(request, section, comment_id)
    attempt(request, lambda: services.comment_reopen(comment=comment, membership=request.membership), _("Comment reopened."))
    return _back(coalition_slug, section, comment)
