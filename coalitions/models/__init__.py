"""The tenant: a coalition, its member organisations, people, working groups and engagements.

Tenancy guard: every model a coalition owns inherits CoalitionOwnedModel and is read in views
through `.for_coalition(coalition)`. `objects` stays unfiltered for the admin and migrations.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from upr.models import Review
from upr.rules import MILESTONE_RULES

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class Coalition(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("short address"),
        max_length=60,
        unique=True,
        help_text=_("Used in the coalition's web address: /c/<short address>/. Lower-case letters, digits and hyphens."),
        error_messages={"unique": _("Another coalition already uses this address. Choose another one.")},
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CoalitionOwnedQuerySet(models.QuerySet):
    def for_coalition(self, coalition: Coalition) -> CoalitionOwnedQuerySet:
        return self.filter(coalition=coalition)


class CoalitionOwnedModel(models.Model):
    """Base of everything that belongs to one coalition. Never read it across coalitions."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")

    objects = CoalitionOwnedQuerySet.as_manager()

    class Meta:
        abstract = True


class EcosocStatus(models.TextChoices):
    NONE = "none", _("None")
    GENERAL = "general", _("General consultative status")
    SPECIAL = "special", _("Special consultative status")
    ROSTER = "roster", _("Roster")


class MemberOrganisation(CoalitionOwnedModel):
    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    activities = models.TextField(
        _("description of activities"),
        blank=True,
        help_text=_("A few lines, as OHCHR asks on the cover of a submission."),
    )
    established_on = models.DateField(_("date of establishment"), null=True, blank=True)
    ecosoc_status = models.CharField(_("ECOSOC status"), max_length=10, choices=EcosocStatus.choices, default=EcosocStatus.NONE)
    withheld = models.BooleanField(
        _("name withheld for security"),
        default=False,
        help_text=_("For an organisation at risk of reprisals: it may be counted among co-signers without being named."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["coalition", "name"], name="organisation_name_unique_in_coalition")]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Secretariat (admin)")
    EDITOR = "editor", _("Editor")
    MEMBER = "member", _("Member")
    OBSERVER = "observer", _("Observer (read only)")


# What each role may do. Read this table, not scattered role checks.
ROLE_RANK = {Role.OBSERVER: 0, Role.MEMBER: 1, Role.EDITOR: 2, Role.ADMIN: 3}


