"""Statistics of recommendations: one review's figures, and its State's reviews across cycles.

Each figure is one aggregate query (GROUP BY in the database), so a page costs the same number of
queries for a review of 50 recommendations as for one of 300, with 10 recommending States or 190.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from coalitions.models import Coalition, Engagement
from upr.models import RegionalGroup, Review, State

from .forms import ACTION_CATEGORIES
from .models import ActionCategoryStatus, Recommendation, Response, Source

TOP_STATES = 25
REVIEW_ID = re.compile(r"[0-9]{1,9}")  # ASCII digits only, and within an integer column's range


def one_source_per_review(queryset: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    """The recommendations counted once: where a review was imported both from OHCHR's thematic list
    and from UPR Info's database, the same recommendations are stored twice (one row per source), so
    only OHCHR's rows, the official document with paragraph numbers, are kept for that review."""
    official = Recommendation.objects.filter(review=OuterRef("review"), source=Source.OHCHR)
    return queryset.filter(Q(source=Source.OHCHR) | ~Exists(official))


def default_review(*, coalition: Coalition) -> Review | None:
    """The review of the coalition's most recent engagement (latest session), if it has one."""
    engagement = (
        Engagement.objects.for_coalition(coalition)  # type: ignore[attr-defined]
        .select_related("review__state", "review__session").order_by("-review__session__number").first()
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
    return str(dict(ACTION_CATEGORIES).get(category, _("No category")))


def group_label(group: str) -> str:
    """A regional group's name; observer States (Holy See, State of Palestine) belong to none."""
    return str(RegionalGroup(group).label) if group in RegionalGroup.values else _("No regional group")


def review_statistics(review: Review) -> ReviewStatistics:
    """Every count of the statistics page for one review, in seven aggregate queries."""
    stats = ReviewStatistics(review=review)
    received = Recommendation.objects.filter(review=review)
    counted = one_source_per_review(received)

    by_response: dict[str, int] = {}
    sources: set[str] = set()
    for row in counted.values("response", "source").annotate(n=Count("id")).order_by():
        by_response[row["response"]] = by_response.get(row["response"], 0) + row["n"]
        sources.add(row["source"])
    stats.responses = [(str(r.label), by_response[r.value]) for r in Response if by_response.get(r.value)]
    stats.total = sum(by_response.values())
    stats.sources = [str(s.label) for s in Source if s.value in sources]

    by_action: dict[int | None, int] = {}
    for row in counted.values("action_category", "action_category_status").annotate(n=Count("id")).order_by():
        by_action[row["action_category"]] = by_action.get(row["action_category"], 0) + row["n"]
        if row["action_category"] is not None and row["action_category_status"] == ActionCategoryStatus.SUGGESTED:
            stats.suggested_actions += row["n"]
    # The scale's own order (1 minimal ... 5 specific), not the largest first: it is a scale.
    stats.actions = [(action_label(c), by_action[c]) for c in (1, 2, 3, 4, 5, None) if by_action.get(c)]

    # Themes come only with OHCHR's rows and issues only with UPR Info's, so these count all rows.
    stats.themes = _tally(_tags("themes", received).values("theme__name"), "theme__name")
    stats.issues = _tally(_tags("issues", received).values("issue__name"), "issue__name")
    sdgs = _tags("sdgs", received).values("sdg__number", "sdg__name").annotate(n=Count("recommendation"))
    stats.sdgs = [(f"{row['sdg__number']} - {row['sdg__name']}", row["n"]) for row in sdgs.order_by("sdg__number")]

    # A recommendation made jointly by several States counts once for each of them.
    through = _tags("recommending_states", counted)
    states = _tally(through.values("state__name"), "state__name")
    stats.recommending_states = len(states)
    stats.states = states[:TOP_STATES]
    stats.other_states = len(states[TOP_STATES:])
    stats.other_states_count = sum(n for _name, n in states[TOP_STATES:])
    # ... but once per group: two WEOG States making one recommendation together is one for WEOG.
    groups = through.values("state__regional_group").annotate(n=Count("recommendation", distinct=True)).order_by("-n")
    stats.groups = [(group_label(row["state__regional_group"]), row["n"]) for row in groups]
    return stats


def _tags(relation: str, recommendations: QuerySet[Recommendation]) -> QuerySet:
    """The rows of a many-to-many relation's table (recommendation, tag) for these recommendations."""
    return getattr(Recommendation, relation).through.objects.filter(recommendation__in=recommendations)


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
    """Every review of `state` that has recommendations in our data, oldest first, in two queries."""
    counted = one_source_per_review(Recommendation.objects.filter(review__state=state))
    rows: dict[int, CycleRow] = {}
    by_response = counted.values("review_id", "review__session__number", "review__session__cycle", "response")
    for row in by_response.annotate(n=Count("id")).order_by():
        cycle = rows.setdefault(row["review_id"], CycleRow(row["review_id"], row["review__session__number"],
                                                           row["review__session__cycle"]))
        cycle.responses[row["response"]] = row["n"]
        cycle.total += row["n"]
    for row in counted.values("review_id", "action_category").annotate(n=Count("id")).order_by():
        rows[row["review_id"]].actions[row["action_category"]] = row["n"]
    return sorted(rows.values(), key=lambda r: r.session)
