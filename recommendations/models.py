"""What a review produced: the recommendations a State under Review received, and its responses.

Imported from public documents (OHCHR's thematic lists, UPR Info's database): shared reference data,
the same for every coalition, changed only by site staff or a verified import (SharedImport). A
coalition's own record (priorities, notes, its reading of the response, its action category, links)
sits on top, seen by that coalition only.
"""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from coalitions.models import CoalitionOwnedModel, WorkingGroup
from upr.models import Review, State


class Response(models.TextChoices):
    SUPPORTED = "supported", _("Supported")
    NOTED = "noted", _("Noted")
    SUPPORTED_IN_PART = "supported_in_part", _("Supported in part")
    PENDING = "pending", _("Pending")


class Term(models.Model):
    """A named term of a classification that recommendations are tagged with."""

    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Theme(Term):
    """A human rights theme as OHCHR's Universal Human Rights Index names it."""


class AffectedGroup(Term):
    """A group of persons concerned ("Affected persons" / "Groups of persons" in OHCHR's lists)."""


class Issue(Term):
    """An issue in UPR Info's database categorisation (54 issues, 2014), e.g. "HIV - Aids"."""


class Source(models.TextChoices):
    OHCHR = "ohchr", _("OHCHR thematic list")
    UPR_INFO = "upr_info", _("UPR Info database")
    TEMPLATE = "template", _("CSV template")


# UPR Info's action categories (Prof. McMahon's scale), with the verbs that mark each.
ACTION_CATEGORIES = [
    (1, _("1 - Minimal action (call on, seek, share)")),
    (2, _("2 - Continuing action (continue, maintain, pursue)")),
    (3, _("3 - Considering action (consider, explore, review)")),
    (4, _("4 - General action (take measures, ensure, promote)")),
    (5, _("5 - Specific action (adopt, ratify, abolish)")),
]


class ActionCategoryStatus(models.TextChoices):
    IMPORTED = "imported", _("from UPR Info")
    SUGGESTED = "suggested", _("suggested from the first verb")
    CONFIRMED = "confirmed", _("confirmed by a person")


class SDG(models.Model):
    """A Sustainable Development Goal (1-17)."""

    number = models.PositiveSmallIntegerField(_("goal"), unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["number"]
        verbose_name = _("SDG")

    def __str__(self) -> str:
        return f"{self.number} - {self.name}"


class Recommendation(models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="recommendations")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.OHCHR)
    # What identifies the row within its source and review, so that a re-import updates it in place:
    # the paragraph number for OHCHR's lists; for UPR Info (no paragraph numbers) a digest of the
    # recommending State and the text.
    source_key = models.CharField(max_length=64)
    paragraph = models.CharField(
        _("paragraph"), max_length=20, blank=True, help_text=_("As numbered in the Working Group report, e.g. 140.12.")
    )
    paragraph_major = models.PositiveIntegerField(default=0)
    paragraph_minor = models.PositiveIntegerField(default=0)
    text = models.TextField(_("recommendation"))
    recommending_states = models.ManyToManyField(
        State, related_name="recommendations_made", verbose_name=_("recommending States")
    )
    # The UN regional groups of the recommending States, space-separated ("EASTERN_EUROPEAN WEOG"),
    # written by the importers with the States. The list's group filter reads this column of the
    # rows the text search found, instead of joining every recommendation's States (10 ms a search).
    recommending_groups = models.CharField(max_length=100, blank=True, editable=False)
    thematic_cluster = models.CharField(_("thematic cluster"), max_length=300, blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="recommendations")
    affected_groups = models.ManyToManyField(AffectedGroup, blank=True, related_name="recommendations")
    sdgs = models.ManyToManyField(SDG, blank=True, related_name="recommendations", verbose_name=_("SDGs"))
    issues = models.ManyToManyField(Issue, blank=True, related_name="recommendations", verbose_name=_("UPR Info issues"))
    action_category = models.PositiveSmallIntegerField(
        _("action category"), null=True, blank=True, help_text=_("UPR Info's scale: 1 minimal action ... 5 specific action.")
    )
    action_category_status = models.CharField(max_length=10, choices=ActionCategoryStatus.choices, blank=True)
    response = models.CharField(_("response"), max_length=20, choices=Response.choices, default=Response.PENDING)
    response_source = models.CharField(_("where the State said it"), max_length=200, blank=True)
    source_document = models.CharField(_("imported from"), max_length=300, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # PostgreSQL's full-text index of `text` (English stemming), kept by `search.refresh_search_vectors`
    # after every import and GIN-indexed (migration 0002). Stays empty on SQLite, which searches by words.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["review", "paragraph_major", "paragraph_minor"]
        constraints = [
            models.UniqueConstraint(fields=["review", "source", "source_key"], name="one_recommendation_per_source_key")
        ]
        indexes = [
            models.Index(fields=["review", "response"], name="recommendation_review_response"),
            models.Index(fields=["updated_at"], name="recommendation_updated"),  # the search cache's version
        ]

    def __str__(self) -> str:
        return f"{self.paragraph} {self.text[:60]}"


def groups_of(states: Iterable[State]) -> str:
    """The value of Recommendation.recommending_groups for these recommending States."""
    return " ".join(sorted({s.regional_group for s in states if s.regional_group}))


class ResponseRecord(models.Model):
    """A response as the State gave it, when and where: a later change is a new record, never an overwrite."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="response_history")
    response = models.CharField(_("response"), max_length=20, choices=Response.choices)
    source = models.CharField(_("source"), max_length=200, blank=True)
    stated_on = models.DateField(_("stated on"), null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    # A response a person recorded (e.g. a noted recommendation supported in the mid-term report) is
    # later than the imported document; re-importing that document must not take it back.
    by_person = models.BooleanField(default=False)
    # Who typed it in. Shown to nobody outside the person's own coalition: the response is shared,
    # the people of a coalition are not.
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_response_display()} ({self.source})"


class SimilarRecommendation(models.Model):
    """A suggestion, computed from the texts: `earlier` (a previous cycle, same State under Review) may be
    what `recommendation` repeats. Shared like the recommendations; each coalition confirms or rejects
    it in its own record (CrossCycleLink)."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="similar_earlier")
    earlier = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="similar_later")
    score = models.FloatField()

    class Meta:
        ordering = ["-score"]
        constraints = [models.UniqueConstraint(fields=["recommendation", "earlier"], name="one_similarity_per_pair")]


