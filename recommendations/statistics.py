"""Statistics of recommendations: one review's figures, and its State's reviews across cycles.

Each figure is one aggregate query (GROUP BY in the database), so a page costs the same number of
queries for a review of 50 recommendations as for one of 300, with 10 recommending States or 190.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from coalitions.models import Coalition, Engagement
from upr.models import RegionalGroup, Review, State

from .models import ACTION_CATEGORIES, ActionCategoryStatus, Recommendation, Response, Source

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TOP_STATES = 25
REVIEW_ID = re.compile(r"[0-9]{1,9}")  # ASCII digits only, and within an integer column's range


def one_source_per_review(queryset: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    """The recommendations counted once: where a review was imported both from OHCHR's thematic list
    and from UPR Info's database, the same recommendations are stored twice (one row per source), so
    only OHCHR's rows, the official document with paragraph numbers, are kept for that review.

    The reviews with OHCHR rows are read first (one small query: a few hundred ids at most) and
    given as a list: a correlated EXISTS here, nested in the aggregate queries' subqueries, let
    PostgreSQL choose plans that took minutes on freshly loaded (not yet analysed) tables."""
    official = list(Recommendation.objects.filter(source=Source.OHCHR).values_list("review_id", flat=True).distinct().order_by())
    return queryset.filter(Q(source=Source.OHCHR) | ~Q(review_id__in=official))


def official_only(sources: set[str]) -> bool:
    """Whether a review imported from these sources is counted from OHCHR's rows alone."""
    return Source.OHCHR in sources and len(sources) > 1


def default_review(*, coalition: Coalition) -> Review | None:
    """The review of the coalition's most recent engagement (latest session), if it has one."""
    engagement = (
        Engagement.objects.for_coalition(coalition)
        .select_related("review__state", "review__session")
        .order_by("-review__session__number")
        .first()
    )
    return engagement.review if engagement else None


def review_by_id(raw: str) -> Review | None:
    """The review whose id is `raw` (from a query string), or None when it is malformed or unknown."""
    if not REVIEW_ID.fullmatch(raw.strip()):
        return None
    return Review.objects.with_related().filter(pk=int(raw)).first()


def latest_review_of(state: State) -> Review | None:
    """The State's latest review that has recommendations in our data, else its latest review."""
    reviews = Review.objects.with_related().filter(state=state).order_by("-session__number")
    with_data = Exists(Recommendation.objects.filter(review=OuterRef("pk")))
    return reviews.filter(with_data).first() or reviews.first()


