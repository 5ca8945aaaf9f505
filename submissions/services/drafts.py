"""Writes of the coalition's draft recommendations: validated, atomic, audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from coalitions.audit import audit_record, diff_fields
from coalitions.models import Coalition, Engagement
from recommendations.models import LinkDecision, Recommendation
from recommendations.services import link_decided

from ..models import DraftRecommendation, ImpactLink

SIMPLE_FIELDS = ("text", "responsible_actor", "indicator", "timeframe", "follows_up", "working_group")


@transaction.atomic
def draft_save(
    *, coalition: Coalition, actor: User, engagement: Engagement, data: dict[str, Any], draft: DraftRecommendation | None = None
) -> DraftRecommendation:
    """Create or change a draft recommendation of `engagement` (data: the form's cleaned data)."""
    if engagement.coalition_id != coalition.pk or (draft is not None and draft.engagement_id != engagement.pk):
        raise ValidationError(_("A draft recommendation stays in its own coalition's engagement."))
    simple = {name: data[name] for name in SIMPLE_FIELDS if name in data}
    if draft is None:
        draft = DraftRecommendation.objects.create(coalition=coalition, engagement=engagement, created_by=actor, **simple)
        changes, action = {}, "draft.create"
    else:
        changes, action = diff_fields(draft, simple), "draft.update"
        for name, value in simple.items():
            setattr(draft, name, value)
        draft.save()
    if "states_to_ask" in data:
        before = {s.pk for s in draft.states_to_ask.all()}
        wanted = {s.pk for s in data["states_to_ask"]}
        if before != wanted:
            changes["states_to_ask"] = [str(len(before)), str(len(wanted))]
            draft.states_to_ask.set(wanted)
    if changes or action == "draft.create":
        audit_record(coalition=coalition, actor=actor, action=action, target=draft, changes=changes)
    return draft


@transaction.atomic
def draft_delete(*, coalition: Coalition, actor: User, draft: DraftRecommendation) -> None:
    audit_record(coalition=coalition, actor=actor, action="draft.delete", target=draft)
    draft.delete()


@transaction.atomic
def impact_decide(*, coalition: Coalition, actor: User, draft: Any, recommendation: Recommendation, decision: str) -> ImpactLink:
    """Confirm that a State's recommendation takes up one of the coalition's drafts, or reject the match."""
    if decision not in LinkDecision.values:
        raise ValidationError(_("Confirm or reject the link."))
    if draft.coalition_id != coalition.pk:
        raise ValidationError(_("That draft recommendation is not your coalition's."))
    return link_decided(
        ImpactLink,
        coalition=coalition,
        actor=actor,
        decision=decision,
        target=recommendation,
        action=f"impact.{decision}",
        draft=draft,
        recommendation=recommendation,
    )
