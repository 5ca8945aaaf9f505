"""Reads of consultations and the advocacy log, and what the lobbying came to after the review.

For each State the coalition met, the review's recommendations that State made are set against what
was raised with it: the themes tagged on the meetings (OHCHR's themes, as the recommendations are
tagged) and the draft recommendations handed over that the coalition confirmed were taken up
(submissions' impact links). A fixed number of queries whatever the number of meetings or States.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from coalitions.models import Engagement

from .models import AdvocacyMeeting, Consultation


def consultations(*, engagement: Engagement) -> list[Consultation]:
    return list(
        Consultation.objects.for_coalition(engagement.coalition)
        .filter(engagement=engagement)
        .select_related("follow_up_task", "created_by")
        .prefetch_related("attended")
    )


def meetings(*, engagement: Engagement, state: Any = None) -> list[AdvocacyMeeting]:
    found = AdvocacyMeeting.objects.for_coalition(engagement.coalition).filter(engagement=engagement)
    if state is not None:
        found = found.filter(state=state)
    return list(found.select_related("state", "follow_up_task", "created_by").prefetch_related("themes", "documents", "drafts"))


# What the lobbying of one State came to. The codes are stable; the labels are for the page.
VERDICTS = {
    "pending": _("Not known yet: the review's recommendations are not in the app"),
    "on_issues": _("Recommended on the issues raised"),
    "other_issues": _("Recommended, but not on the issues raised"),
    "not_compared": _("Made recommendations; no theme or draft was recorded to compare"),
    "none": _("Made no recommendation"),
}


@dataclass
class StateOutcome:
    state: Any
    meetings: list[AdvocacyMeeting] = field(default_factory=list)
    themes: set = field(default_factory=set)
    drafts: set = field(default_factory=set)
    made: list = field(default_factory=list)  # the review's recommendations by this State
    on_themes: list = field(default_factory=list)  # ... tagged with a theme raised with it
    took_up: list = field(default_factory=list)  # ... confirmed as taking up a draft handed to it
    review_known: bool = False

    @property
    def verdict(self) -> str:
        if not self.review_known:
            return "pending"
        if not self.made:
            return "none"
        if self.on_themes or self.took_up:
            return "on_issues"
        return "other_issues" if self.themes or self.drafts else "not_compared"

    @property
    def verdict_label(self) -> str:
        return str(VERDICTS[self.verdict])

    @property
    def last_met(self) -> dt.date:
        return max(m.met_on for m in self.meetings)


def lobbying_outcome(*, engagement: Engagement, log: list[AdvocacyMeeting] | None = None) -> list[StateOutcome]:
    """Each State lobbied in the engagement, with what it recommended; States met most often first."""
    from recommendations.models import LinkDecision, Recommendation
    from submissions.models import ImpactLink

    log = meetings(engagement=engagement) if log is None else log
    by_state: dict[int, StateOutcome] = {}
    for meeting in log:
        outcome = by_state.setdefault(meeting.state_id, StateOutcome(meeting.state))
        outcome.meetings.append(meeting)
        outcome.themes.update(meeting.themes.all())
        outcome.drafts.update(meeting.drafts.all())
    if not by_state:
        return []
    review_known = Recommendation.objects.filter(review=engagement.review_id).exists()
    recommendations = (
        Recommendation.objects.filter(review=engagement.review_id, recommending_states__in=list(by_state))
        .distinct()
        .prefetch_related(Prefetch("themes"), Prefetch("recommending_states"))
    )
    taken_up = {
        (link.draft_id, link.recommendation_id)
        for link in ImpactLink.objects.filter(
            coalition=engagement.coalition, draft__engagement=engagement, decision=LinkDecision.CONFIRMED
        )
    }
    for recommendation in recommendations:
        for state in recommendation.recommending_states.all():
            lobbied = by_state.get(state.pk)
            if lobbied is None:
                continue
            lobbied.made.append(recommendation)
            if lobbied.themes.intersection(recommendation.themes.all()):
                lobbied.on_themes.append(recommendation)
            if any((draft.pk, recommendation.pk) in taken_up for draft in lobbied.drafts):
                lobbied.took_up.append(recommendation)
    for outcome in by_state.values():
        outcome.review_known = review_known
    return sorted(by_state.values(), key=lambda o: (-len(o.meetings), o.state.name))