class LinkDecision(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class CoalitionRecommendation(CoalitionOwnedModel):
    """A coalition's own record on a shared recommendation: its priority, notes and working group."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="+")
    priority = models.BooleanField(_("priority"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("working group")
    )
    # The coalition's own reading of the State's response (e.g. "supported in part" where OHCHR's list
    # says noted, after the mid-term report) and its own action category. Shown to it beside the
    # shared value, never to another coalition: the shared rows change only through site staff or a
    # verified import (recommendations.shared_imports).
    reading = models.CharField(_("our reading of the response"), max_length=20, choices=Response.choices, blank=True)
    reading_source = models.CharField(_("where the State said it"), max_length=200, blank=True)
    reading_stated_on = models.DateField(_("stated on"), null=True, blank=True)
    action_category = models.PositiveSmallIntegerField(_("our action category"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["coalition", "recommendation"], name="one_layer_per_coalition_and_recommendation"
            )  # (database names, kept)
        ]
        indexes = [models.Index(fields=["coalition", "priority"], name="layer_coalition_priority")]

    def __str__(self) -> str:
        return str(self.recommendation)


class SharedImportStatus(models.TextChoices):
    PREVIEW = "preview", _("previewed, not imported")
    APPLIED = "applied", _("imported")
    UNDONE = "undone", _("undone")


class SharedImport(models.Model):
    """A file imported into the shared recommendations (or previewed for it): who, when, which file
    (name and SHA-256), which review, what the file says it is, the counts, and what undoing it
    restores. Not a coalition's object: every coalition following the State reads the log; only the
    coalition that ran it (its admins) and site staff may undo it. See recommendations.shared_imports."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    review_ids = models.JSONField(default=list, blank=True)  # every review the file's rows went into
    # The coalition through which it was run (None: site staff on the command line); its admins may undo it.
    coalition = models.ForeignKey("coalitions.Coalition", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    by_staff = models.BooleanField(default=False)
    file_name = models.CharField(_("file"), max_length=300)
    sha256 = models.CharField(max_length=64)
    source = models.CharField(_("format"), max_length=20, choices=Source.choices, default=Source.OHCHR)
    identification = models.CharField(_("what the file says it is"), max_length=300, blank=True)
    verified = models.BooleanField(_("verified against the file's own identification"), default=False)
    mode = models.CharField(max_length=20, default="skip")
    status = models.CharField(max_length=10, choices=SharedImportStatus.choices, default=SharedImportStatus.PREVIEW)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    response_changes = models.PositiveIntegerField(default=0)
    problems = models.PositiveIntegerField(default=0)
    summary = models.CharField(max_length=300, blank=True)
    # Held only between the preview and its confirmation, then emptied.
    content = models.BinaryField(null=True, blank=True, editable=False)
    # What undoing restores: {"created": [ids], "records": [response record ids], "before": {id: row}}.
    undo = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"], name="shared_import_recent")]

    def __str__(self) -> str:
        return self.file_name


class CrossCycleLink(CoalitionOwnedModel):
    """A coalition's decision on an "as previously recommended" suggestion (or a link it made itself)."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="+")
    earlier = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(_("decision"), max_length=10, choices=LinkDecision.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["coalition", "recommendation", "earlier"], name="one_cross_cycle_decision")
        ]

    def __str__(self) -> str:
        return f"{self.recommendation.paragraph} <- {self.earlier.paragraph}"
