"""The engagement's record of people met: the State's national consultations and the coalition's own
preparatory meetings, and the advocacy log of meetings with embassies and permanent missions.

The log is what turns a submission into recommendations: after the review, each State lobbied is
set against the recommendations it made (workplan.advocacy.lobbying_outcome).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coalitions.models import CoalitionOwnedModel, Engagement, MemberOrganisation
from upr.models import State

from .tasks import Task


class ConsultationKind(models.TextChoices):
    STATE = "state", _("National consultation held by the State")
    COALITION = "coalition", _("Preparatory meeting of the coalition")


class Consultation(CoalitionOwnedModel):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="consultations")
    kind = models.CharField(_("kind of meeting"), max_length=10, choices=ConsultationKind.choices, default=ConsultationKind.STATE)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online = models.BooleanField(_("online"), default=False)
    organiser = models.CharField(
        _("organiser"), max_length=200, blank=True, help_text=_("For a State consultation, the ministry or office that held it.")
    )
    attended = models.ManyToManyField(
        MemberOrganisation, blank=True, related_name="+", verbose_name=_("member organisations that attended")
    )
    issues_raised = models.TextField(_("issues raised"), blank=True)
    our_input = models.TextField(_("the coalition's input"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    follow_up_task = models.OneToOneField(Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "coalitions_consultation"  # the table it had in coalitions (see the package's docstring)
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.held_on:%Y-%m-%d}"


class Venue(models.TextChoices):
    EMBASSY = "embassy", _("Embassy in the country")
    MISSION = "mission", _("Permanent mission in Geneva")
    CAPITAL = "capital", _("Ministry in the State's capital")
    OTHER = "other", _("Other contact")


class AdvocacyMeeting(CoalitionOwnedModel):
    """A meeting or contact with a State that may recommend: what was asked, what was handed over."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="advocacy_meetings")
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+", verbose_name=_("State met"))
    venue = models.CharField(_("where"), max_length=10, choices=Venue.choices, default=Venue.EMBASSY)
    met_on = models.DateField(_("date"))
    person_met = models.CharField(
        _("person met"),
        max_length=200,
        blank=True,
        help_text=_("As you would write it on a card: a name, a title. Diplomats' names are not shared outside the coalition."),
    )
    issues_raised = models.TextField(_("issues raised"), blank=True)
    themes = models.ManyToManyField(
        "recommendations.Theme",
        blank=True,
        related_name="+",
        verbose_name=_("themes raised"),
        help_text=_("Used after the review to see whether the State recommended on them."),
    )
    documents = models.ManyToManyField(
        "submissions.Document", blank=True, related_name="+", verbose_name=_("factsheets and documents handed over")
    )
    drafts = models.ManyToManyField(
        "submissions.DraftRecommendation", blank=True, related_name="+", verbose_name=_("draft recommendations handed over")
    )
    follow_up = models.TextField(_("follow-up"), blank=True)
    follow_up_task = models.OneToOneField(Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    outcome = models.TextField(_("outcome"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "coalitions_advocacymeeting"  # the table it had in coalitions (see the package's docstring)
        ordering = ["-met_on", "-id"]
        indexes = [models.Index(fields=["engagement", "state"], name="advocacy_by_state")]

    def __str__(self) -> str:
        return f"{self.state.name}, {self.met_on:%Y-%m-%d}"
