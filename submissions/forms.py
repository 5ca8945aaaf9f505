from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coalitions.models import Engagement, WorkingGroup
from recommendations.models import Recommendation
from upr.models import State

from .models import DraftRecommendation


class DraftRecommendationForm(forms.ModelForm):
    class Meta:
        model = DraftRecommendation
        fields = ["text", "responsible_actor", "indicator", "timeframe", "states_to_ask", "follows_up", "working_group"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "states_to_ask": forms.SelectMultiple(attrs={"size": 8}),
        }
        help_texts = {
            "responsible_actor": _("E.g. the Ministry of Labour, the National Assembly."),
            "indicator": _("How anyone will know it was done, e.g. the law adopted, the number of shelters."),
            "timeframe": _("E.g. by the mid-term report, within two years."),
            "states_to_ask": _("The States you will ask to make it. Hold Ctrl (or Cmd) to choose several."),
        }

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["states_to_ask"].queryset = State.objects.exclude(pk=engagement.review.state_id).order_by("name")
        self.fields["working_group"].queryset = WorkingGroup.objects.for_coalition(engagement.coalition)  # type: ignore[attr-defined]
        # What it follows up: a recommendation this State received in an earlier review.
        self.fields["follows_up"].queryset = Recommendation.objects.filter(
            review__state_id=engagement.review.state_id, review__session__number__lt=engagement.review.session.number
        ).select_related("review__session")
        self.fields["follows_up"].label_from_instance = lambda r: f"{r.paragraph or r.review.session.number} {r.text[:110]}"