class Membership(CoalitionOwnedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        MemberOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__email"]
        constraints = [models.UniqueConstraint(fields=["coalition", "user"], name="one_membership_per_person")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    def has_role(self, minimum: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(minimum)]

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def can_edit(self) -> bool:
        return self.has_role(Role.EDITOR)


class WorkingGroup(CoalitionOwnedModel):
    """A thematic working group: drafts its sections, factsheets and matrix rows."""

    name = models.CharField(_("name"), max_length=200)
    theme = models.TextField(_("theme"), blank=True)
    lead = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="led_groups", verbose_name=_("lead")
    )
    members = models.ManyToManyField(Membership, blank=True, related_name="working_groups", verbose_name=_("members"))

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["coalition", "name"], name="working_group_name_unique")]

    def __str__(self) -> str:
        return self.name


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(CoalitionOwnedModel):
    """An emailed invitation. Only the token's hash is stored: a database leak opens no coalition."""

    email = models.EmailField(_("email address"))
    organisation = models.ForeignKey(
        MemberOrganisation, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["coalition", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_email",
            )
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired

    @property
    def status(self) -> StrPromise:
        if self.accepted_at:
            return _("accepted")
        if self.revoked_at:
            return _("revoked")
        if self.is_expired:
            return _("expired")
        return _("pending")


ORAL_STATEMENT_SLOTS = 10


class OralStatement(models.TextChoices):
    UNDECIDED = "undecided", _("Not decided yet")
    PLANNED = "planned", _("We will sign up")
    SIGNED_UP = "signed_up", _("Signed up: slot obtained")
    NO_SLOT = "no_slot", _("Signed up too late: no slot")
    NONE = "none", _("We will not speak")


class Engagement(CoalitionOwnedModel):
    """The coalition's engagement in one review: its plan, documents and advocacy."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="engagements", verbose_name=_("review"))
    webcast_url = models.URLField(
        _("webcast of the review"),
        blank=True,
        help_text=_(
            "The review and the adoption are broadcast on UN Web TV (webtv.un.org): paste the link to the State's dialogue."
        ),
    )
    # The adoption at the Human Rights Council: NGOs with ECOSOC status sign up, the week before, for
    # one of 10 two-minute slots, first come first served.
    oral_statement = models.CharField(
        _("oral statement at the adoption"), max_length=12, choices=OralStatement.choices, default=OralStatement.UNDECIDED
    )
    oral_statement_by = models.ForeignKey(
        "MemberOrganisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation signing up to speak"),
        help_text=_("It needs ECOSOC consultative status, or to speak with one that has it."),
    )
    oral_statement_slot = models.PositiveSmallIntegerField(
        _("slot obtained (1 to 10)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(ORAL_STATEMENT_SLOTS)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-review__session__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["coalition", "review"],
                name="one_engagement_per_review",
                violation_error_message=_("The coalition already has an engagement in this review."),
            )
        ]

    def __str__(self) -> str:
        return str(self.review)


MILESTONE_KIND_CHOICES = [(rule.kind, rule.label) for rule in MILESTONE_RULES] + [("custom", _("Internal deadline"))]


class Milestone(CoalitionOwnedModel):
    """A date in the engagement's timeline.

    A default milestone stores no date of its own unless the coalition overrides it: its date is
    computed from the review (see coalitions.selectors.engagement_timeline), so that a correction to
    the shared calendar flows through, while an override stays the coalition's alone.
    """

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(_("milestone"), max_length=40, choices=MILESTONE_KIND_CHOICES)
    title = models.CharField(_("title"), max_length=200, blank=True)
    override_date = models.DateField(_("date set by the coalition"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "kind"], condition=~models.Q(kind="custom"), name="one_default_milestone_per_kind"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()


# What each audited action is called on the page; the stored code stays stable across languages.
AUDIT_ACTIONS = {
    "coalition.create": _("created the coalition"),
    "coalition.update": _("changed the coalition's settings"),
    "organisation.create": _("added the organisation"),
    "organisation.update": _("changed the organisation"),
    "invitation.create": _("invited"),
    "invitation.revoke": _("withdrew the invitation to"),
    "invitation.accept": _("joined"),
    "membership.update": _("changed the role of"),
    "membership.remove": _("removed"),
    "working_group.create": _("created the working group"),
    "working_group.update": _("changed the working group"),
    "engagement.create": _("set up the engagement"),
    "milestone.create": _("added the deadline"),
    "milestone.update": _("changed the date of"),
    "recommendation.import": _("imported recommendations into"),
    "recommendation.layer": _("changed the coalition's priority, notes or working group of"),
    "recommendation.response": _("recorded a new response to"),
    "recommendation.action_category": _("set the action category of"),
    "recommendation.reading": _("recorded the coalition's reading of the response to"),
    "recommendation.our_category": _("set the coalition's own action category of"),
    "recommendation.shared_import": _("changed the shared recommendations (an import) of"),
    "recommendation.shared_undo": _("undid an import into the shared recommendations of"),
    "recommendation.shared_response": _("changed the shared response (site staff) to"),
    "recommendation.shared_category": _("changed the shared action category (site staff) of"),
    "recommendation.link_confirmed": _("confirmed an earlier-cycle link of"),
    "recommendation.link_rejected": _("rejected an earlier-cycle link of"),
    "impact.confirmed": _("confirmed that a draft recommendation was taken up by"),
    "impact.rejected": _("rejected a suggested match with"),
    "draft.create": _("added the draft recommendation"),
    "draft.update": _("changed the draft recommendation"),
    "draft.delete": _("deleted the draft recommendation"),
    "document.create": _("created the document"),
    "document.update": _("changed the settings of"),
    "document.status": _("changed the status of"),
    "document.import": _("imported a Word draft into"),
    "document.budgets": _("changed the word budgets of the sections of"),
    "section.create": _("added the section"),
    "section.delete": _("deleted the section"),
    "section.restore": _("restored an earlier version of"),
    "signon.request": _("asked an organisation to sign"),
    "signon.remind": _("reminded an organisation to sign"),
    "signon.signed": _("signed"),
    "signon.declined": _("declined to sign"),
    "decision.open": _("opened the decision"),
    "decision.vote": _("recorded an organisation's vote on"),
    "decision.close": _("closed the decision"),
    "decision.cancel": _("cancelled the decision"),
    "decision.signon": _("asked the organisations that approved to sign, after"),
    "task.create": _("added the task"),
    "engagement.update": _("changed the review and adoption details of"),
    "matrix.create": _("built the implementation matrix:"),
    "matrix.move": _("moved rows of the matrix into the cluster"),
    "cluster.save": _("saved the matrix cluster"),
    "row.update": _("changed the matrix row of recommendation"),
    "row.assess": _("assessed the implementation of recommendation"),
    "consultation.create": _("recorded the consultation"),
    "consultation.update": _("changed the record of the consultation"),
    "consultation.delete": _("deleted the record of the consultation"),
    "advocacy.create": _("logged the advocacy meeting with"),
    "advocacy.update": _("changed the advocacy log entry for"),
    "advocacy.delete": _("deleted the advocacy log entry for"),
}


class AuditEvent(CoalitionOwnedModel):
    """Who changed what in the coalition, and when. Written by services, never edited."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(_("action"), max_length=60)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=40, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["coalition", "-created_at"], name="audit_coalition_recent")]

    def __str__(self) -> str:
        return f"{self.action} {self.target_label}"

    @property
    def action_label(self) -> str:
        return str(AUDIT_ACTIONS.get(self.action, self.action))

    @property
    def shown_changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) as the reader reads them: who made a shared change is stored as a code
        ("staff" or "coalition", see recommendations.services.shared_change_announce) and said in the
        reader's language; entries written before that stored the English words, read the same way."""
        shown: list[tuple[str, object, object]] = []
        for field, change in (self.changes or {}).items():
            before, after = (list(change) + [None, None])[:2] if isinstance(change, list | tuple) else (None, change)
            if field == "by":
                shown.append((str(_("by")), before, str(SHARED_CHANGE_BY.get(str(after), after))))
            else:
                shown.append((field, before, after))
        return shown


# Who made a change to the shared recommendations, as the other coalitions following the State read it.
SHARED_CHANGE_BY = {
    "staff": _("the site staff"),
    "the site staff": _("the site staff"),
    "coalition": _("an admin of a coalition following this State"),
    "an admin of a coalition following this State": _("an admin of a coalition following this State"),
}


def default_invitation_expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=settings.INVITATION_TTL_DAYS)
