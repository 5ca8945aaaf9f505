"""Serializers of the decisions API: a decision as the person asking may read it (built from
selectors.decisions.DecisionCard), and the inputs to open one and to vote.

A withheld organisation's vote is counted for everyone; its organisation (id and name), reason and
voter are given to the secretariat and to that organisation's own contacts only, null (or empty) to
everyone else, as the page shows it.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from coalitions.serializers import CoalitionScopedFieldsMixin
from upr.rules import GENEVA

from .models import DecisionKind, Document


class DecisionOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    position = serializers.IntegerField()
    label = serializers.CharField(source="shown", help_text="In the reader's language for an approve decision's three options.")  # type: ignore[assignment]  # a declared field, not Field.label: DRF's metaclass moves it into _declared_fields
    votes = serializers.IntegerField(source="count")


class VoteSerializer(serializers.Serializer):
    organisation = serializers.SerializerMethodField(help_text="Null when the organisation's name is withheld from you.")
    organisation_name = serializers.SerializerMethodField()
    option = serializers.IntegerField(source="option_id")
    reason = serializers.SerializerMethodField()
    cast_by = serializers.SerializerMethodField()
    cast_at = serializers.DateTimeField()
    mine = serializers.BooleanField(help_text="Your organisation's vote.")
    on_decided_version = serializers.SerializerMethodField(
        help_text="Cast on the version of the text put to the decision (false: on another version)."
    )

    def get_organisation(self, vote: Any) -> int | None:
        return vote.organisation_id if vote.named else None

    def get_organisation_name(self, vote: Any) -> str | None:
        return vote.organisation.name if vote.named else None

    def get_reason(self, vote: Any) -> str:
        return vote.reason if vote.named else ""

    def get_cast_by(self, vote: Any) -> int | None:
        return vote.cast_by_id if vote.named else None

    def get_on_decided_version(self, vote: Any) -> bool:
        return not vote.other_version


class TallySerializer(serializers.Serializer):
    voters = serializers.IntegerField()
    eligible = serializers.IntegerField(help_text="Organisations with a contact who may vote (at the close, once closed).")
    chosen = serializers.ListField(child=serializers.IntegerField(), help_text="The leading option(s): several when tied.")
    on_version = serializers.IntegerField(help_text="Votes cast on the version put to the decision.")


class DecisionSerializer(serializers.Serializer):
    """A decision (a DecisionCard). `state` is "closed" from its closing time on, even before the
    closing task has recorded the outcome (`recorded`)."""

    id = serializers.IntegerField(source="decision.pk")
    document = serializers.IntegerField(source="decision.document_id")
    title = serializers.CharField(source="decision.title")
    description = serializers.CharField(source="decision.description")
    kind = serializers.ChoiceField(source="decision.kind", choices=DecisionKind.choices)
    state = serializers.ChoiceField(choices=["open", "closed", "cancelled"])
    recorded = serializers.BooleanField(help_text="The outcome is recorded (the decision closed).")
    approved = serializers.BooleanField(help_text="An approve decision that closed with more Approve than Object.")
    closes_at = serializers.DateTimeField(source="decision.closes_at")
    opened_at = serializers.DateTimeField(source="decision.opened_at")
    closed_at = serializers.DateTimeField(source="decision.closed_at", allow_null=True)
    text_digest = serializers.CharField(source="decision.text_digest", help_text="SHA-256 of the text put to the decision.")
    text_unchanged = serializers.BooleanField(
        allow_null=True, help_text="The document's text is still the version decided on (null in a list: read the decision)."
    )
    options = DecisionOptionSerializer(many=True)
    votes = VoteSerializer(many=True)
    tally = TallySerializer()
    my_vote = serializers.SerializerMethodField(help_text="The option your organisation chose, if it voted.")
    can_vote = serializers.BooleanField()

    def get_my_vote(self, card: Any) -> int | None:
        return card.my_vote.option_id if card.my_vote else None


class DecisionCreateSerializer(CoalitionScopedFieldsMixin, serializers.Serializer):
    scoped_fields = {"document": Document}
    document = serializers.PrimaryKeyRelatedField(queryset=Document.objects.all())
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=DecisionKind.choices, default=DecisionKind.APPROVE)
    options = serializers.ListField(
        child=serializers.CharField(max_length=500),
        required=False,
        default=list,
        max_length=20,
        help_text="The options of a choice (two at least); an approve decision's are made for it.",
    )
    closes_at = serializers.DateTimeField(default_timezone=GENEVA, help_text="ISO 8601; without an offset, read as Geneva time.")


class DecisionVoteSerializer(serializers.Serializer):
    option = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