@dataclass
class ReviewStatistics:
    """What one review produced, counted: (label, count) pairs, largest first unless the scale has an order."""

    review: Review
    total: int = 0
    responses: list[tuple[str, int]] = field(default_factory=list)
    actions: list[tuple[str, int]] = field(default_factory=list)
    suggested_actions: int = 0  # categories suggested from the first verb, not yet confirmed by a person
    themes: list[tuple[str, int]] = field(default_factory=list)
    sdgs: list[tuple[str, int]] = field(default_factory=list)
    issues: list[tuple[str, int]] = field(default_factory=list)
    states: list[tuple[str, int]] = field(default_factory=list)  # the TOP_STATES most frequent
    other_states: int = 0  # how many recommending States are left out of `states`
    other_states_count: int = 0  # and how many recommendations those made between them
    recommending_states: int = 0
    groups: list[tuple[str, int]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def action_label(category: int | None) -> str:
    """UPR Info's name of an action category, or "no category"."""
    labels: dict[int | None, StrOrPromise] = dict(ACTION_CATEGORIES)
    return str(labels.get(category, _("No category")))


def group_label(group: str) -> str:
    """A regional group's name; observer States (Holy See, State of Palestine) belong to none."""
    return str(RegionalGroup(group).label) if group in RegionalGroup.values else _("No regional group")


def review_statistics(review: Review) -> ReviewStatistics:
    """Every count of the statistics page for one review, in seven aggregate queries."""
    stats = ReviewStatistics(review=review)
    # The first query, by response and source, also tells whether the review was imported twice.
    by_source = list(Recommendation.objects.filter(review=review).values("response", "source").annotate(n=Count("id")).order_by())
    sources = {row["source"] for row in by_source}
    only = {"source": Source.OHCHR} if official_only(sources) else {}
    counted = Recommendation.objects.filter(review=review, **only)

    by_response: dict[str, int] = {}
    for row in by_source:
        if not only or row["source"] == Source.OHCHR:
            by_response[row["response"]] = by_response.get(row["response"], 0) + row["n"]
    stats.responses = [(str(r.label), by_response[r.value]) for r in Response if by_response.get(r.value)]
    stats.total = sum(by_response.values())
    stats.sources = [str(s.label) for s in Source if s.value in sources and (not only or s == Source.OHCHR)]

    by_action: dict[int | None, int] = {}
    for row in counted.values("action_category", "action_category_status").annotate(n=Count("id")).order_by():
        by_action[row["action_category"]] = by_action.get(row["action_category"], 0) + row["n"]
        if row["action_category"] is not None and row["action_category_status"] == ActionCategoryStatus.SUGGESTED:
            stats.suggested_actions += row["n"]
    # The scale's own order (1 minimal ... 5 specific), not the largest first: it is a scale.
    stats.actions = [(action_label(c), by_action[c]) for c in (1, 2, 3, 4, 5, None) if by_action.get(c)]

    # Themes come only with OHCHR's rows and issues only with UPR Info's, so these count every row.
    stats.themes = _tally(_tags("themes", review=review).values("theme__name"), "theme__name")
    stats.issues = _tally(_tags("issues", review=review).values("issue__name"), "issue__name")
    sdgs = _tags("sdgs", review=review).values("sdg__number", "sdg__name").annotate(n=Count("recommendation"))
    stats.sdgs = [(f"{row['sdg__number']} - {row['sdg__name']}", row["n"]) for row in sdgs.order_by("sdg__number")]

    # A recommendation made jointly by several States counts once for each of them.
    through = _tags("recommending_states", review=review, **only)
    states = _tally(through.values("state__name"), "state__name")
    stats.recommending_states = len(states)
    stats.states = states[:TOP_STATES]
    stats.other_states = len(states[TOP_STATES:])
    stats.other_states_count = sum(n for _name, n in states[TOP_STATES:])
    # ... but once per group: two WEOG States making one recommendation together is one for WEOG.
    groups = through.values("state__regional_group").annotate(n=Count("recommendation", distinct=True)).order_by("-n")
    stats.groups = [(group_label(row["state__regional_group"]), row["n"]) for row in groups]
    return stats


def _tags(relation: str, **recommendation: object) -> QuerySet:
    """The rows (recommendation, tag) of a many-to-many relation's table, for the recommendations
    matching `recommendation` (field lookups, joined rather than a subquery)."""
    through = getattr(Recommendation, relation).through
    return through.objects.filter(**{f"recommendation__{key}": value for key, value in recommendation.items()})


def _tally(values: QuerySet, name: str, count: str = "recommendation") -> list[tuple[str, int]]:
    """(name, count) pairs of a values() queryset grouped by `name`, largest first, then by name."""
    rows = values.annotate(n=Count(count)).order_by("-n", name)
    return [(row[name], row["n"]) for row in rows]


@dataclass
class CycleRow:
    """One review of the State under Review: its counts by response and by action category."""

    review_id: int
    session: int
    cycle: int
    total: int = 0
    responses: dict[str, int] = field(default_factory=dict)
    actions: dict[int | None, int] = field(default_factory=dict)


def cycle_statistics(state: State) -> list[CycleRow]:
    """Every review of `state` that has recommendations in our data, oldest first, in two queries
    (grouped by source too, so that a review imported twice is counted once, in Python)."""
    received = Recommendation.objects.filter(review__state=state)
    by_response = list(
        received.values("review_id", "review__session__number", "review__session__cycle", "source", "response")
        .annotate(n=Count("id"))
        .order_by()
    )
    sources: dict[int, set[str]] = {}
    for row in by_response:
        sources.setdefault(row["review_id"], set()).add(row["source"])

    def counted(row: dict) -> bool:
        return not official_only(sources[row["review_id"]]) or row["source"] == Source.OHCHR

    rows: dict[int, CycleRow] = {}
    for row in filter(counted, by_response):
        cycle = rows.setdefault(
            row["review_id"], CycleRow(row["review_id"], row["review__session__number"], row["review__session__cycle"])
        )
        cycle.responses[row["response"]] = cycle.responses.get(row["response"], 0) + row["n"]
        cycle.total += row["n"]
    by_action = received.values("review_id", "source", "action_category").annotate(n=Count("id")).order_by()
    for row in filter(counted, by_action):
        actions = rows[row["review_id"]].actions
        actions[row["action_category"]] = actions.get(row["action_category"], 0) + row["n"]
    return sorted(rows.values(), key=lambda r: r.session)
