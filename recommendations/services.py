"""Every write to recommendations: the shared data's upkeep after an import, the shared facts only
site staff change (a later response, a confirmed action category: announced to every coalition
following the State), and each coalition's own record (priority, notes, working group, its reading of
the response, its action category, cross-cycle and impact links), validated and audited. The rule:
nothing a coalition does changes what another coalition sees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from coalitions.audit import audit_record, diff_fields
from coalitions.models import AuditEvent, Coalition, Engagement, WorkingGroup
from upr.models import Review

from .models import (
    ActionCategoryStatus,
    CoalitionRecommendation,
    CrossCycleLink,
    LinkDecision,
    Recommendation,
    Response,
    ResponseRecord,
    SimilarRecommendation,
)
from .similarity import earlier_matches

# --- the shared data, after an import -------------------------------------------------------------


def after_import(*, review_ids: Iterable[int]) -> None:
    """Bring what depends on the texts up to date for these reviews: search index, cross-cycle links."""
    review_ids = sorted(set(review_ids))
    refresh_search_vectors(review_ids=review_ids)
    state_ids = set(Review.objects.filter(pk__in=review_ids).values_list("state_id", flat=True))
    for state_id in sorted(state_ids):
        refresh_similar(state_id=state_id)


def refresh_search_vectors(*, review_ids: list[int]) -> int:
    """PostgreSQL's full-text vectors of these reviews' recommendations, written only where they changed."""
    if connection.vendor != "postgresql" or not review_ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE recommendations_recommendation SET search_vector = to_tsvector('english'::regconfig, text), "
            "updated_at = now() "
            "WHERE review_id = ANY(%s) AND search_vector IS DISTINCT FROM to_tsvector('english'::regconfig, text)",
            [review_ids],
        )
        return cursor.rowcount


@transaction.atomic
def refresh_similar(*, state_id: int) -> int:
    """Recompute the "as previously recommended" suggestions for every recommendation a State under
    Review received. Coalitions' decisions are keyed by the pair, so they survive the recomputation."""
    items = list(Recommendation.objects.filter(review__state_id=state_id).values_list("pk", "review__session__number", "text"))
    wanted = {(m.query, m.candidate): m.score for m in earlier_matches(items)}
    stored = {
        (r, e): (pk, score)
        for pk, r, e, score in SimilarRecommendation.objects.filter(recommendation__review__state_id=state_id).values_list(
            "pk", "recommendation_id", "earlier_id", "score"
        )
    }
    gone = [pk for pair, (pk, _score) in stored.items() if pair not in wanted]
    SimilarRecommendation.objects.filter(pk__in=gone).delete()
    changed = [
        SimilarRecommendation(pk=stored[pair][0], score=score)
        for pair, score in wanted.items()
        if pair in stored and stored[pair][1] != score
    ]
    SimilarRecommendation.objects.bulk_update(changed, ["score"])
    SimilarRecommendation.objects.bulk_create(
        [
            SimilarRecommendation(recommendation_id=r, earlier_id=e, score=score)
            for (r, e), score in wanted.items()
            if (r, e) not in stored
        ]
    )
    return len(wanted)


# --- shared facts an operator adds: a later response, a confirmed action category -----------------


def _operator(actor: User) -> None:
    """Shared data changes only through site staff (or a verified import, shared_imports): what a
    coalition records is its own reading, in its own record (ours_save)."""
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied(
            _("Only the site staff change what every coalition reads; your coalition's reading is kept in its own record.")
        )


