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
        queryset = queryset.filter(
            Exists(Recommendation.themes.through.objects.filter(recommendation=OuterRef("pk"), theme=subject.theme))
        )
    if subject.issue:
        queryset = queryset.filter(
            Exists(Recommendation.issues.through.objects.filter(recommendation=OuterRef("pk"), issue=subject.issue))
        )
    queryset = text_search(queryset, subject.q)
    # Issues come only with UPR Info's rows, so keeping OHCHR's rows where a review has both would
    # drop exactly the rows asked for; without an issue, a review imported twice is counted once.
    return queryset if subject.issue else one_source_per_review(queryset)


def lobbying_targets(subject: Subject, recommendations: QuerySet[Recommendation] | None = None) -> list[Target]:
    """One row per recommending State that recommended on the subject, most recommendations first.

    `recommendations` is `subject_recommendations(subject)` when the caller has it already. The
    query groups the recommendations joined to their recommending States (each pair one row) by
    State; the subject's filters stay on the recommendations table itself, not in a subquery."""
    rows = subject_recommendations(subject) if recommendations is None else recommendations
    # One filter() call: its join to the recommending States is the one values() groups by, so the
    # regional group restricts the States counted, not merely the recommendations.
    states: dict[str, Any] = (
        {"recommending_states__regional_group": subject.group} if subject.group else {"recommending_states__isnull": False}
    )
    counts: dict[str, Any] = {
        "total": Count("id"),
        "reviews": Count("review", distinct=True),
        "under_review": Count("review__state", distinct=True),
        "latest_session": Max("review__session__number"),
        "supported": Count("id", filter=Q(response=Response.SUPPORTED)),
        "noted": Count("id", filter=Q(response=Response.NOTED)),
        "pending": Count("id", filter=Q(response=Response.PENDING)),
        "uncategorised": Count("id", filter=Q(action_category__isnull=True)),
        **{f"action_{n}": Count("id", filter=Q(action_category=n)) for n in CATEGORIES},
    }
    name, iso3, group = "recommending_states__name", "recommending_states__iso3", "recommending_states__regional_group"
    grouped = rows.filter(**states).values(name, iso3, group).annotate(**counts).order_by("-total", name)
    return [
        Target(
            state=row[name],
            iso3=row[iso3],
            group=group_label(row[group]),
            recommendations=row["total"],
            reviews=row["reviews"],
            states_under_review=row["under_review"],
            actions=tuple(row[f"action_{n}"] for n in CATEGORIES),
            uncategorised=row["uncategorised"],
            supported=row["supported"],
            noted=row["noted"],
            pending=row["pending"],
            latest_session=row["latest_session"],
        )
        for row in grouped
    ]


def export_header() -> list[str]:
    """The CSV's column names, in the reader's language."""
    return [
        _("Recommending State"),
        _("ISO code"),
        _("Regional group"),
        _("Recommendations"),
        _("Reviews"),
        _("States under Review"),
        *[_("Action category %(n)d") % {"n": n} for n in CATEGORIES],
        _("No category"),
        _("Supported"),
        _("Noted"),
        _("Other response"),
        _("Supported share (%)"),
        _("Latest session"),
    ]


def export_rows(targets: Iterable[Target]) -> Iterator[list[Any]]:
    """The targets as CSV rows; names come from imported files, and upr.cells.csv_lines neutralises every cell."""
    for t in targets:
        share = "" if t.supported_percent is None else t.supported_percent
        yield [
            t.state,
            t.iso3,
            t.group,
            t.recommendations,
            t.reviews,
            t.states_under_review,
            *t.actions,
            t.uncategorised,
            t.supported,
            t.noted,
            t.other,
            share,
            t.latest_session or "",
        ]
