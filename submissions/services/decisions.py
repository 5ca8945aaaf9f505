"""Decisions with a closing date (as Loomio's proposals): the secretariat puts a question on a version
of a document to the member organisations ("approve the final text", "choose between two wordings"),
each organisation votes once through any of its contacts (and may change its vote until the close),
and the decision closes at its time, exactly once, with its tally recorded against that version.

The version is bound as a signature is (signons.signed_version): the digest of the document's text and
the seq of each live text when the decision opened, and each vote's digest when it was cast; a vote
whose digest is not the decision's was cast on another version of the text, and says so.

Exactly once: the close is a conditional UPDATE (open -> closed) that one caller wins, whoever else
(the task every minute, an admin closing early, a second beat) tries at the same moment; the vote
takes the decision's row lock, so a vote is either committed before the close (and counted) or finds
the decision closed (and is refused). No withheld organisation is named in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from coalitions.audit import audit_record
from coalitions.models import MemberOrganisation, Membership, Role
from coalitions.withheld import unnamed_label
from upr.rules import GENEVA

from ..live import broadcast, store
from ..models import Decision, DecisionKind, DecisionOption, DecisionStatus, Document, DocumentStatus, SignOn, Vote
from ..selectors.decisions import (
    APPROVE_LABELS,
    approving_organisations,
    contact_organisations,
    decision_cards,
    decision_tally,
    decisions_with_votes,
    option_label,
)
from .signons import signed_version, signon_request

__all__ = [
    "decision_open",
    "decision_vote",
    "decision_close",
    "decision_cancel",
    "decisions_close_due",
    "decision_signon",
    "MAX_OPTIONS",
    "LONGEST_OPEN",
]

MAX_OPTIONS = 20
LONGEST_OPEN = dt.timedelta(days=366)  # a decision closes within a year: a later date is a typing slip


def _trail_name(organisation: MemberOrganisation) -> str:
    # The trail is read by every admin and kept for ever: "counted but not named" holds there too.
    return unnamed_label() if organisation.withheld else organisation.name


def _changed(decision: Decision) -> None:
    """Open pages of the document reload their decisions once this is committed (no content is sent)."""
    broadcast.review_changed_on_commit(document_id=decision.document_id, what="decisions")


def _geneva(moment: dt.datetime) -> str:
    return moment.astimezone(GENEVA).strftime("%Y-%m-%d %H:%M") + " " + _("Geneva time")


def _require_admin(membership: Membership) -> None:
    if not membership.is_admin:
        raise PermissionDenied(_("Only the secretariat opens, closes or cancels a decision."))


def _clean_options(kind: str, options: list[str] | None) -> list[str]:
    if kind == DecisionKind.APPROVE:
        # Stored in the opener's language for the record; every page shows them in the reader's.
        return [str(APPROVE_LABELS[position]) for position in sorted(APPROVE_LABELS)]
    if kind != DecisionKind.CHOOSE:
        raise ValidationError(_("Choose the kind of decision: approve the text, or choose between options."))
    labels = [" ".join(str(label).split()) for label in options or []]
    labels = [label for label in labels if label]
    if len(labels) < 2:
        raise ValidationError(_("A choice needs at least two options: write one per line."))
    if len(labels) > MAX_OPTIONS:
        raise ValidationError(_("A choice has at most %(n)d options.") % {"n": MAX_OPTIONS})
    if any(len(label) > 500 for label in labels):
        raise ValidationError(_("An option is at most 500 characters long."))
    if len({label.casefold() for label in labels}) != len(labels):
        raise ValidationError(_("Two options are the same: write each option once."))
    return labels


def _check_closing(closes_at: Any, now: dt.datetime) -> None:
    if not isinstance(closes_at, dt.datetime) or timezone.is_naive(closes_at):
        raise ValidationError(_("Give the closing date and time (Geneva time)."))
    if closes_at <= now:
        raise ValidationError(_("That closing time has passed: choose a date and time ahead (Geneva time)."))
    if closes_at > now + LONGEST_OPEN:
        raise ValidationError(_("A decision closes within a year: choose an earlier closing date."))


def decision_open(
    *,
    document: Document,
    membership: Membership,
    title: str,
    kind: str,
    closes_at: dt.datetime,
    description: str = "",
    options: list[str] | None = None,
) -> Decision:
    """The secretariat opens a decision on the document's text as it is now (an approve decision gets
    Approve, Object and Abstain; a choice the options given, two at least), closing at `closes_at`."""
    _require_admin(membership)
    title, description = " ".join(str(title).split()), str(description).strip()
    if not title:
        raise ValidationError(_("Write the question the organisations decide."))
    if len(title) > 300 or len(description) > 5000:
        raise ValidationError(_("The question is at most 300 characters long, its details at most 5,000."))
    labels = _clean_options(kind, options)
    _check_closing(closes_at, timezone.now())
    if document.coalition_id != membership.coalition_id:
        raise PermissionDenied
    # What was typed live is rendered first, in its own transactions (as a signature does).
    store.ensure_rendered(document.pk)
    return _decision_open(
        document=document,
        membership=membership,
        title=title,
        description=description,
        kind=kind,
        closes_at=closes_at,
        labels=labels,
    )


@transaction.atomic
def _decision_open(
    *,
    document: Document,
    membership: Membership,
    title: str,
    description: str,
    kind: str,
    closes_at: dt.datetime,
    labels: list[str],
) -> Decision:
    digest, seqs = signed_version(document)  # the version decided on, held until the commit
    if Document.objects.filter(pk=document.pk, status=DocumentStatus.SUBMITTED).exists():
        raise ValidationError(
            _("The document was submitted: its text can no longer change, and there is nothing left to decide on it.")
        )
    decision = Decision.objects.create(
        coalition_id=document.coalition_id,
        document=document,
        title=title,
        description=description,
        kind=kind,
        closes_at=closes_at,
        text_digest=digest,
        text_seqs=seqs,
        opened_by=membership.user,
    )
    DecisionOption.objects.bulk_create(
        [
            DecisionOption(coalition_id=document.coalition_id, decision=decision, position=i, label=label)
            for i, label in enumerate(labels)
        ]
    )
    audit_record(
        coalition=document.coalition,
        actor=membership.user,
        action="decision.open",
        target=decision,
        changes={
            "document": ["", document.title],
            "closes_at": ["", _geneva(closes_at)],
            "options": ["", "; ".join(labels)],
            "text": ["", digest[:16]],
        },
    )
    _changed(decision)
    return decision


def decision_vote(*, decision: Decision, membership: Membership, option_id: int, reason: str = "") -> Vote:
    """A contact of a member organisation votes for it (or changes its vote) until the decision closes;
    the vote records the version of the text it was cast on."""
    if membership.organisation_id is None or not membership.has_role(Role.MEMBER):
        raise PermissionDenied(_("Only a member organisation's contact votes, for their organisation."))
    if membership.coalition_id != decision.coalition_id:
        raise PermissionDenied
    reason = str(reason).strip()
    if len(reason) > 2000:
        raise ValidationError(_("The reason is at most 2,000 characters long."))
    store.ensure_rendered(decision.document_id)
    return _decision_vote(decision=decision, membership=membership, option_id=option_id, reason=reason)


@transaction.atomic
def _decision_vote(*, decision: Decision, membership: Membership, option_id: int, reason: str) -> Vote:
    # The document and its texts first (as a signature takes them), then the decision: the close takes
    # the decision alone, so the two never wait on each other in a circle.
    digest, _seqs = signed_version(Document.objects.get(pk=decision.document_id))
    current = Decision.objects.select_for_update().get(pk=decision.pk)
    if current.status == DecisionStatus.CANCELLED:
        raise ValidationError(_("This decision was cancelled: votes are no longer taken."))
    if current.status != DecisionStatus.OPEN or current.closes_at <= timezone.now():
        raise ValidationError(_("This decision has closed: votes are no longer taken."))
    option = DecisionOption.objects.filter(decision=current, pk=option_id).first() if isinstance(option_id, int) else None
    if option is None:
        raise ValidationError(_("Choose one of this decision's options."))
    assert membership.organisation_id is not None  # decision_vote refuses a membership without an organisation
    organisation = MemberOrganisation.objects.get(pk=membership.organisation_id)
    vote = Vote.objects.filter(decision=current, organisation=organisation).select_related("option").first()
    # The trail keeps each option as it was written when the decision opened, whatever the voter's language.
    before = vote.option.label if vote else ""
    if vote is None:
        vote = Vote(coalition_id=current.coalition_id, decision=current, organisation=organisation)
    vote.option, vote.reason, vote.cast_by, vote.cast_at, vote.text_digest = (
        option,
        reason,
        membership.user,
        timezone.now(),
        digest,
    )
    vote.save()
    audit_record(
        coalition=current.coalition,
        actor=membership.user,
        action="decision.vote",
        target=current,
        changes={"organisation": ["", _trail_name(organisation)], "vote": [before, option.label]},
    )
    _changed(current)
    return vote


def _summary(decision: Decision, options: list[DecisionOption], record: dict[str, Any]) -> str:
    """The tally in one line, for the audit trail (counts only: no organisation is named)."""
    counts = ", ".join(f"{option_label(decision, o)}: {record['counts'].get(str(o.pk), 0)}" for o in options)
    voted = (
        ngettext(
            "%(voters)d of %(eligible)d organisation voted", "%(voters)d of %(eligible)d organisations voted", record["eligible"]
        )
        % record
    )
    chosen = "; ".join(option_label(decision, o) for o in options if o.pk in record["chosen"]) or _("no option chosen")
    return f"{counts} ({voted}) → {chosen}"


@transaction.atomic
def _close(*, decision_id: int, actor: User | None, now: dt.datetime, early: bool) -> Decision | None:
    """Close the decision once: None when another caller closed or cancelled it first (or, unless
    `early`, its time has not come)."""
    claim = Decision.objects.filter(pk=decision_id, status=DecisionStatus.OPEN)
    if not early:
        claim = claim.filter(closes_at__lte=now)
    if claim.update(status=DecisionStatus.CLOSED, closed_at=now) != 1:
        return None
    decision = Decision.objects.select_related("coalition").get(pk=decision_id)
    options = list(DecisionOption.objects.filter(decision=decision).order_by("position", "id"))
    votes = list(Vote.objects.filter(decision=decision).order_by("cast_at", "id"))
    record = decision_tally(decision, options, votes, contact_organisations(decision.coalition_id)).as_record()
    # Closed at its time (votes after it were refused), or now when the secretariat closes it early.
    decision.closed_at, decision.outcome = min(now, decision.closes_at), record
    decision.save(update_fields=["closed_at", "outcome"])
    audit_record(
        coalition=decision.coalition,
        actor=actor,
        action="decision.close",
        target=decision,
        changes={"outcome": ["", _summary(decision, options, record)], "text": ["", decision.text_digest[:16]]},
    )
    _changed(decision)
    return decision


def decisions_close_due(*, now: dt.datetime | None = None) -> list[Decision]:
    """Close every open decision whose time has come (the task run every minute): each once, whoever
    else runs this at the same moment."""
    now = now or timezone.now()
    due = Decision.objects.filter(status=DecisionStatus.OPEN, closes_at__lte=now).order_by("closes_at", "pk")
    return [
        closed
        for pk in due.values_list("pk", flat=True)
        if (closed := _close(decision_id=pk, actor=None, now=now, early=False)) is not None
    ]


def decision_close(*, decision: Decision, membership: Membership) -> Decision:
    """The secretariat closes a decision before its time (or at it, before the task does)."""
    _require_admin(membership)
    closed = _close(decision_id=decision.pk, actor=membership.user, now=timezone.now(), early=True)
    if closed is None:
        raise ValidationError(_("This decision is no longer open: it has closed or was cancelled."))
    return closed


@transaction.atomic
def decision_cancel(*, decision: Decision, membership: Membership) -> Decision:
    """The secretariat withdraws an open decision: no outcome, no more reminders."""
    _require_admin(membership)
    now = timezone.now()
    if not Decision.objects.filter(pk=decision.pk, status=DecisionStatus.OPEN, closes_at__gt=now).update(
        status=DecisionStatus.CANCELLED, closed_at=now
    ):
        raise ValidationError(_("This decision is no longer open: it has closed or was cancelled."))
    decision.refresh_from_db()
    audit_record(coalition=decision.coalition, actor=membership.user, action="decision.cancel", target=decision)
    _changed(decision)
    return decision


def decision_signon(*, decision: Decision, membership: Membership) -> list[SignOn]:
    """From an approval to the sign-on: the organisations that approved are asked to sign the document,
    only while its text is still the version they approved (else a refusal that says what to do)."""
    if not membership.is_admin:
        raise PermissionDenied(_("Only the secretariat runs the sign-on."))
    current = decisions_with_votes(Decision.objects.filter(pk=decision.pk)).get()
    (card,) = decision_cards(decisions=[current], membership=membership, now=timezone.now())
    if not card.recorded:
        raise ValidationError(_("The decision has not closed yet: ask for signatures once it has."))
    if not card.approved:
        raise ValidationError(_("The organisations did not approve this text: there is nothing to ask them to sign."))
    store.ensure_rendered(current.document_id)
    return _decision_signon(decision=current, membership=membership, organisations=approving_organisations(current))


@transaction.atomic
def _decision_signon(*, decision: Decision, membership: Membership, organisations: list[MemberOrganisation]) -> list[SignOn]:
    digest, _seqs = signed_version(decision.document)  # the text held until the requests are committed
    if digest != decision.text_digest:
        raise ValidationError(
            _(
                "The text has changed since this decision: the organisations approved an earlier version, not the text as it "
                "is now. Open a new decision on the current text, or ask organisations to sign in the sign-on section."
            )
        )
    asked = signon_request(document=decision.document, actor=membership.user, organisations=organisations)
    audit_record(
        coalition=decision.coalition,
        actor=membership.user,
        action="decision.signon",
        target=decision,
        changes={"organisations": ["", str(len(organisations))]},
    )
    return asked
