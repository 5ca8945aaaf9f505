"""API shapes of the recommendations: a list row, the detail, and the writes on the coalition's layer.

The rows and the detail are read from the selectors' dataclasses (`Row`, `Detail`), so the API shows
what the HTML pages show, loaded in the same fixed number of queries. The coalition is never read
from the client: views pass it in the serializer context, and every related field that names a
coalition's object is limited to that coalition's (`CoalitionScopedFieldsMixin`).
"""
from __future__ import annotations

from typing import Any

from rest_framework import serializers

from coalitions.models import WorkingGroup
from coalitions.serializers import CoalitionScopedFieldsMixin
from upr.models import State

from .models import (
    ACTION_CATEGORIES,
    SDG,
    ActionCategoryStatus,
    CoalitionRecommendation,
    LinkDecision,
    Recommendation,
    Response,
    ResponseRecord,
)

# --- read -----------------------------------------------------------------------------------------

class StateBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = State
        fields = ["iso3", "name"]


class TermSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class SDGSerializer(serializers.ModelSerializer):
    class Meta:
        model = SDG
        fields = ["number", "name"]


class LayerSerializer(serializers.ModelSerializer):
    """The coalition's own layer. A recommendation the coalition has not touched reads as the defaults."""

    class Meta:
        model = CoalitionRecommendation
        fields = ["priority", "notes", "working_group"]
        read_only_fields = fields

    def get_attribute(self, instance: Any) -> Any:
        return super().get_attribute(instance) or CoalitionRecommendation()


class ResponseRecordSerializer(serializers.ModelSerializer):
    """A response in the history. Who recorded it is left out: the response is shared, people are not."""

    class Meta:
        model = ResponseRecord
        fields = ["response", "source", "stated_on", "recorded_at"]
        read_only_fields = fields


class RecommendationRowSerializer(serializers.Serializer):
    """One recommendation of the list, from `selectors.Row` (or `selectors.Detail`)."""

    id = serializers.IntegerField(source="recommendation.pk", read_only=True)
    review = serializers.IntegerField(source="recommendation.review_id", read_only=True)
    under_review = StateBriefSerializer(source="recommendation.review.state", read_only=True)
    session = serializers.IntegerField(source="recommendation.review.session.number", read_only=True)
    cycle = serializers.IntegerField(source="recommendation.review.session.cycle", read_only=True)
    paragraph = serializers.CharField(source="recommendation.paragraph", read_only=True)
    text = serializers.CharField(source="recommendation.text", read_only=True)
    recommending_states = StateBriefSerializer(source="states", many=True, read_only=True)
    response = serializers.ChoiceField(source="recommendation.response", choices=Response.choices, read_only=True)
    response_source = serializers.CharField(source="recommendation.response_source", read_only=True)
    action_category = serializers.IntegerField(source="recommendation.action_category", read_only=True, allow_null=True)
    action_category_status = serializers.ChoiceField(
        source="recommendation.action_category_status", choices=[("", ""), *ActionCategoryStatus.choices], read_only=True
    )
    thematic_cluster = serializers.CharField(source="recommendation.thematic_cluster", read_only=True)
    layer = LayerSerializer(read_only=True)


class LinkedRecommendationSerializer(serializers.Serializer):
    """A recommendation of another cycle suggested as the same ask (or linked by the coalition), from
    `selectors.EarlierLink`, with this coalition's decision on the link ("" while undecided)."""

    id = serializers.IntegerField(source="earlier.pk", read_only=True)
    review = serializers.IntegerField(source="earlier.review_id", read_only=True)
    session = serializers.IntegerField(source="earlier.review.session.number", read_only=True)
    paragraph = serializers.CharField(source="earlier.paragraph", read_only=True)
    text = serializers.CharField(source="earlier.text", read_only=True)
    response = serializers.ChoiceField(source="earlier.response", choices=Response.choices, read_only=True)
    score = serializers.FloatField(read_only=True, allow_null=True,
                                   help_text="Similarity of the texts; null for a link a person made.")
    decision = serializers.ChoiceField(choices=[("", ""), *LinkDecision.choices], read_only=True)


class RecommendationDetailSerializer(RecommendationRowSerializer):
    """Everything about one recommendation, from `selectors.Detail`."""

    response_history = ResponseRecordSerializer(source="history", many=True, read_only=True)
    themes = TermSerializer(source="recommendation.themes", many=True, read_only=True)
    affected_groups = TermSerializer(source="recommendation.affected_groups", many=True, read_only=True)
    sdgs = SDGSerializer(source="recommendation.sdgs", many=True, read_only=True)
    issues = TermSerializer(source="recommendation.issues", many=True, read_only=True)
    earlier = LinkedRecommendationSerializer(many=True, read_only=True,
                                             help_text="Earlier-cycle recommendations this one may repeat.")
    later = LinkedRecommendationSerializer(many=True, read_only=True,
                                           help_text="Later-cycle recommendations that may repeat this one.")


# --- write ----------------------------------------------------------------------------------------

class LayerUpdateSerializer(CoalitionScopedFieldsMixin, serializers.Serializer):
    """The coalition's priority flag, notes and working group: send any of them."""

    scoped_fields = {"working_group": WorkingGroup}

    priority = serializers.BooleanField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    working_group = serializers.PrimaryKeyRelatedField(
        queryset=WorkingGroup.objects.none(), required=False, allow_null=True, help_text="One of the coalition's working groups."
    )


class ResponseCreateSerializer(serializers.Serializer):
    """A response the State gave later; it becomes the current one, the earlier ones stay in the history."""

    response = serializers.ChoiceField(choices=Response.choices)
    source = serializers.CharField(max_length=200, help_text="Where the State said it, e.g. the mid-term report.")
    stated_on = serializers.DateField(required=False, allow_null=True)


class ActionCategorySerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=ACTION_CATEGORIES, help_text="UPR Info's scale: 1 minimal ... 5 specific action.")


class EarlierLinkDecisionSerializer(serializers.Serializer):
    """Confirm or reject that `earlier` (same State under Review, an earlier session) is what this repeats."""

    earlier = serializers.PrimaryKeyRelatedField(queryset=Recommendation.objects.select_related("review__session"))
    decision = serializers.ChoiceField(choices=LinkDecision.choices)

