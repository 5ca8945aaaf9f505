"""Reads of comments: threads (a comment with its replies and the people mentioned) in a fixed number
of queries whatever their number, each with what the reader may see and do.

An author's organisation is read from their membership of the coalition. An observer never reads
the name of an organisation that is withheld (coalitions.withheld): they see "an organisation that
is not named".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet

from coalitions.models import Membership
from coalitions.withheld import organisation_label, sees_withheld

from ..models import Comment, Section

__all__ = ["threads", "author_organisations", "label_threads", "section_threads", "truthy"]


def threads(comments: QuerySet[Comment], *, with_mentions: bool = True) -> QuerySet[Comment]:
    """`comments` with their section, author, resolver, replies (oldest first) and, for the API, the
    people they mention loaded."""
    mentions = ["mentions"] if with_mentions else []
    replies = Comment.objects.select_related("author").prefetch_related(*mentions).order_by("created_at", "id")
    return (
        comments.select_related("section", "author", "resolved_by")
        .prefetch_related(*mentions, Prefetch("replies", queryset=replies))
        .order_by("section__document", "created_at", "id")
    )


def author_organisations(coalition_id: int, comments: Iterable[Comment]) -> dict[int, Any]:
    """{author's user id: their organisation in the coalition (None: none, or they left)}, in one query."""
    authors = {c.author_id for c in comments if c.author_id} | {
        r.author_id for c in comments for r in c.replies.all() if r.author_id
    }
    if not authors:
        return {}
    memberships = Membership.objects.filter(coalition_id=coalition_id, user_id__in=authors).select_related("organisation")
    return {m.user_id: m.organisation for m in memberships}


def label_threads(comments: list[Comment], *, membership: Membership, my_groups: set[int]) -> list[Comment]:
    """Set on each comment and reply what the reader sees of its author's organisation
    (`organisation_label`, `organisation_withheld`: a member is reminded that the name stays in the
    coalition) and, on each thread, whether the reader may resolve or reopen it (`can_resolve`)."""
    from ..services.comments import may_resolve

    organisations = author_organisations(membership.coalition_id, comments)
    insider = sees_withheld(membership)
    for comment in comments:
        comment.can_resolve = may_resolve(membership, comment, my_groups)  # type: ignore[attr-defined]  # read by the templates and the serializers
        for one in (comment, *comment.replies.all()):
            organisation = organisations.get(one.author_id) if one.author_id else None
            one.organisation_label = organisation_label(organisation, membership) or None
            one.organisation_withheld = bool(organisation and organisation.withheld and insider)
    return comments


def section_threads(sections: list[Section], *, membership: Membership, my_groups: set[int]) -> None:
    """For the document page: each section's open threads (`open_comments`) and resolved ones
    (`resolved_comments`), labelled for the reader, in a fixed number of queries."""
    by_pk = {s.pk: s for s in sections}
    found = list(threads(Comment.objects.filter(section__in=list(by_pk), parent__isnull=True), with_mentions=False))
    by_section: dict[int, list[Comment]] = {pk: [] for pk in by_pk}
    for comment in found:
        comment.section = by_pk[comment.section_id]  # the page's own, with what it computed
        by_section[comment.section_id].append(comment)
    label_threads(found, membership=membership, my_groups=my_groups)
    for section in sections:
        mine = by_section[section.pk]
        section.open_comments = [c for c in mine if c.resolved_at is None]  # type: ignore[attr-defined]  # shown by partials/section.html
        section.resolved_comments = [c for c in mine if c.resolved_at is not None]  # type: ignore[attr-defined]  # shown by partials/section.html


def truthy(value: str | None) -> bool | None:
    """A query string's yes or no ("true", "1", "yes" / "false", "0", "no"), None when absent or anything else."""
    if value is None:
        return None
    lowered = value.strip().lower()
    return True if lowered in ("true", "1", "yes") else False if lowered in ("false", "0", "no") else None
