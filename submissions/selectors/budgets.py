"""Reads of the word budgets: the secretariat's share of the document's limit for each counted
section, compared with the section's count.

A budget is compared with the section's count exactly as the count panel shows its row: the text
(footnotes excluded) plus the title once the text has words (see documents._count). People see one
number beside the budget and one mark when it is passed; comparing the text alone would mark a
section over its budget while its row shows fewer words than the budget, or the other way round.
Annexes do not count toward the limit, so they have no budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.http import HttpRequest

from coalitions.models import Membership, WorkingGroup

from ..models import Document, DocumentStatus, Section
from ..wordcount import count_text

__all__ = [
    "section_words",
    "over_budget_by",
    "BudgetRow",
    "Budgets",
    "document_budgets",
    "sections_over_budget",
    "over_budget_panel",
]


def section_words(section: Section) -> int:
    """The section's words as its row of the count panel shows them (what its budget is compared with)."""
    return section.counted_words + (count_text(section.title) if section.counted_words else 0)


def over_budget_by(words: int, budget: int | None) -> int:
    """How many words past its budget a count is (0: within it, or no budget)."""
    return 0 if budget is None else max(0, words - budget)


@dataclass
class BudgetRow:
    section: Section
    words: int

    @property
    def budget(self) -> int | None:
        return self.section.word_budget

    @property
    def over_by(self) -> int:
        return over_budget_by(self.words, self.budget)


@dataclass
class Budgets:
    """Every counted section of a document with its count and budget, and the limit they share."""

    document: Document
    rows: list[BudgetRow]
    limit: int | None

    @property
    def budgeted(self) -> int:
        return sum(row.budget for row in self.rows if row.budget is not None)

    @property
    def over_limit_by(self) -> int:
        return 0 if self.limit is None else max(0, self.budgeted - self.limit)


def document_budgets(document: Document) -> Budgets:
    """The document's counted sections (annexes excluded), in their order: one query."""
    sections = document.sections.filter(annex=False).order_by("position", "id")
    return Budgets(document, [BudgetRow(s, section_words(s)) for s in sections], document.word_limit)


def sections_over_budget(*, membership: Membership) -> list[Section]:
    """The sections this person works on (their working groups' or assigned to them), in documents still
    being written, that are over their budget: one query, whatever the number of groups or documents."""
    groups = WorkingGroup.objects.filter(members=membership).values("pk")
    candidates = (
        Section.objects.for_coalition(membership.coalition)
        # A section without words is never over (its title counts only once it has text).
        .filter(
            annex=False,
            word_budget__isnull=False,
            counted_words__gt=0,
            document__status__in=[DocumentStatus.DRAFT, DocumentStatus.IN_REVIEW],
        )
        .filter(Q(working_group__in=groups) | Q(assignee_id=membership.user_id))
        .select_related("document")
        .order_by("document__created_at", "document_id", "position", "id")
    )
    over = []
    for section in candidates:
        section.words = section_words(section)
        section.over_by = over_budget_by(section.words, section.word_budget)
        if section.over_by:
            over.append(section)
    return over


def over_budget_panel(request: HttpRequest) -> dict[str, Any]:
    """The dashboard's "your sections over their word budget" (registered in upr.panels; kept by the
    dashboard's {% freshcache %} until a table it read is written: a budget or a text changed shows at once)."""
    membership = getattr(request, "membership", None)
    return {"over_budget_sections": sections_over_budget(membership=membership) if membership else []}
