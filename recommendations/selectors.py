"""Reads of recommendations: the filtered, searched list with the coalition's own record, and a detail.

Full-text search is PostgreSQL's (English stemming, web-search syntax: "quoted phrases", -not, or)
over a GIN-indexed tsvector, with irregular plurals joined; on SQLite, the first-run database, the
same syntax matched word by word (recommendations.search).
Multi-valued filters (recommending State, regional group, theme...) are EXISTS subqueries, so a
recommendation made by three States of one group is listed once and the plan stays an index scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchRank
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from coalitions.models import Coalition

from .filters import sort_of
from .models import CoalitionRecommendation, CrossCycleLink, Recommendation, ResponseRecord, SimilarRecommendation
from .search import rank_query, text_match

SORTS: dict[str, tuple[str, ...]] = {
    "newest": ("-review__session__number", "review__state__name", "paragraph_major", "paragraph_minor", "pk"),
    "oldest": ("review__session__number", "review__state__name", "paragraph_major", "paragraph_minor", "pk"),
    "response": ("response", "-review__session__number", "paragraph_major", "paragraph_minor", "pk"),
    "action": ("-action_category", "-review__session__number", "paragraph_major", "paragraph_minor", "pk"),
}

# filter name -> (many-to-many relation, the lookup in its through table)
TAG_FILTERS = {"theme": ("themes", "theme_id"), "sdg": ("sdgs", "sdg__number"), "issue": ("issues", "issue_id")}


def text_search(queryset: QuerySet, q: str) -> QuerySet:
    """Recommendations whose text matches `q`."""
    return text_match(queryset, q)


def recommendation_search(*, coalition: Coalition, filters: dict[str, Any]) -> QuerySet[Recommendation]:
    """The recommendations matching `filters` (as recommendations.filters reads them: States
    by ISO code, themes, issues and working groups by id, SDGs by number), sorted."""
    qs = text_search(Recommendation.objects.all(), filters.get("q") or "")
    through = Recommendation.recommending_states.through
    if filters.get("review"):
        qs = qs.filter(review_id=filters["review"])
    if filters.get("under_review"):
        qs = qs.filter(review__state__iso3=filters["under_review"])
    if filters.get("cycle"):
        qs = qs.filter(review__session__cycle=filters["cycle"])
    if filters.get("response"):
        qs = qs.filter(response=filters["response"])
    if filters.get("action"):
        qs = qs.filter(action_category=filters["action"])
    if filters.get("state"):
        qs = qs.filter(Exists(through.objects.filter(recommendation=OuterRef("pk"), state__iso3=filters["state"])))
    if filters.get("group"):
        qs = qs.filter(recommending_groups__contains=filters["group"])  # group codes are not substrings of each other
    for key, (relation, lookup) in TAG_FILTERS.items():
        if filters.get(key):
            tagged = getattr(Recommendation, relation).through.objects
            qs = qs.filter(Exists(tagged.filter(recommendation=OuterRef("pk"), **{lookup: filters[key]})))
    ours = CoalitionRecommendation.objects.filter(coalition=coalition, recommendation=OuterRef("pk"))
    if filters.get("priority"):
        qs = qs.filter(Exists(ours.filter(priority=True)))
    if filters.get("working_group"):
        qs = qs.filter(Exists(ours.filter(working_group_id=filters["working_group"])))
    if filters.get("reading"):
        qs = qs.filter(Exists(ours.filter(reading=filters["reading"])))
    sort = sort_of(filters)
    if sort == "relevance":
        if connection.vendor == "postgresql" and filters.get("q"):
            query = rank_query(filters["q"])
            return qs.annotate(rank=SearchRank(F("search_vector"), query)).order_by("-rank", "pk")
        sort = "newest"
    ordering: list[Any] = list(SORTS.get(sort, SORTS["newest"]))
    if filters.get("q"):
        # A search matches a few thousand rows at most: sort those. Ordered by a plain column,
        # PostgreSQL walks that column's index hoping to meet 50 matches early (25 ms instead of 2).
        first = ordering[0]
        name = first.lstrip("-")
        coalesced = Coalesce(F(name), Value("" if name == "response" else 0))
        ordering[0] = coalesced.desc() if first.startswith("-") else coalesced.asc()
    return qs.order_by(*ordering)


@dataclass
class Row:
    """One line of the list: the recommendation with its States and the coalition's own record."""

    recommendation: Recommendation
    states: list[Any]
    ours: CoalitionRecommendation | None = None


