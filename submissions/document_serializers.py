"""Serializers of the documents API: outputs as the pages show them, inputs checked here and in services."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from coalitions.models import Engagement, MemberOrganisation
from coalitions.serializers import CoalitionScopedFieldsMixin
from upr.rules import DOCUMENT_KINDS, DOCUMENT_LANGUAGES

from .comment_serializers import CommentSerializer  # noqa: F401 (moved; imported from here before)
from .models import Document, DocumentStatus, ExportFormat, ExportJob, Section, SectionRevision, SignOn
from .selectors.budgets import over_budget_by, section_words
from .services.budgets import MAX_BUDGET


class SectionSerializer(serializers.ModelSerializer):
    over_budget = serializers.SerializerMethodField(
        help_text="Whether the section's words (its text, footnotes excluded, and its title once it has text: its row of "
        "the document's count) pass its word budget. A budget never blocks a save."
    )

    class Meta:
        model = Section
        fields = [
            "id",
            "document",
            "position",
            "title",
            "body",
            "annex",
            "working_group",
            "assignee",
            "version",
            "counted_words",
            "footnote_words",
            "word_budget",
            "over_budget",
            "updated_at",
        ]
        read_only_fields = fields

    def get_over_budget(self, section: Section) -> bool:
        return not section.annex and over_budget_by(section_words(section), section.word_budget) > 0


class DocumentSerializer(serializers.ModelSerializer):
    word_limit = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "engagement",
            "kind",
            "language",
            "title",
            "theme",
            "lead_organisation",
            "word_limit",
            "word_limit_override",
            "summary",
            "summary_version",
            "keywords",
            "period_covered",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DocumentCreateSerializer(CoalitionScopedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"engagement": Engagement, "lead_organisation": MemberOrganisation}
    kind = serializers.ChoiceField(choices=[(k.key, k.label) for k in DOCUMENT_KINDS.values()])
    language = serializers.ChoiceField(choices=DOCUMENT_LANGUAGES, default="en")

    class Meta:
        model = Document
        fields = ["engagement", "kind", "title", "language", "lead_organisation", "theme", "word_limit_override"]


class DocumentSettingsSerializer(CoalitionScopedFieldsMixin, serializers.ModelSerializer):
    """The settings; `lead_organisation` (a submission's lead submitter) is checked by the service:
    one of the coalition's organisations, whose name is not withheld."""

    scoped_fields = {"lead_organisation": MemberOrganisation}

    class Meta:
        model = Document
        fields = ["title", "language", "theme", "keywords", "word_limit_override", "period_covered", "lead_organisation"]


class PartSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label: DRF's metaclass moves it into _declared_fields
    key = serializers.CharField()
    counted = serializers.IntegerField()
    footnotes = serializers.IntegerField()
    budget = serializers.IntegerField(allow_null=True, help_text="A section's word budget (null: none, or not a section).")
    over_budget = serializers.BooleanField()
    proposed = serializers.IntegerField(help_text="The count with every open suggestion accepted.")


class CountSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    proposed_total = serializers.IntegerField(help_text="The total with every open suggestion accepted.")
    limit = serializers.IntegerField(allow_null=True)
    budgeted = serializers.IntegerField(allow_null=True, help_text="The sum of the sections' budgets (null: none has one).")
    left = serializers.IntegerField(allow_null=True)
    over = serializers.BooleanField()
    footnotes = serializers.IntegerField()
    annex_words = serializers.IntegerField()
    parts = PartSerializer(many=True)


class CheckSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label: DRF's metaclass moves it into _declared_fields
    ok = serializers.BooleanField(allow_null=True)
    detail = serializers.CharField()


class SectionCreateSerializer(CoalitionScopedFieldsMixin, serializers.Serializer):
    scoped_fields = {"document": Document}
    document = serializers.PrimaryKeyRelatedField(queryset=Document.objects.all())
    title = serializers.CharField(max_length=300)
    annex = serializers.BooleanField(default=False)


class SectionSaveSerializer(serializers.Serializer):
    """A save of a section: its text (HTML, sanitised; written into the live text, so open editors see
    it at once) and/or its title. Without `body` only the title changes."""

    base_version = serializers.IntegerField(
        min_value=1, required=False, help_text="The version the text was edited from (needed with the body or the title)."
    )
    body = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        required=False,
        help_text="The section's whole text as HTML; only the paragraphs that differ change.",
    )
    title = serializers.CharField(max_length=300, required=False)
    word_budget = serializers.IntegerField(
        min_value=0,
        max_value=MAX_BUDGET,
        allow_null=True,
        required=False,
        help_text="The secretariat's share of the document's limit for this section (admins only; null: no budget). "
        "Refused when the document's budgets would add up to more than its limit.",
    )

    def validate(self, data: dict) -> dict:
        if "body" not in data and "title" not in data and "word_budget" not in data:
            raise serializers.ValidationError(_("Give the body, the title, the word budget, or several of them."))
        if ("body" in data or "title" in data) and "base_version" not in data:  # the conflict rule needs it
            raise serializers.ValidationError({"base_version": [_("This field is required.")]})
        data.setdefault("body", None)
        return data


