"""Comments on a section or on a passage of it: add, reply, resolve, reopen, and the people mentioned.

Who does what: members and above comment and reply (observers read); the comment's author, the
section's editors (`can_edit_section`) and admins resolve and reopen it. A reply belongs to a
thread: it has no passage of its own, and a reply to a reply joins the thread's first comment.

A comment on a passage carries its anchor: two Yjs relative positions the browser made with
`Y.encodeRelativePosition`, in base64. They name CRDT items, not offsets, so the server keeps them
as they are and only checks their shape (a bounded size: they are stored and sent to every reader).
The quoted passage is kept with it, so that the list shows what the comment was on once the words
are gone from the text.

A person is mentioned by "@" and their name or email address, among the coalition's people. Each one
gets one email per comment, after the commit, saying who mentioned them in which coalition, with a
link back: never the document's or the comment's text (an inbox is not a safe place for what a
defender writes). Comments are not in the audit trail (they were not before): they are the
conversation about the text, not a change to it. Every change tells open pages to fetch them again.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coalitions.models import Membership, Role
from upr.numbers import grouped

from ..live.broadcast import review_changed_on_commit
from ..models import Comment, Section
from .documents import can_edit_section

__all__ = [
    "comment_add",
    "comment_reply",
    "comment_resolve",
    "comment_reopen",
    "may_resolve",
    "clean_anchor",
    "mentioned_people",
    "ANCHOR_MAX_BYTES",
    "QUOTE_MAX",
    "TEXT_MAX",
]

TEXT_MAX = 5000
QUOTE_MAX = 2000
# A Yjs relative position is a few dozen bytes (a client id, a clock, a type name); 512 leaves room
# for a long type name while keeping a hostile anchor from filling every reader's page.
ANCHOR_MAX_BYTES = 512
_ANCHOR_MAX_CHARACTERS = 4 * math.ceil(ANCHOR_MAX_BYTES / 3)
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
# PostgreSQL refuses NUL in text (a 500, not a message) and other control characters only garble the
# page; tabs and line breaks are the writer's.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(value: Any) -> str:
    text = _CONTROL.sub("", str(value or "")).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def clean_anchor(anchor: Any) -> dict[str, str]:
    """The anchor as stored: {} (the whole section) or {"start": ..., "end": ...}, each valid base64
    of at most ANCHOR_MAX_BYTES bytes. Anything else is refused with a message."""
    if anchor is None or anchor == {} or anchor == "":
        return {}
    refusal = ValidationError(
        {
            "anchor": _(
                'The passage\'s anchor is {"start": ..., "end": ...}: two positions in base64 (from '
                "Y.encodeRelativePosition), of at most %(bytes)d bytes each. Select the words again."
            )
            % {"bytes": ANCHOR_MAX_BYTES}
        }
    )
    if not isinstance(anchor, dict) or set(anchor) != {"start", "end"}:
        raise refusal
    for value in anchor.values():
        if not isinstance(value, str) or len(value) > _ANCHOR_MAX_CHARACTERS or not _BASE64.fullmatch(value):
            raise refusal
        try:
            decoded = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise refusal from None
        if not decoded or len(decoded) > ANCHOR_MAX_BYTES:
            raise refusal
    return {"start": anchor["start"], "end": anchor["end"]}


def may_resolve(membership: Membership, comment: Comment, my_groups: set[int] | None = None) -> bool:
    """The thread's author, the section's editors and admins resolve and reopen it (replies go with it)."""
    if comment.parent_id is not None or not membership.has_role(Role.MEMBER):
        return False
    return comment.author_id == membership.user_id or can_edit_section(membership, comment.section, my_groups)


def mentioned_people(*, coalition_id: int, text: str, author_id: int | None) -> list[Any]:
    """The coalition's people that `text` mentions: "@" then their name or email address, in any case.

    The longest name wins ("@Ana Novak" is Ana Novak, not Ana), a mention starts after a space or
    punctuation (so an email address in the text mentions nobody), and people who share a name are
    all mentioned. Every member can read the documents (observers too), so any of them may be
    mentioned; the author is never told of their own comment."""
    if "@" not in text:
        return []
    members = (
        Membership.objects.filter(coalition_id=coalition_id, user__is_active=True)
        .exclude(user_id=author_id)
        .select_related("user")
    )
    by_key: dict[str, dict[int, Any]] = {}
    for membership in members:
        user = membership.user
        for key in {str(user).strip(), user.email.strip()}:
            if key:
                by_key.setdefault(key.casefold(), {})[user.pk] = user
    if not by_key:
        return []
    names = "|".join(re.escape(key) for key in sorted(by_key, key=len, reverse=True))
    found: dict[int, Any] = {}
    for match in re.finditer(rf"(?<![\w@])@({names})(?!\w)", text, re.IGNORECASE):
        found.update(by_key.get(match.group(1).casefold(), {}))
    return list(found.values())


def _changed(comment: Comment) -> None:
    review_changed_on_commit(document_id=comment.section.document_id, what="comments")


def _mention(comment: Comment, author_id: int) -> None:
    """Record who the comment mentions and email each of them once, after the commit."""
    from ..tasks import send_mention_emails

    people = mentioned_people(coalition_id=comment.coalition_id, text=comment.text, author_id=author_id)
    if people:
        comment.mentions.set(people)
        pk = comment.pk
        transaction.on_commit(lambda: send_mention_emails.delay(comment_id=pk))


def _written(membership: Membership, text: Any) -> str:
    if not membership.has_role(Role.MEMBER):
        raise PermissionDenied(_("Observers read; members comment."))
    cleaned = _text(text)
    if not cleaned:
        raise ValidationError({"text": _("Write the comment first.")})
    if len(cleaned) > TEXT_MAX:
        raise ValidationError(
            {
                "text": _("A comment has at most %(limit)s characters (this one has %(length)s): shorten it, or split it in two.")
                % {"limit": grouped(TEXT_MAX), "length": grouped(len(cleaned))}
            }
        )
    return cleaned


@transaction.atomic
def comment_add(*, section: Section, membership: Membership, text: str, anchor: Any = None, quote: Any = "") -> Comment:
    """A comment on the section, or on a passage of it (`anchor`, with the passage's `quote`,
    shortened to QUOTE_MAX characters). Members and above comment; observers read."""
    cleaned = _written(membership, text)
    if section.coalition_id != membership.coalition_id:
        raise ValidationError(_("A comment stays in its own coalition."))
    kept_anchor = clean_anchor(anchor)
    passage = _text(quote)
    if passage and not kept_anchor:
        raise ValidationError({"quote": _("A quoted passage comes with its anchor: select the words again.")})
    comment = Comment.objects.create(
        coalition_id=section.coalition_id,
        section=section,
        author=membership.user,
        text=cleaned,
        anchor=kept_anchor,
        quote=passage[:QUOTE_MAX],
    )
    _mention(comment, membership.user_id)
    _changed(comment)
    return comment


@transaction.atomic
def comment_reply(*, parent: Comment, membership: Membership, text: str) -> Comment:
    """A reply, at the end of the thread of `parent` (a reply to a reply joins the same thread)."""
    cleaned = _written(membership, text)
    top = Comment.objects.select_related("section").get(pk=parent.parent_id or parent.pk)
    if top.coalition_id != membership.coalition_id:
        raise ValidationError(_("A comment stays in its own coalition."))
    reply = Comment.objects.create(
        coalition_id=top.coalition_id, section=top.section, parent=top, author=membership.user, text=cleaned
    )
    _mention(reply, membership.user_id)
    _changed(reply)
    return reply


def _held(comment: Comment, membership: Membership) -> Comment:
    current = Comment.objects.select_for_update(of=("self",)).select_related("section").get(pk=comment.pk)
    if current.parent_id is not None:
        raise ValidationError(_("A reply is resolved with its thread: resolve or reopen the comment it answers."))
    if not may_resolve(membership, current):
        raise PermissionDenied(_("Only the author or the section's editors resolve a comment."))
    return current


@transaction.atomic
def comment_resolve(*, comment: Comment, membership: Membership) -> Comment:
    """The comment's author, the section's editors and admins resolve it (again: nothing changes)."""
    current = _held(comment, membership)
    if current.resolved_at is None:
        current.resolved_at, current.resolved_by = timezone.now(), membership.user
        current.save(update_fields=["resolved_at", "resolved_by"])
        _changed(current)
    return current


@transaction.atomic
def comment_reopen(*, comment: Comment, membership: Membership) -> Comment:
    """The same people bring a resolved comment back among the open ones."""
    current = _held(comment, membership)
    if current.resolved_at is not None:
        current.resolved_at, current.resolved_by = None, None
        current.save(update_fields=["resolved_at", "resolved_by"])
        _changed(current)
    return current
