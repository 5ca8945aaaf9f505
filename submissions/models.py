"""What the coalition writes. For now: its draft recommendations, the asks it puts to States.

The drafting engine (documents, sections, revisions, export) will place each draft recommendation in
a submission or a factsheet; the recommendations app links them to what States actually recommended.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coalitions.models import CoalitionOwnedModel, Engagement, WorkingGroup
from upr.models import State


class DraftRecommendation(CoalitionOwnedModel):
    """A SMART recommendation the coalition asks States to make: the action, who must act, an
    indicator, a timeframe, and the States it will ask."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="draft_recommendations")
    text = models.TextField(_("recommendation"), help_text=_("As you want a State to make it, starting with the verb."))
    responsible_actor = models.CharField(_("who must act"), max_length=200, blank=True)
    indicator = models.CharField(_("indicator"), max_length=300, blank=True)
    timeframe = models.CharField(_("timeframe"), max_length=100, blank=True)
    states_to_ask = models.ManyToManyField(State, blank=True, related_name="+", verbose_name=_("States to ask"))
    follows_up = models.ForeignKey(
        "recommendations.Recommendation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("follows up the earlier recommendation"),
    )
    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("working group")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["engagement", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]