class SummarySaveSerializer(serializers.Serializer):
    base_version = serializers.IntegerField(min_value=1)
    summary = serializers.CharField(allow_blank=True, trim_whitespace=False)


class RevisionSerializer(serializers.ModelSerializer):
    """A kept version: its name (if any), why it was kept, and who wrote in it since the version
    before (user ids, in the order they first changed it)."""

    authors = serializers.ListField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = SectionRevision
        fields = ["version", "name", "reason", "authors", "title", "body", "counted_words", "note", "created_by", "created_at"]


class SignOnSerializer(serializers.ModelSerializer):
    """A sign-on. To an observer, the organisation of a withheld or unnamed signature is null and
    its note empty (coalitions.withheld): counted, never identified."""

    organisation = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()
    signed_text = serializers.SerializerMethodField(
        help_text='Which text the signature was given on: "current" (the text as it is now), "earlier" (an earlier '
        'version: ask again), "unknown" (signed before the app recorded it); null when not signed.'
    )

    class Meta:
        model = SignOn
        fields = [
            "id",
            "document",
            "organisation",
            "status",
            "named",
            "note",
            "requested_at",
            "reminded_at",
            "answered_at",
            "signed_text",
            "signed_digest",
        ]
        read_only_fields = fields

    def get_signed_text(self, sign_on: SignOn) -> str | None:
        """Against the digest of the document's text now: the view puts it in the context
        (`digests`: {document id: digest}), or it is read here once per document."""
        from . import selectors

        if sign_on.status != "signed":
            return None
        digests = self.context.setdefault("digests", {})
        if sign_on.document_id not in digests:
            document = Document.objects.get(pk=sign_on.document_id)
            digests[sign_on.document_id] = selectors.text_digest(selectors.document_page(document, with_comments=False))
        return selectors.signed_text(sign_on, digests[sign_on.document_id])

    def _hidden(self, sign_on: SignOn) -> bool:
        from coalitions.withheld import sees_withheld

        return not sees_withheld(self.context.get("membership")) and (sign_on.organisation.withheld or not sign_on.named)

    def get_organisation(self, sign_on: SignOn) -> int | None:
        return None if self._hidden(sign_on) else sign_on.organisation_id

    def get_note(self, sign_on: SignOn) -> str:
        return "" if self._hidden(sign_on) else sign_on.note


class SignOnRequestSerializer(serializers.Serializer):
    organisations = serializers.ListField(child=serializers.IntegerField(), min_length=1)


class SignOnAnswerSerializer(serializers.Serializer):
    sign = serializers.BooleanField()
    named = serializers.BooleanField(default=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class StatusSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=DocumentStatus.choices)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ExportJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExportJob
        fields = ["id", "document", "format", "final", "status", "progress", "filename", "error", "created_at", "finished_at"]
        read_only_fields = fields


class ExportRequestSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=ExportFormat.choices)
    final = serializers.BooleanField(default=False)


class SectionBudgetSerializer(serializers.Serializer):
    section = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    word_budget = serializers.IntegerField(
        min_value=0, max_value=MAX_BUDGET, allow_null=True, help_text="Words (null: no budget)."
    )
    title = serializers.CharField(read_only=True)
    words = serializers.IntegerField(read_only=True, help_text="The section's row of the document's count.")
    over_budget = serializers.BooleanField(read_only=True)


class BudgetsSerializer(serializers.Serializer):
    """The word budgets of a document's counted sections (annexes do not count). A POST names the
    sections whose budget changes (the others keep theirs); refused when they would add up to more
    than the limit."""

    limit = serializers.IntegerField(read_only=True, allow_null=True)
    budgeted = serializers.IntegerField(read_only=True)
    budgets = SectionBudgetSerializer(many=True, max_length=1000)  # type: ignore[call-arg]  # many=True makes a ListSerializer, which takes max_length

    def validate_budgets(self, budgets: list[dict]) -> list[dict]:
        if len({b["section"] for b in budgets}) != len(budgets):
            raise serializers.ValidationError(_("Name each section once."))
        return budgets
