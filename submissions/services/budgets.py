"""Word budgets: the secretariat divides the document's limit among its counted sections.

A budget marks a section over it (for its working group to see); it never blocks the writing. So
this is the only write of budgets, and no save of a section reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from coalitions.audit import audit_record
from upr.numbers import grouped

from ..models import Document, Section
from .documents import refuse_if_locked

__all__ = ["MAX_BUDGET", "document_budgets_set"]

# Far above any limit OHCHR sets (5,630 words) and any document's length, far below what the column
# holds: a larger number can only be a typing slip.
MAX_BUDGET = 100_000


def _budget(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_BUDGET:
        raise ValidationError(
            _("A word budget is a whole number of words from 0 to %(max)s, or empty for no budget.")
            % {"max": grouped(MAX_BUDGET)}
        )
    return value


@transaction.atomic
def document_budgets_set(*, document: Document, actor: User, budgets: Mapping[int, int | None]) -> list[Section]:
    """Set the word budgets of the document's counted sections, by section id (None: no budget; a
    section not named keeps its budget). Refused, with nothing saved, when the budgets would add up
    to more than the document's limit, when a section is not one of its counted sections (an annex
    counts for nothing, so it has no budget), or when the document is locked. A budget below the
    section's count is allowed: the section then shows as over it."""
    # The document's row is held: two budget changes at once cannot each pass the sum check alone.
    current = Document.objects.select_for_update().get(pk=document.pk)
    refuse_if_locked(current)
    wanted = {pk: _budget(value) for pk, value in budgets.items()}
    # Not locked: a section's text is saved (and counted) meanwhile without waiting for its budget.
    sections = list(current.sections.filter(annex=False).order_by("position", "id"))
    if set(wanted) - {s.pk for s in sections}:
        raise ValidationError(_("Budgets are set on this document's counted sections only (annexes do not count)."))
    new = {s.pk: wanted.get(s.pk, s.word_budget) for s in sections}
    total = sum(v for v in new.values() if v is not None)
    limit = current.word_limit
    if limit is not None and total > limit:
        raise ValidationError(
            _(
                "The budgets add up to %(total)s words, more than the document's limit of %(limit)s words: lower some "
                "of them. Nothing was saved."
            )
            % {"total": grouped(total), "limit": grouped(limit)}
        )
    changed, changes = [], {}
    for s in sections:
        if new[s.pk] != s.word_budget:
            label = s.title if s.title not in changes else f"{s.title} ({s.pk})"
            changes[label] = ["" if s.word_budget is None else str(s.word_budget), "" if new[s.pk] is None else str(new[s.pk])]
            s.word_budget = new[s.pk]
            changed.append(s)
    if changed:
        # One UPDATE of the one column: neither the text's version nor its "saved by ... on" changes (a
        # budget is not a change of the text), and the page cache sees the write (upr.freshness).
        Section.objects.bulk_update(changed, ["word_budget"])
        audit_record(coalition=current.coalition, actor=actor, action="document.budgets", target=current, changes=changes)
    return sections
