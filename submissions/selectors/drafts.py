"""Reads of draft recommendations: each with the recommendations States made that take it up
(confirmed by the coalition) or may (suggested from the texts), and the engagement's impact figures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from coalitions.models import Engagement
from recommendations.action_category import suggest
from recommendations.models import LinkDecision, Recommendation, Response
from recommendations.similarity import Corpus

from ..models import DraftRecommendation, ImpactLink

SUGGESTIONS = 3


@dataclass
class Match:
    recommendation: Recommendation
    score: float | None
    decision: str = ""


@dataclass
class DraftRow:
    draft: DraftRecommendation
    category: int  # UPR Info action category suggested from the draft's first verb
    smart: dict[str, bool]
    confirmed: list[Match] = field(default_factory=list)
    suggested: list[Match] = field(default_factory=list)


def smart_checklist(draft: DraftRecommendation) -> dict[str, bool]:
    """Which parts of a SMART recommendation the draft states (by what was filled in)."""
    return {
        "action": bool(draft.text.strip()),
        "actor": bool(draft.responsible_actor.strip()),
        "indicator": bool(draft.indicator.strip()),
        "timeframe": bool(draft.timeframe.strip()),
        "states": bool(draft.states_to_ask.all()),
    }


def draft_rows(*, engagement: Engagement) -> list[DraftRow]:
    """The engagement's drafts with their matches among the review's recommendations (constant queries)."""
    drafts = list(
        DraftRecommendation.objects.for_coalition(engagement.coalition)
        .filter(engagement=engagement)
        .select_related("follows_up", "working_group")
        .prefetch_related("states_to_ask")
    )
    recommendations = {
        r.pk: r for r in Recommendation.objects.filter(review=engagement.review).prefetch_related("recommending_states")
    }
    decisions: dict[tuple[int, int], str] = {}
    for link in ImpactLink.objects.filter(coalition=engagement.coalition, draft__in=[d.pk for d in drafts]):
        decisions[(link.draft_id, link.recommendation_id)] = link.decision
    corpus = Corpus({pk: r.text for pk, r in recommendations.items()}) if recommendations else None
    rows = []
    for draft in drafts:
        row = DraftRow(draft, suggest(draft.text), smart_checklist(draft))
        mine = {rec: d for (dr, rec), d in decisions.items() if dr == draft.pk}
        row.confirmed = [
            Match(recommendations[pk], None, d) for pk, d in mine.items() if d == LinkDecision.CONFIRMED and pk in recommendations
        ]
        if corpus is not None:
            for pk, score in corpus.best(corpus.vector(draft.text), top=SUGGESTIONS + len(mine)):
                if pk not in mine and len(row.suggested) < SUGGESTIONS:
                    row.suggested.append(Match(recommendations[pk], score))
        rows.append(row)
    return rows


@dataclass
class Impact:
    asks: int
    taken_up: int
    by_state: list[tuple[Any, int]]  # (State, how many of our asks it made), most first
    by_response: dict[str, int]  # response value (supported, noted...) -> how many

    @property
    def responses(self) -> list[tuple[str, int]]:
        """(label in the reader's language, count), in the order of Response."""
        return [(str(r.label), self.by_response[r.value]) for r in Response if r.value in self.by_response]


def impact_summary(rows: list[DraftRow]) -> Impact:
    """How many of the coalition's asks States took up, which States, and how the State under Review responded."""
    return _impact(len(rows), [[m.recommendation for m in row.confirmed] for row in rows])


def engagement_impact(*, engagement: Engagement) -> Impact:
    """The same figures for the engagement page, without computing suggestions (three queries)."""
    asks = DraftRecommendation.objects.for_coalition(engagement.coalition).filter(engagement=engagement).count()
    taken: dict[int, list[Recommendation]] = {}
    links = (
        ImpactLink.objects.filter(coalition=engagement.coalition, draft__engagement=engagement, decision=LinkDecision.CONFIRMED)
        .select_related("recommendation")
        .prefetch_related("recommendation__recommending_states")
    )
    for link in links:
        taken.setdefault(link.draft_id, []).append(link.recommendation)
    return _impact(asks, list(taken.values()))


def _impact(asks: int, taken_up: list[list[Recommendation]]) -> Impact:
    states: Counter = Counter()
    responses: Counter = Counter()
    for recommendations in taken_up:
        for recommendation in recommendations:
            responses[recommendation.response] += 1
            for state in recommendation.recommending_states.all():
                states[state] += 1
    return Impact(asks, sum(1 for r in taken_up if r), states.most_common(), dict(responses))
