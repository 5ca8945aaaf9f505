"""API shapes of the recommendations: a list row, the detail, and the writes on the coalition's own record.

The rows and the detail are read from the selectors' dataclasses (`Row`, `Detail`), so the API shows
what the HTML pages show, loaded in the same fixed number of queries. The coalition is never read
from the client: views pass it in the serializer context, and every related field that names a
coalition's object is limited to that coalition's (`CoalitionScopedFieldsMixin`).
"""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext as _
from rest_framework import serializers

from coalitions.models import WorkingGroup
from coalitions.serializers import CoalitionScopedFieldsMixin
from upr.models import Review, State

from .models import (
    ACTION_CATEGORIES,
    SDG,
    ActionCategoryStatus,
    CoalitionRecommendation,
    LinkDecision,
    Recommendation,
    Response,
    ResponseRecord,
    SharedImport,
    SharedImportStatus,
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


class OursSerializer(serializers.ModelSerializer):
    """The coalition's own record. A recommendation the coalition has not touched reads as the defaults.
    `reading` is the coalition's own reading of the State's response ("" when it has none) and
    `action_category` its own category (null): beside the shared values, seen by this coalition only."""

    # Not an enum: the schema would name Response's choice set twice (ResponseEnum, ReadingEnum).
    reading = serializers.CharField(
        read_only=True, help_text="'' (none) or a response: supported, noted, supported_in_part, pending."
    )

    class Meta:
        model = CoalitionRecommendation
        fields = ["priority", "notes", "working_group", "reading", "reading_source", "reading_stated_on", "action_category"]
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
    layer = OursSerializer(source="ours", read_only=True)  # "layer": the API's name for it, kept for its clients


class LinkedRecommendationSerializer(serializers.Serializer):
    """A recommendation of another cycle suggested as the same ask (or linked by the coalition), from
    `selectors.EarlierLink`, with this coalition's decision on the link ("" while undecided)."""

    id = serializers.IntegerField(source="earlier.pk", read_only=True)
    review = serializers.IntegerField(source="earlier.review_id", read_only=True)
    session = serializers.IntegerField(source="earlier.review.session.number", read_only=True)
    paragraph = serializers.CharField(source="earlier.paragraph", read_only=True)
    text = serializers.CharField(source="earlier.text", read_only=True)
    response = serializers.ChoiceField(source="earlier.response", choices=Response.choices, read_only=True)
    score = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Similarity of the texts; null for a link a person made."
    )
    decision = serializers.ChoiceField(choices=[("", ""), *LinkDecision.choices], read_only=True)


class RecommendationDetailSerializer(RecommendationRowSerializer):
    """Everything about one recommendation, from `selectors.Detail`."""

    response_history = ResponseRecordSerializer(source="history", many=True, read_only=True)
    themes = TermSerializer(source="recommendation.themes", many=True, read_only=True)
    affected_groups = TermSerializer(source="recommendation.affected_groups", many=True, read_only=True)
    sdgs = SDGSerializer(source="recommendation.sdgs", many=True, read_only=True)
    issues = TermSerializer(source="recommendation.issues", many=True, read_only=True)
    earlier = LinkedRecommendationSerializer(
        many=True, read_only=True, help_text="Earlier-cycle recommendations this one may repeat."
    )
    later = LinkedRecommendationSerializer(
        many=True, read_only=True, help_text="Later-cycle recommendations that may repeat this one."
    )


# --- write ----------------------------------------------------------------------------------------


class OursUpdateSerializer(CoalitionScopedFieldsMixin, serializers.Serializer):
    """The coalition's priority flag, notes and working group: send any of them."""

    scoped_fields = {"working_group": WorkingGroup}

    priority = serializers.BooleanField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    working_group = serializers.PrimaryKeyRelatedField(
        queryset=WorkingGroup.objects.none(), required=False, allow_null=True, help_text="One of the coalition's working groups."
    )


class ResponseCreateSerializer(serializers.Serializer):
    """A response the State gave later, as the coalition reads it: kept in the coalition's own record
    (`ours.reading`), beside the shared response. With `shared` (site staff only) it becomes the
    shared current response instead; the earlier ones stay in the history."""

    response = serializers.ChoiceField(choices=Response.choices)
    source = serializers.CharField(max_length=200, help_text="Where the State said it, e.g. the mid-term report.")  # type: ignore[assignment]  # a declared field: DRF's metaclass moves it out of the class, so it never shadows Field.source
    stated_on = serializers.DateField(required=False, allow_null=True)
    shared = serializers.BooleanField(default=False, help_text="Site staff only: record it for every coalition.")


class ActionCategorySerializer(serializers.Serializer):
    """The coalition's own action category (`ours.action_category`); with `shared` (site staff only),
    the shared one."""

    category = serializers.ChoiceField(choices=ACTION_CATEGORIES, help_text="UPR Info's scale: 1 minimal ... 5 specific action.")
    shared = serializers.BooleanField(default=False, help_text="Site staff only: confirm it for every coalition.")


class ImportUploadSerializer(serializers.Serializer):
    """A file for the shared recommendations: OHCHR's thematic list (.docx), UPR Info's export or
    (site staff only) our template. Verified against `review` before anything changes."""

    file = serializers.FileField()
    review = serializers.PrimaryKeyRelatedField(
        queryset=Review.objects.none(), required=False, allow_null=True, help_text="A review of a State the coalition follows."
    )
    mode = serializers.ChoiceField(choices=[("skip", "skip"), ("all_or_nothing", "all_or_nothing")], default="skip")

    def __init__(self, *args: Any, reviews: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if reviews is not None:
            cast(serializers.PrimaryKeyRelatedField, self.fields["review"]).queryset = reviews  # the field declared above

    def validate_file(self, upload: Any) -> Any:
        if upload.size > 20 * 1024 * 1024:
            raise serializers.ValidationError(_("The file is larger than 20 MB."))
        if not upload.name.lower().endswith((".docx", ".csv", ".xlsx")):
            raise serializers.ValidationError(_("Give a .docx, .csv or .xlsx file."))
        return upload


class SharedImportSerializer(serializers.ModelSerializer):
    """An import into the shared recommendations (or its preview): who ran it is not shown, only
    whether it was the site staff."""

    status = serializers.ChoiceField(choices=SharedImportStatus.choices, read_only=True)
    can_undo = serializers.SerializerMethodField()
    problem_lines = serializers.SerializerMethodField()

    class Meta:
        model = SharedImport
        fields = [
            "id",
            "status",
            "review",
            "review_ids",
            "file_name",
            "sha256",
            "source",
            "identification",
            "verified",
            "by_staff",
            "created",
            "updated",
            "unchanged",
            "response_changes",
            "problems",
            "summary",
            "created_at",
            "applied_at",
            "undone_at",
            "can_undo",
            "problem_lines",
        ]
        read_only_fields = fields

    def get_can_undo(self, record: SharedImport) -> bool:
        from .shared_imports import may_undo

        coalition, user = self.context.get("coalition"), self.context.get("request") and self.context["request"].user
        return bool(coalition and record.pk and may_undo(record, actor=user, coalition=coalition))

    def get_problem_lines(self, record: SharedImport) -> list[str]:
        return [str(p) for p in self.context.get("problems", [])[:500]]


class EarlierLinkDecisionSerializer(serializers.Serializer):
    """Confirm or reject that `earlier` (same State under Review, an earlier session) is what this repeats."""

    earlier = serializers.PrimaryKeyRelatedField(queryset=Recommendation.objects.select_related("review__session"))
    decision = serializers.ChoiceField(choices=LinkDecision.choices)
