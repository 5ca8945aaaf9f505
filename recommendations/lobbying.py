"""Lobbying targets: which States have recommended on a subject before, how often, how strongly
(action categories), and how the States under Review responded, from the whole imported history.

This is how a coalition finds whom to approach before a review: a State that has made HIV
recommendations to five States is likelier to make one more than a State that never has.

One aggregate query grouped by recommending State, with conditional counts, answers for every
State at once, whatever the number of recommendations or States.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from .exports import safe
from .models import Issue, Recommendation, Response, Theme
from .selectors import text_search
from .statistics import group_label, one_source_per_review

CATEGORIES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Subject:
    """What the coalition lobbies on: a theme (OHCHR), an issue (UPR Info) and/or words of the text,
    optionally only among the recommending States of one regional group."""

    theme: Theme | None = None
    issue: Issue | None = None
    q: str = ""
    group: str = ""

    def is_given(self) -> bool:
        """Whether there is anything to look for (a regional group alone is not a subject)."""
        return bool(self.theme or self.issue or self.q.strip())


@dataclass(frozen=True)
class Target:
    """One recommending State's record on the subject."""

    state: str
    iso3: str
    group: str
    recommendations: int
    reviews: int
    states_under_review: int
    actions: tuple[int, ...]  # counts for categories 1..5
    uncategorised: int
    supported: int
    noted: int
    pending: int
    latest_session: int | None

    @property
    def other(self) -> int:
        """Responses neither supported nor noted: supported in part, or still pending."""
        return self.recommendations - self.supported - self.noted

    @property
    def supported_share(self) -> float | None:
        """Supported out of the recommendations that have a response (pending ones are left out)."""
        answered = self.recommendations - self.pending
        return self.supported / answered if answered else None

    @property
    def supported_percent(self) -> int | None:
        """The supported share in whole percent, as the page and the CSV show it."""
        share = self.supported_share
        return None if share is None else round(100 * share)


def subject_recommendations(subject: Subject) -> QuerySet[Recommendation]:
    """Every recommendation on the subject, across all imported reviews, each counted once."""
    queryset = Recommendation.objects.all()
    if subject.theme:
        queryset = queryset.filter(Exists(Recommendation.themes.through.objects.filter(
            recommendation=OuterRef("pk"), theme=subject.theme)))
    if subject.issue:
        queryset = queryset.filter(Exists(Recommendation.issues.through.objects.filter(
            recommendation=OuterRef("pk"), issue=subject.issue)))
    queryset = text_search(queryset, subject.q)
    # Issues come only with UPR Info's rows, so keeping OHCHR's rows where a review has both would
    # drop exactly the rows asked for; without an issue, a review imported twice is counted once.
    return queryset if subject.issue else one_source_per_review(queryset)


def lobbying_targets(subject: Subject) -> list[Target]:
    """One row per recommending State that recommended on the subject, most recommendations first."""
    rows = Recommendation.recommending_states.through.objects.filter(recommendation__in=subject_recommendations(subject))
    if subject.group:
        rows = rows.filter(state__regional_group=subject.group)
    response, category = "recommendation__response", "recommendation__action_category"
    counts: dict[str, Any] = {
        "total": Count("recommendation"),
        "reviews": Count("recommendation__review", distinct=True),
        "under_review": Count("recommendation__review__state", distinct=True),
        "latest_session": Max("recommendation__review__session__number"),
        "supported": Count("recommendation", filter=Q(**{response: Response.SUPPORTED})),
        "noted": Count("recommendation", filter=Q(**{response: Response.NOTED})),
        "pending": Count("recommendation", filter=Q(**{response: Response.PENDING})),
        "uncategorised": Count("recommendation", filter=Q(**{f"{category}__isnull": True})),
        **{f"action_{n}": Count("recommendation", filter=Q(**{category: n})) for n in CATEGORIES},
    }
    grouped = rows.values("state__name", "state__iso3", "state__regional_group").annotate(**counts)
    return [
        Target(
            state=row["state__name"], iso3=row["state__iso3"], group=group_label(row["state__regional_group"]),
            recommendations=row["total"], reviews=row["reviews"], states_under_review=row["under_review"],
            actions=tuple(row[f"action_{n}"] for n in CATEGORIES), uncategorised=row["uncategorised"],
            supported=row["supported"], noted=row["noted"], pending=row["pending"], latest_session=row["latest_session"],
        )
        for row in grouped.order_by("-total", "state__name")
    ]


def export_header() -> list[str]:
    """The CSV's column names, in the reader's language."""
    return [
        _("Recommending State"), _("ISO code"), _("Regional group"), _("Recommendations"), _("Reviews"),
        _("States under Review"), *[_("Action category %(n)d") % {"n": n} for n in CATEGORIES], _("No category"),
        _("Supported"), _("Noted"), _("Other response"), _("Supported share (%)"), _("Latest session"),
    ]


def export_rows(targets: Iterable[Target]) -> Iterator[list[Any]]:
    """The targets as CSV rows; names come from imported files, so every cell goes through `safe`."""
    for t in targets:
        share = "" if t.supported_percent is None else t.supported_percent
        yield [safe(value) for value in (
            t.state, t.iso3, t.group, t.recommendations, t.reviews, t.states_under_review, *t.actions, t.uncategorised,
            t.supported, t.noted, t.other, share, t.latest_session or "",
        )]
