"""The UPR mechanism itself: shared by every coalition, owned by none.

States, Working Group sessions and reviews are public reference data, loaded by
`manage.py load_upr_reference` from the files in upr/reference_data/.
"""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionalGroup(models.TextChoices):
    AFRICAN = "AFRICAN", _("African Group")
    ASIA_PACIFIC = "ASIA_PACIFIC", _("Asia-Pacific Group")
    EASTERN_EUROPEAN = "EASTERN_EUROPEAN", _("Eastern European Group")
    GRULAC = "GRULAC", _("Latin American and Caribbean Group (GRULAC)")
    WEOG = "WEOG", _("Western European and Others Group (WEOG)")


class State(models.Model):
    """A UN Member State, or one of the two observer States that also make recommendations."""

    iso3 = models.CharField(_("ISO 3166 alpha-3 code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True, help_text=_("As OHCHR writes it."))
    regional_group = models.CharField(_("UN regional group"), max_length=20, choices=RegionalGroup.choices, blank=True)
    is_member_state = models.BooleanField(_("UN Member State"), default=True)
    aliases = models.JSONField(_("other spellings"), default=list, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("State")

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    """A session of the UPR Working Group."""

    number = models.PositiveSmallIntegerField(_("session number"), unique=True)
    cycle = models.PositiveSmallIntegerField(_("cycle"))
    start_date = models.DateField(_("first day"), null=True, blank=True)
    end_date = models.DateField(_("last day"), null=True, blank=True)
    stakeholder_deadline = models.DateTimeField(
        _("stakeholder submission deadline"),
        null=True,
        blank=True,
        help_text=_("OHCHR's deadline for stakeholder submissions: 15:00 Geneva time on the day."),
    )
    hrc_adoption_session = models.CharField(_("HRC session of adoption"), max_length=80, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("Working Group session")

    def __str__(self) -> str:
        return _("UPR Working Group session %(number)s") % {"number": self.number}


class ReviewQuerySet(models.QuerySet["Review"]):
    def with_related(self) -> "ReviewQuerySet":
        return self.select_related("state", "session")


class Review(models.Model):
    """One State under Review in one Working Group session."""

    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("State under Review"))
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("session"))
    position = models.PositiveSmallIntegerField(_("order in the session"), null=True, blank=True)
    review_date = models.DateField(_("date of the review"), null=True, blank=True)
    report_symbol = models.CharField(_("Working Group report symbol"), max_length=40, blank=True)
    troika = models.ManyToManyField(State, blank=True, related_name="troika_reviews", verbose_name=_("troika"))

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["session__number", "position", "state__name"]
        constraints = [models.UniqueConstraint(fields=["state", "session"], name="one_review_per_state_per_session")]

    def __str__(self) -> str:
        return f"{self.state.name}, {self.session}"

    @property
    def day_zero(self) -> dt.date | None:
        """The date every milestone counts from: the review itself, else the session's first day."""
        return self.review_date or self.session.start_date


class ReferenceLoad(models.Model):
    """Each load of the reference data that changed something (when, and what)."""

    loaded_at = models.DateTimeField(auto_now_add=True)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.loaded_at:%Y-%m-%d %H:%M} {self.summary}"


class WriteStamp(models.Model):
    """One write to a table, recorded by `upr.freshness` in the writing transaction itself: the newest
    id per table is that table's version, which the fresh caches compare. Pruned to one row per table."""

    name = models.CharField(max_length=100)  # the table written

    class Meta:
        indexes = [models.Index(fields=["name", "id"], name="write_stamp_table")]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"
