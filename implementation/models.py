"""The implementation matrix: between two reviews, what the State does with each recommendation.

A coalition builds one matrix per engagement from its review's recommendations (supported and noted
alike), groups the rows into clusters that working groups own, and assesses each row at dates, with
evidence. Assessments are a history: a row points at its latest (kept on the row, so that the matrix
page reads one row per recommendation without scanning the history) and remembers the light before.
"""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.core.validators import RegexValidator
from django.db import models
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _

from coalitions.models import CoalitionOwnedModel, Engagement, WorkingGroup


class ClusterScheme(models.TextChoices):
    OHCHR = "ohchr", _("OHCHR's thematic clusters")
    PILLARS = "pillars", _("Four pillars (as in Kenya's matrix)")
    CUSTOM = "custom", _("Our own clusters (start from one, then add and move)")


# Kenya's coalition grouped its matrix into four clusters (The Butterfly Effect, UPR Info).
FOUR_PILLARS = (
    _("Legal and institutional reforms"),
    _("Civil and political rights"),
    _("Economic, social and cultural rights"),
    _("Group rights"),
)


class Matrix(CoalitionOwnedModel):
    engagement = models.OneToOneField(Engagement, on_delete=models.CASCADE, related_name="matrix")
    scheme = models.CharField(_("clusters"), max_length=10, choices=ClusterScheme.choices, default=ClusterScheme.OHCHR)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(_("Implementation matrix: %(review)s") % {"review": self.engagement.review})


class Cluster(CoalitionOwnedModel):
    matrix = models.ForeignKey(Matrix, on_delete=models.CASCADE, related_name="clusters")
    name = models.CharField(_("cluster"), max_length=200)
    position = models.PositiveIntegerField(default=0)
    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("working group")
    )

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["matrix", "name"], name="cluster_name_unique_in_matrix")]

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    FULL = "full", _("Fully implemented")
    PARTIAL = "partial", _("Partially implemented")
    NOT = "not", _("Not implemented")
    NO_INFO = "no_info", _("No information")


class Light(models.TextChoices):
    """The overall traffic light. Pages always print its word beside the colour."""

    GREEN = "green", _("Green: implemented")
    ORANGE = "orange", _("Orange: partly implemented")
    RED = "red", _("Red: not implemented")
    GREY = "grey", _("Grey: no information")


# Grey is not on the scale: no movement from or to it.
LIGHT_ORDER: dict[str, int] = {Light.RED: 0, Light.ORANGE: 1, Light.GREEN: 2}