def rows_for(recommendations: list[Recommendation] | Any, *, coalition: Coalition) -> list[Row]:
    """The page's rows in three queries whatever their number: recommendations (with review, State,
    session), their recommending States, this coalition's own record on them."""
    page = (
        list(recommendations.select_related("review__state", "review__session").prefetch_related("recommending_states"))
        if isinstance(recommendations, QuerySet)
        else list(recommendations)
    )
    ours_by_id = {
        ours.recommendation_id: ours
        for ours in CoalitionRecommendation.objects.filter(coalition=coalition, recommendation__in=[r.pk for r in page])
    }
    return [Row(r, list(r.recommending_states.all()), ours_by_id.get(r.pk)) for r in page]


@dataclass
class EarlierLink:
    earlier: Recommendation
    score: float | None
    decision: str = ""  # "", confirmed, rejected (this coalition's)


@dataclass
class Detail:
    recommendation: Recommendation
    states: list[Any]
    history: list[ResponseRecord]
    ours: CoalitionRecommendation | None
    earlier: list[EarlierLink] = field(default_factory=list)
    later: list[EarlierLink] = field(default_factory=list)


def recommendation_detail(*, coalition: Coalition, recommendation: Recommendation) -> Detail:
    """Everything the detail page shows, in a fixed number of queries."""
    rec = (
        Recommendation.objects.select_related("review__state", "review__session")
        .prefetch_related("recommending_states", "themes", "affected_groups", "sdgs", "issues")
        .get(pk=recommendation.pk)
    )
    history = list(ResponseRecord.objects.filter(recommendation=rec).select_related("recorded_by").order_by("recorded_at", "id"))
    ours = CoalitionRecommendation.objects.filter(coalition=coalition, recommendation=rec).select_related("working_group").first()
    decisions = {
        (d.recommendation_id, d.earlier_id): d.decision
        for d in CrossCycleLink.objects.filter(coalition=coalition).filter(Q(recommendation=rec) | Q(earlier=rec))
    }
    suggested = list(
        SimilarRecommendation.objects.filter(Q(recommendation=rec) | Q(earlier=rec)).select_related(
            "recommendation__review__session", "earlier__review__session"
        )
    )
    earlier = {s.earlier_id: EarlierLink(s.earlier, s.score) for s in suggested if s.recommendation_id == rec.pk}
    later = {s.recommendation_id: EarlierLink(s.recommendation, s.score) for s in suggested if s.earlier_id == rec.pk}
    # Links a person made or confirmed that the texts did not suggest are shown too.
    missing = [pair for pair in decisions if pair[1] not in earlier and pair[0] == rec.pk] + [
        pair for pair in decisions if pair[0] not in later and pair[1] == rec.pk
    ]
    if missing:
        extra = Recommendation.objects.select_related("review__session").in_bulk(
            [p[1] if p[0] == rec.pk else p[0] for p in missing]
        )
        for pair in missing:
            if pair[0] == rec.pk:
                earlier[pair[1]] = EarlierLink(extra[pair[1]], None)
            else:
                later[pair[0]] = EarlierLink(extra[pair[0]], None)
    for key, link in earlier.items():
        link.decision = decisions.get((rec.pk, key), "")
    for key, link in later.items():
        link.decision = decisions.get((key, rec.pk), "")
    order = lambda link: (link.decision == "rejected", -(link.score or 1.0))  # noqa: E731
    return Detail(
        rec,
        list(rec.recommending_states.all()),
        history,
        ours,
        sorted(earlier.values(), key=order),
        sorted(later.values(), key=order),
    )
