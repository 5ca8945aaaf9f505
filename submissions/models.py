"""What the coalition writes: documents (stakeholder submissions, factsheets, statements, mid-term
reports) made of sections, with their revisions, comments, sign-ons, exports and, once handed in,
a frozen snapshot; and the draft recommendations, the asks the coalition puts to States (in a
document or not), which the recommendations app links to what States actually recommended.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coalitions.models import CoalitionOwnedModel, Engagement, MemberOrganisation, WorkingGroup
from recommendations.models import LinkDecision, Recommendation
from upr.models import State
from upr.rules import DOCUMENT_KINDS, DOCUMENT_LANGUAGES

from .fields import SanitisedHTMLField

DOCUMENT_KIND_CHOICES = [(kind.key, kind.label) for kind in DOCUMENT_KINDS.values()]


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    FINAL = "final", _("Final")
    SUBMITTED = "submitted", _("Submitted")


class Document(CoalitionOwnedModel):
    """A document the coalition writes in one engagement. Its limit comes from its kind
    (upr.rules.DOCUMENT_KINDS) unless overridden here; its text lives in its sections."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=30, choices=DOCUMENT_KIND_CHOICES)
    language = models.CharField(_("language"), max_length=2, choices=DOCUMENT_LANGUAGES, default="en")
    title = models.CharField(_("title"), max_length=300)
    theme = models.CharField(_("theme"), max_length=200, blank=True, help_text=_("The one theme of a factsheet."))
    word_limit_override = models.PositiveIntegerField(
        _("word limit"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the limit of the kind."),
    )
    lead_organisation = models.ForeignKey(
        MemberOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_documents",
        verbose_name=_("lead submitter"),
    )
    summary = SanitisedHTMLField(_("executive summary"), blank=True)
    summary_version = models.PositiveIntegerField(default=1)
    keywords = models.CharField(_("key words"), max_length=300, blank=True, help_text=_("Separated by commas."))
    period_covered = models.BooleanField(
        _("covers the period since the last review"),
        default=False,
        help_text=_("OHCHR asks for information on the 4.5 to 5 years since the previous review."),
    )
    status = models.CharField(_("status"), max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["engagement", "created_at", "id"]
        constraints = [
            # OHCHR: one individual submission per organisation and review (the engagement is the review).
            models.UniqueConstraint(
                fields=["engagement", "lead_organisation"],
                condition=models.Q(kind="individual_submission"),
                name="one_individual_submission_per_organisation_and_review",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def kind_rules(self):
        return DOCUMENT_KINDS[self.kind]

    @property
    def word_limit(self) -> int | None:
        return self.word_limit_override if self.word_limit_override is not None else self.kind_rules.word_limit

    @property
    def editable(self) -> bool:
        """Final and submitted documents are locked (an admin reopens a final one, with a reason)."""
        return self.status in (DocumentStatus.DRAFT, DocumentStatus.IN_REVIEW)

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]


class Section(CoalitionOwnedModel):
    """A part of a document, written by a working group or a person. `version` grows with every
    save: a save names the version it started from, and is refused when someone saved since."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("title"), max_length=300)
    body = SanitisedHTMLField(_("text"), blank=True)
    annex = models.BooleanField(_("annex"), default=False, help_text=_("Annexes come after the body and do not count."))
    working_group = models.ForeignKey(
        WorkingGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("working group"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    version = models.PositiveIntegerField(default=1)
    counted_words = models.PositiveIntegerField(default=0)
    footnote_words = models.PositiveIntegerField(default=0)
    # The count as the text would stand with every open suggestion accepted (= counted_words when
    # there is none), rendered with it from the live text.
    proposed_words = models.PositiveIntegerField(default=0)
    # The secretariat's share of the document's limit for this section: shown against its count and
    # marked when passed, never blocking the writing. Empty: no budget.
    word_budget = models.PositiveIntegerField(_("word budget"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["document", "annex", "position", "id"]

    def __str__(self) -> str:
        return self.title


class RevisionReason(models.TextChoices):
    """Why a version of a section was kept (the history says it beside each version)."""

    PAUSE = "pause", _("After a pause in editing")
    STATUS = "status", _("At a change of status")
    NAMED = "named", _("Named by a person")
    RESTORE = "restore", _("Restored from an older version")
    ACCEPT = "accept", _("A suggestion accepted")
    REJECT = "reject", _("A suggestion rejected")
    IMPORT = "import", _("Imported from Word")
    WRITE = "write", _("Written through a form or the API")
    CONVERT = "convert", _("Text before the live editor")


class SectionRevision(CoalitionOwnedModel):
    """A saved state of a section, kept for its history, its diff and its restore."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    body = SanitisedHTMLField(blank=True)
    counted_words = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=200, blank=True)
    # A version of the live text: named or not, why it was kept, the CRDT state it is (for an exact
    # restore and diff), and who wrote in it since the version before (user ids, in order of first change).
    name = models.CharField(_("name of the version"), max_length=120, blank=True)
    reason = models.CharField(max_length=10, choices=RevisionReason.choices, default=RevisionReason.WRITE)
    live_seq = models.BigIntegerField(default=0)
    state = models.BinaryField(default=b"", editable=False)
    authors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["section", "-version"]
        constraints = [models.UniqueConstraint(fields=["section", "version"], name="one_revision_per_section_version")]


class Comment(CoalitionOwnedModel):
    """A comment on a section, or on a passage of it, or a reply to one (`parent`).

    A comment on a passage keeps where the passage is as two Yjs relative positions (`anchor`:
    {"start": ..., "end": ...}, each base64 of `Y.encodeRelativePosition`): they name CRDT items, not
    offsets, so the comment stays on its words whatever is typed before or inside them. `quote` is
    the passage as it was commented on, shown when the passage has since been deleted. Comments are
    never part of the text: not in the live document, the count or any export."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("comment"), max_length=5000)
    anchor = models.JSONField(default=dict, blank=True)
    quote = models.TextField(_("passage"), max_length=2000, blank=True)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["section", "created_at", "id"]


class SignOnStatus(models.TextChoices):
    REQUESTED = "requested", _("Asked to sign")
    SIGNED = "signed", _("Signed")
    DECLINED = "declined", _("Declined")


class SignOn(CoalitionOwnedModel):
    """A member organisation asked to sign a submission, and its answer. An organisation at risk
    may sign without being named on the cover (`named` False): it is counted, never listed."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="sign_ons")
    organisation = models.ForeignKey(MemberOrganisation, on_delete=models.CASCADE, related_name="sign_ons")
    status = models.CharField(max_length=10, choices=SignOnStatus.choices, default=SignOnStatus.REQUESTED)
    named = models.BooleanField(_("name us on the cover"), default=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)  # moved to the new request when asked again
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    # The organisation's contacts are emailed once per request and once per reminder: the email is
    # due while `notified_at` is older than the request (or the secretariat's latest reminder).
    reminded_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    # What was signed, recorded when the organisation signs: the SHA-256 of the document's text then
    # (outline.text_digest) and the seq of each of its live texts ({room: seq}: that exact version in
    # their history). A signature whose digest is not the text's now was given on an earlier text; the
    # page, the API, the check and the snapshot say so. Empty: signed before this was recorded.
    signed_digest = models.CharField(max_length=64, blank=True, editable=False)
    signed_seqs = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["document", "organisation__name"]
        constraints = [models.UniqueConstraint(fields=["document", "organisation"], name="one_sign_on_per_organisation")]

    @property
    def email_due(self) -> bool:
        """Whether this request (or its latest reminder) is still to be emailed to the organisation's contacts."""
        asked = max(self.requested_at, self.reminded_at or self.requested_at)
        return self.notified_at is None or self.notified_at < asked


class ExportFormat(models.TextChoices):
    DOCX = "docx", _("Word (.docx)")
    PDF = "pdf", _("PDF")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(CoalitionOwnedModel):
    """A Word or PDF export, made by a Celery task on the exports queue (never in the request)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="exports")
    format = models.CharField(max_length=4, choices=ExportFormat.choices)
    final = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    content = models.BinaryField(null=True, blank=True, editable=False)
    filename = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class Snapshot(CoalitionOwnedModel):
    """What was handed in, frozen when the document was marked submitted: its outline (text,
    footnotes, cover, signatories, count), the exported files and their checksum. Never changed."""

    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="snapshot")
    outline = models.JSONField()
    docx = models.BinaryField(editable=False)
    pdf = models.BinaryField(editable=False)
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the Word file, as handed in")
    # The digest of the submitted text (outline.text_digest), and each signature then: whether it was
    # given on this very text. Organisations that are withheld or signed unnamed are recorded unnamed.
    text_digest = models.CharField(max_length=64, blank=True, editable=False)
    signatures = models.JSONField(default=list, blank=True, editable=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("A submitted snapshot is never changed.")
        super().save(*args, **kwargs)


class DraftRecommendation(CoalitionOwnedModel):
    """A SMART recommendation the coalition asks States to make: the action, who must act, an
    indicator, a timeframe, and the States it will ask."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="draft_recommendations")
    document = models.ForeignKey(
        Document,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("in the document"),
    )
    position = models.PositiveIntegerField(default=0)
    text = models.TextField(_("recommendation"), help_text=_("As you want a State to make it, starting with the verb."))
    responsible_actor = models.CharField(_("who must act"), max_length=200, blank=True)
    indicator = models.CharField(_("indicator"), max_length=300, blank=True)
    timeframe = models.CharField(_("timeframe"), max_length=100, blank=True)
    states_to_ask = models.ManyToManyField(State, blank=True, related_name="+", verbose_name=_("States to ask"))
    follows_up = models.ForeignKey(
        "recommendations.Recommendation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("follows up the earlier recommendation"),
    )
    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("working group")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["engagement", "position", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class LiveText(CoalitionOwnedModel):
    """The live, shared (CRDT) state of one text of a document: a section's body, or the executive
    summary (`section` empty). The stored truth is `state` (a Yjs update holding every change up to
    `folded_seq`) plus the `LiveUpdate`s after it; `Section.body` (or `Document.summary`) is the HTML
    rendered from it up to `rendered_seq`, for every page, export and count that only reads.

    `seq` numbers this text's updates without gaps in the order they were committed (an update takes
    the row lock to be numbered), so "the HTML is behind" is exactly `rendered_seq < seq`."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="live_texts")
    section = models.OneToOneField(Section, on_delete=models.CASCADE, null=True, blank=True, related_name="live")
    state = models.BinaryField(default=b"", editable=False)
    seq = models.BigIntegerField(default=0)
    folded_seq = models.BigIntegerField(default=0)
    rendered_seq = models.BigIntegerField(default=0)
    versioned_seq = models.BigIntegerField(default=0)  # the seq of the latest kept version
    last_edit_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document"], condition=models.Q(section__isnull=True), name="one_live_summary_per_document"
            ),
        ]

    @property
    def room(self) -> str:
        return f"section-{self.section_id}" if self.section_id else "summary"


class LiveUpdate(CoalitionOwnedModel):
    """One change to a live text, as the Yjs update a browser (or the server) made: committed before
    it is acknowledged or broadcast, so an acknowledged keystroke survives any restart."""

    text = models.ForeignKey(LiveText, on_delete=models.CASCADE, related_name="updates")
    seq = models.BigIntegerField()
    update = models.BinaryField(editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["text", "seq"]
        constraints = [models.UniqueConstraint(fields=["text", "seq"], name="one_live_update_per_seq")]


class DecisionKind(models.TextChoices):
    APPROVE = "approve", _("Approve the text")
    CHOOSE = "choose", _("Choose between options")


class DecisionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Decision(CoalitionOwnedModel):
    """A question the secretariat puts to the member organisations about one version of a document
    ("approve the final text", "choose between two wordings"), open until `closes_at`: one vote per
    organisation, cast by one of its people. The version is the document's text when the decision
    was opened (`text_digest`, as a signature records it, and each live text's seq then)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="decisions")
    title = models.CharField(_("question"), max_length=300)
    description = models.TextField(_("details"), max_length=5000, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DecisionKind.choices, default=DecisionKind.APPROVE)
    closes_at = models.DateTimeField(_("closes at"))
    status = models.CharField(max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.OPEN)
    text_digest = models.CharField(max_length=64, blank=True, editable=False)
    text_seqs = models.JSONField(default=dict, blank=True, editable=False)
    # The tally when it closed: {"counts": {option_id: n}, "voters": n, "eligible": n, "chosen": [option_id...]}.
    outcome = models.JSONField(default=dict, blank=True, editable=False)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document", "-opened_at", "-id"]

    def __str__(self) -> str:
        return self.title


class DecisionOption(CoalitionOwnedModel):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveIntegerField(default=0)
    label = models.CharField(_("option"), max_length=500)

    class Meta:
        ordering = ["decision", "position", "id"]

    def __str__(self) -> str:
        return self.label


class Vote(CoalitionOwnedModel):
    """An organisation's vote on a decision (changed until it closes), and the text it was cast on."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="votes")
    organisation = models.ForeignKey(MemberOrganisation, on_delete=models.CASCADE, related_name="+")
    option = models.ForeignKey(DecisionOption, on_delete=models.CASCADE, related_name="votes")
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    cast_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    cast_at = models.DateTimeField()
    text_digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["decision", "cast_at", "id"]
        constraints = [models.UniqueConstraint(fields=["decision", "organisation"], name="one_vote_per_organisation")]


class ImpactLink(CoalitionOwnedModel):
    """A coalition's decision that a recommendation a State made takes up one of its own draft
    recommendations (confirmed), or does not (rejected, so that the suggestion stops coming back)."""

    draft = models.ForeignKey("DraftRecommendation", on_delete=models.CASCADE, related_name="impact_links")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(_("decision"), max_length=10, choices=LinkDecision.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "recommendations_impactlink"  # the table it had in recommendations: migration 0009 takes it over
        constraints = [models.UniqueConstraint(fields=["draft", "recommendation"], name="one_impact_decision")]

    def __str__(self) -> str:
        return f"{self.draft} -> {self.recommendation.paragraph}"