class MatrixRow(CoalitionOwnedModel):
    """One recommendation in the matrix, with what the State must do and how the coalition follows it."""

    matrix = models.ForeignKey(Matrix, on_delete=models.CASCADE, related_name="rows")
    recommendation = models.ForeignKey("recommendations.Recommendation", on_delete=models.PROTECT, related_name="+")
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="rows", verbose_name=_("cluster"))
    lead_body = models.CharField(_("government body responsible (lead)"), max_length=300, blank=True)
    supporting_bodies = models.CharField(_("supporting bodies"), max_length=300, blank=True)
    actions_expected = models.TextField(_("actions expected"), blank=True)
    due_on = models.DateField(_("to be done by"), null=True, blank=True)
    national_plan = models.CharField(
        _("or tied to the national plan"),
        max_length=300,
        blank=True,
        help_text=_("e.g. the National Action Plan for Human Rights 2025-2029, chapter 3"),
    )
    related_mechanisms = models.TextField(
        _("similar recommendations of treaty bodies or special procedures"),
        blank=True,
        help_text=_("With a reference, e.g. CEDAW/C/SVN/CO/7, para. 24."),
    )
    version = models.PositiveIntegerField(default=1)  # every save names the version it started from
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    latest = models.ForeignKey("Assessment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    previous_light = models.CharField(max_length=10, choices=Light.choices, blank=True)

    class Meta:
        ordering = ["cluster__position", "cluster__name", "id"]
        constraints = [models.UniqueConstraint(fields=["matrix", "recommendation"], name="one_row_per_recommendation")]

    def __str__(self) -> str:
        return self.recommendation.paragraph or str(self.recommendation_id)

    @property
    def movement(self) -> str:
        """ "up", "down", "same" or "" (no earlier light to compare, or grey on either side)."""
        if self.latest is None or self.previous_light not in LIGHT_ORDER or self.latest.light not in LIGHT_ORDER:
            return ""
        before, now = LIGHT_ORDER[self.previous_light], LIGHT_ORDER[self.latest.light]
        return "up" if now > before else "down" if now < before else "same"


sdg_indicator = RegexValidator(r"^\d{1,2}\.[0-9a-c]{1,2}\.\d{1,2}$", _("An SDG indicator number such as 5.3.1."))


class Indicator(CoalitionOwnedModel):
    """A SMART indicator of a row: what is measured, from what, to what, according to whom."""

    row = models.ForeignKey(MatrixRow, on_delete=models.CASCADE, related_name="indicators")
    measure = models.CharField(_("what is measured"), max_length=300)
    baseline = models.CharField(_("baseline"), max_length=200, blank=True)
    target = models.CharField(_("target"), max_length=200, blank=True)
    source = models.CharField(_("source of the data"), max_length=200, blank=True)
    sdg = models.CharField(_("SDG indicator"), max_length=10, blank=True, validators=[sdg_indicator])

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.measure


class SupportAction(CoalitionOwnedModel):
    """What the coalition itself does to move the recommendation forward."""

    row = models.ForeignKey(MatrixRow, on_delete=models.CASCADE, related_name="support_actions")
    what = models.CharField(_("what we do"), max_length=300)
    who = models.CharField(_("who"), max_length=200, blank=True)
    when = models.CharField(_("when"), max_length=100, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.what


class Assessment(CoalitionOwnedModel):
    row = models.ForeignKey(MatrixRow, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField(_("assessed on"))
    law = models.CharField(_("law"), max_length=10, choices=Level.choices, default=Level.NO_INFO)
    policy = models.CharField(_("policy"), max_length=10, choices=Level.choices, default=Level.NO_INFO)
    practice = models.CharField(_("practice"), max_length=10, choices=Level.choices, default=Level.NO_INFO)
    light = models.CharField(_("overall"), max_length=10, choices=Light.choices)
    narrative = models.TextField(_("assessment"), blank=True)
    shared = models.BooleanField(
        _("shared with observers"),
        default=True,
        help_text=_("Untick for an assessment that only members may read (e.g. it relies on a source at risk)."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [models.Index(fields=["row", "-assessed_on"], name="assessment_latest")]

    def __str__(self) -> str:
        return f"{self.row} {self.assessed_on:%Y-%m-%d} {self.light}"


class EvidenceStorage(LazyObject):
    """Evidence files live outside the web root (settings.EVIDENCE_ROOT) and are served only by a
    view that checks membership: no URL of the storage itself reaches a browser."""

    def _setup(self) -> None:
        self._wrapped = FileSystemStorage(location=settings.EVIDENCE_ROOT, base_url=None)


evidence_storage = EvidenceStorage()


def evidence_storage_of() -> Storage:
    """The field's storage as a callable, so that migrations record this function and not the
    checkout's path (a fixed location would differ on every machine and fail the migrations check)."""
    return cast(Storage, evidence_storage)  # a LazyObject: it stands for the FileSystemStorage it makes


def evidence_path(evidence: Evidence, filename: str) -> str:
    return f"c{evidence.coalition_id}/{filename}"


class Evidence(CoalitionOwnedModel):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(_("what it is"), max_length=200)
    file = models.FileField(_("file"), storage=evidence_storage_of, upload_to=evidence_path, blank=True, max_length=300)
    filename = models.CharField(max_length=200, blank=True)  # as uploaded, for the download
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    url = models.URLField(_("link"), blank=True, max_length=500)
    source = models.CharField(_("source"), max_length=200)
    dated = models.DateField(_("date of the source"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dated", "id"]
        constraints = [models.CheckConstraint(condition=~models.Q(file="") | ~models.Q(url=""), name="evidence_file_or_link")]

    def __str__(self) -> str:
        return self.title
