"""Open decisions as deadlines of the reminder system (workplan.reminders, registered in
WorkplanConfig.ready): each is due when it closes, and reminds the contacts of every organisation
that has not voted yet, at each person's own lead times, exactly once per (person, decision, closing
time, lead time) as milestones and tasks are. Once the organisation has voted, or the decision has
closed, been cancelled or moved, a reminder claimed and not yet sent is superseded, never sent.

What the email says (an inbox is not private): that the person's organisation has a vote to cast, when
the decision closes (their time and Geneva's), and a link to the decision; never its question, the
document's title or text, nor any organisation's or person's name.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy

from coalitions.models import Engagement, Membership, Role
from submissions.models import Decision, DecisionStatus, Vote
from upr.inputs import parse_id

from .reminders import Deadline, DeadlineSource

KIND = "decision"
# Lazy: the email is written in each recipient's language, after this is read.
LABEL = gettext_lazy("Your organisation's vote on a decision of the coalition")


def _deadlines(decisions: list[Decision]) -> list[Deadline]:
    """The decisions as deadlines, each for the contacts of the organisations that have not voted: two queries."""
    voted = set(Vote.objects.filter(decision__in=decisions).values_list("decision_id", "organisation_id"))
    contacts: dict[tuple[int, int], set[int]] = {}
    for coalition_id, organisation_id, user_id in (
        Membership.objects.filter(
            coalition_id__in={d.coalition_id for d in decisions}, organisation__isnull=False, user__is_active=True
        )
        .exclude(role=Role.OBSERVER)
        .values_list("coalition_id", "organisation_id", "user_id")
    ):
        contacts.setdefault((coalition_id, organisation_id), set()).add(user_id)
    found = []
    for decision in decisions:
        recipients = frozenset(
            user
            for (coalition_id, organisation_id), users in contacts.items()
            if coalition_id == decision.coalition_id and (decision.pk, organisation_id) not in voted
            for user in users
        )
        path = reverse("documents:decision", args=[decision.coalition.slug, decision.document_id, decision.pk])
        found.append(
            Deadline(
                f"{KIND}:{decision.pk}",
                decision.coalition_id,
                decision.document.engagement_id,
                LABEL,
                decision.closes_at,
                recipients,
                path=path,
            )
        )
    return found


def due(start: dt.datetime, end: dt.datetime) -> list[Deadline]:
    """The open decisions closing in (start, end]: three queries."""
    decisions = list(
        Decision.objects.filter(status=DecisionStatus.OPEN, closes_at__gt=start, closes_at__lte=end).select_related(
            "coalition", "document"
        )
    )
    return _deadlines(decisions) if decisions else []


def find(pk: str) -> tuple[Engagement | None, Deadline | None]:
    """The open decision `pk` as a deadline, with its engagement; (None, None) once closed, cancelled or gone."""
    decision_id = parse_id(pk)
    decision = (
        (
            Decision.objects.filter(pk=decision_id, status=DecisionStatus.OPEN)
            .select_related("coalition", "document__engagement__review__state")
            .first()
        )
        if decision_id
        else None
    )
    if decision is None:
        return None, None
    return decision.document.engagement, _deadlines([decision])[0]


SOURCE = DeadlineSource(due=due, find=find)
