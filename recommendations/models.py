"""What a review produced: the recommendations a State under Review received, and its responses.

Imported from public documents (OHCHR's thematic lists, UPR Info's database): shared reference data,
the same for every coalition. A coalition's own layer (priorities, notes, links) sits on top.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

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
    recommending_states = models.ManyToManyField(State, related_name="recommendations_made", verbose_name=_("recommending States"))
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

    class Meta:
        ordering = ["review", "paragraph_major", "paragraph_minor"]
        constraints = [
            models.UniqueConstraint(fields=["review", "source", "source_key"], name="one_recommendation_per_source_key")
        ]
        indexes = [models.Index(fields=["review", "response"], name="recommendation_review_response")]

    def __str__(self) -> str:
        return f"{self.paragraph} {self.text[:60]}"


class ResponseRecord(models.Model):
    """A response as the State gave it, when and where: a later change is a new record, never an overwrite."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="response_history")
    response = models.CharField(_("response"), max_length=20, choices=Response.choices)
    source = models.CharField(_("source"), max_length=200, blank=True)
    stated_on = models.DateField(_("stated on"), null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_response_display()} ({self.source})"
