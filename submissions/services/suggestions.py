"""Deciding suggestions (track changes): the section's editors accept or reject one suggestion, or
all of one person's in the text, through the server, so that the right is checked here, the result
is a change of the live text everyone sees, and the history keeps it as a version of its own (its
note says whose suggestion, and what it proposed). See submissions/live/suggestions.py."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from coalitions.models import Membership

from ..live import store
from ..live.suggestions import Suggestion, suggestions_in_state
from ..models import Document
from .documents import can_edit_section

__all__ = ["SuggestionsDecided", "can_decide_suggestions", "suggestions_decide", "suggestions_of_text"]

NOTE_QUOTE = 60  # characters of the suggestion quoted in the version's note


@dataclass
class SuggestionsDecided:
    decided: int
    accepted: bool


def can_decide_suggestions(membership: Membership, document: Document, room: str) -> bool:
    """Who edits a text decides its suggestions: the section's editors and admins (the summary: admins)."""
    if not document.editable:
        return False
    section_id = store.parse_room(room)
    if section_id is None:
        return False
    if section_id == 0:  # the executive summary
        return membership.is_admin
    section = document.sections.filter(pk=section_id).only("id", "assignee_id", "working_group_id").first()
    return section is not None and can_edit_section(membership, section)


def suggestions_of_text(document: Document, room: str) -> list[Suggestion]:
    text = store.text_for_room(document, room)
    return suggestions_in_state(store.current_state(text)) if text is not None else []


def _note(accepted: bool, chosen: list[Suggestion]) -> str:
    authors = {s.author_id for s in chosen}
    people = {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=authors)}
    names = ", ".join(people.get(a, _("a former member")) for a in sorted(a for a in authors if a is not None)) or _(
        "a former member"
    )
    first = chosen[0]
    what = (first.inserted or first.deleted).strip()
    what = what if len(what) <= NOTE_QUOTE else what[: NOTE_QUOTE - 1] + "…"
    template = (
        _("Accepted %(n)d suggestion(s) by %(names)s: “%(text)s”")
        if accepted
        else _("Rejected %(n)d suggestion(s) by %(names)s: “%(text)s”")
    )
    return template % {"n": len(chosen), "names": names, "text": what}


def suggestions_decide(
    *,
    document: Document,
    membership: Membership,
    room: str,
    accept: bool,
    ids: list[str] | None = None,
    author_id: int | None = None,
) -> SuggestionsDecided:
    """Accepts or rejects the suggestions `ids` of the text `room`, or every suggestion by `author_id`."""
    if not can_decide_suggestions(membership, document, room):
        raise PermissionDenied(_("Only the editors of this text accept or reject its suggestions."))
    text = store.text_for_room(document, room)
    if text is None:
        raise ValidationError(_("This part of the document no longer exists."))
    open_ones = suggestions_in_state(store.current_state(text))
    if author_id is not None:
        chosen = [s for s in open_ones if s.author_id == author_id]
    else:
        wanted = set(ids or [])
        chosen = [s for s in open_ones if s.id in wanted]
    if not chosen:
        raise ValidationError(_("That suggestion is no longer open: someone decided it or withdrew it."))
    done = store.decide_suggestions(
        text=text, ids=[s.id for s in chosen], accept=accept, author=membership.user, note=_note(accept, chosen)
    )
    return SuggestionsDecided(decided=len(chosen) if done else 0, accepted=accept)