@transaction.atomic
def response_record(
    *,
    coalition: Coalition | None,
    actor: User,
    recommendation: Recommendation,
    response: str,
    source: str,
    stated_on: dt.date | None = None,
) -> ResponseRecord:
    """Record a response the State gave later (e.g. supported in the mid-term report), for every
    coalition: staff only. The earlier responses stay in the history; this one becomes the current
    response; every coalition following the State is told in its trail."""
    _operator(actor)
    if response not in Response.values:
        raise ValidationError(_("Choose supported, noted, supported in part or pending."))
    record = ResponseRecord.objects.create(
        recommendation=recommendation,
        response=response,
        source=source[:200],
        stated_on=stated_on,
        by_person=True,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    changes = diff_fields(recommendation, {"response": response, "response_source": source[:200]})
    Recommendation.objects.filter(pk=recommendation.pk).update(
        response=response,
        response_source=source[:200],
        updated_at=timezone.now(),  # a new version for search
    )
    recommendation.response, recommendation.response_source = response, source[:200]
    shared_change_announce(
        review_ids=[recommendation.review_id],
        actor=actor,
        coalition=coalition,
        by_staff=True,
        action="recommendation.shared_response",
        target=recommendation,
        changes=changes,
    )
    return record


@transaction.atomic
def action_category_set(*, coalition: Coalition | None, actor: User, recommendation: Recommendation, category: int) -> None:
    """Site staff confirm or change the shared action category; an import never takes it back."""
    _operator(actor)
    if category not in range(1, 6):
        raise ValidationError(_("The action category is a number from 1 to 5."))
    changes = diff_fields(recommendation, {"action_category": category})
    Recommendation.objects.filter(pk=recommendation.pk).update(
        action_category=category, action_category_status=ActionCategoryStatus.CONFIRMED, updated_at=timezone.now()
    )
    recommendation.action_category, recommendation.action_category_status = category, ActionCategoryStatus.CONFIRMED
    shared_change_announce(
        review_ids=[recommendation.review_id],
        actor=actor,
        coalition=coalition,
        by_staff=True,
        action="recommendation.shared_category",
        target=recommendation,
        changes=changes,
    )


def followers_of(review_ids: Iterable[int]) -> set[int]:
    """The coalitions engaged in these reviews: those with an engagement in a review of the same
    State under Review (they read every cycle of it), and those with a record of their own on one of its rows."""
    review_ids = list(review_ids)
    states = Review.objects.filter(pk__in=review_ids).values("state")
    following = set(Engagement.objects.filter(review__state__in=states).values_list("coalition_id", flat=True))
    following |= set(
        CoalitionRecommendation.objects.filter(recommendation__review_id__in=review_ids)
        .values_list("coalition_id", flat=True)
        .distinct()
    )
    return following


def shared_change_announce(
    *,
    review_ids: Iterable[int],
    actor: User | None,
    coalition: Coalition | None,
    by_staff: bool,
    action: str,
    target: Any,
    changes: dict[str, Any],
) -> int:
    """Write a shared change into the trail of every coalition engaged in these reviews, so that
    nobody is surprised. The person is named only in their own coalition's trail (the people of a
    coalition are its own); the others read who in general: the site staff or another coalition."""
    following = followers_of(review_ids)
    if coalition is not None:
        following.add(coalition.pk)
    person = actor if getattr(actor, "is_authenticated", False) else None
    by = "staff" if by_staff else "coalition"  # a code, said in each reader's language (AuditEvent.shown_changes)
    events = [
        AuditEvent(
            coalition_id=pk,
            actor=person if coalition is not None and pk == coalition.pk else None,
            action=action,
            target_type=target._meta.model_name or "",
            target_id=str(target.pk or ""),
            target_label=str(target)[:300],
            changes={**changes, "by": ["", by]},
        )
        for pk in sorted(following)
    ]
    AuditEvent.objects.bulk_create(events)
    return len(events)


# --- the coalition's own record --------------------------------------------------------------------

LAYER_FIELDS = {"priority", "notes", "working_group", "reading", "reading_source", "reading_stated_on", "action_category"}


@transaction.atomic
def ours_save(*, coalition: Coalition, actor: User, recommendation: Recommendation, **data: Any) -> CoalitionRecommendation:
    """Set the coalition's priority flag, notes, working group, reading of the response or action
    category on a recommendation (any of them). Only this coalition sees them."""
    unknown = set(data) - LAYER_FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {unknown}")
    if data.get("reading", "") not in {"", *Response.values}:
        raise ValidationError(_("Choose supported, noted, supported in part or pending."))
    if data.get("action_category") is not None and data["action_category"] not in range(1, 6):
        raise ValidationError(_("The action category is a number from 1 to 5."))
    if "reading_source" in data:
        data["reading_source"] = (data["reading_source"] or "")[:200]
    group = data.get("working_group")
    if group is not None and (not isinstance(group, WorkingGroup) or group.coalition_id != coalition.pk):
        raise ValidationError(_("Choose one of your coalition's working groups."))
    ours, _created = CoalitionRecommendation.objects.select_for_update().get_or_create(
        coalition=coalition, recommendation=recommendation
    )
    changes = diff_fields(ours, data)
    if changes:
        for name, value in data.items():
            setattr(ours, name, value)
        ours.save()
        action = (
            "recommendation.reading"
            if {"reading", "reading_source", "reading_stated_on"} & set(changes)
            else (
                "recommendation.our_category" if "action_category" in changes else "recommendation.layer"
            )  # the audit trail's name, kept: old entries carry it
        )
        audit_record(coalition=coalition, actor=actor, action=action, target=recommendation, changes=changes)
    return ours


def reading_record(
    *,
    coalition: Coalition,
    actor: User,
    recommendation: Recommendation,
    response: str,
    source: str,
    stated_on: dt.date | None = None,
) -> CoalitionRecommendation:
    """The coalition's own reading of the State's response (e.g. "supported in part", read in the
    mid-term report), beside the shared one: the shared response stays as OHCHR's list gives it."""
    return ours_save(
        coalition=coalition,
        actor=actor,
        recommendation=recommendation,
        reading=response,
        reading_source=source,
        reading_stated_on=stated_on,
    )


@transaction.atomic
def cross_cycle_decide(
    *, coalition: Coalition, actor: User, recommendation: Recommendation, earlier: Recommendation, decision: str
) -> CrossCycleLink:
    """Confirm or reject that `earlier` is what `recommendation` repeats (same State, earlier session)."""
    if decision not in LinkDecision.values:
        raise ValidationError(_("Confirm or reject the link."))
    if (
        earlier.review.state_id != recommendation.review.state_id
        or earlier.review.session.number >= recommendation.review.session.number
    ):
        raise ValidationError(_("Only a recommendation the same State received in an earlier session can be linked."))
    return link_decided(
        CrossCycleLink,
        coalition=coalition,
        actor=actor,
        decision=decision,
        target=recommendation,
        action=f"recommendation.link_{decision}",
        recommendation=recommendation,
        earlier=earlier,
    )


def link_decided(
    model: Any, *, coalition: Coalition, actor: User, decision: str, target: Recommendation, action: str, **pair: Any
) -> Any:
    """Record (or change) the coalition's decision on a pair, and its trail entry naming the other side."""
    link, _created = model.objects.update_or_create(
        coalition=coalition, **pair, defaults={"decision": decision, "decided_by": actor}
    )
    other = {name: ["", str(value)] for name, value in pair.items() if value is not target}
    audit_record(coalition=coalition, actor=actor, action=action, target=target, changes=other)
    return link
