"""Sign-on: the secretariat asks member organisations to sign a submission; each organisation's
own contact signs or declines. The cover lists exactly the organisations that signed (an
organisation at risk may sign without being named: it is counted, never listed)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from coalitions.audit import audit_record
from coalitions.models import MemberOrganisation, Membership

from ..live import store
from ..models import Document, Section, SignOn, SignOnStatus

__all__ = ["signon_request", "signon_answer", "signon_remind", "signed_version", "REMIND_AFTER"]

REMIND_AFTER = dt.timedelta(hours=20)  # one reminder a day at most (a little less: the same hour each day)


def _open_for_signing(document: Document) -> None:
    if document.kind != "joint_submission":
        raise ValidationError(
            _("Only a joint submission is signed by several organisations; an individual one is its lead's alone.")
        )
    if not document.editable:
        raise ValidationError(_("The submission is final: its signatories can no longer change. An admin can reopen it."))


@transaction.atomic
def signed_version(document: Document) -> tuple[str, dict[str, int]]:
    """What an organisation signing now signs: the digest of the document's text (outline.text_digest,
    of everything typed live until this moment) and {room: seq} of each of its texts (0: a section never
    edited live). Call inside the transaction that records the signature: the live texts are held until
    its commit, so that no change lands between the reading and the record."""
    from ..selectors import document_page, text_digest

    Document.objects.select_for_update().filter(pk=document.pk).first()  # the order a change of status takes
    seqs = store.hold_rendered(document)
    for section_id in Section.objects.filter(document=document).values_list("pk", flat=True):
        seqs.setdefault(store.section_room(section_id), 0)
    seqs.setdefault(store.SUMMARY_ROOM, 0)
    fresh = Document.objects.get(pk=document.pk)  # the summary as just rendered
    return text_digest(document_page(fresh, with_comments=False)), seqs


def _signed_earlier(sign_on: SignOn, digest: str) -> bool:
    """A signature given on another text than `digest` (or before the app recorded what was signed)."""
    return sign_on.status == SignOnStatus.SIGNED and sign_on.signed_digest != digest


def _trail_label(organisation: MemberOrganisation, named: bool = True) -> str:
    # The trail names no withheld organisation: "counted but not named" holds there too.
    return organisation.name if named and not organisation.withheld else _("an organisation that asked not to be named")


def _email_contacts(sign_on: SignOn) -> None:
    """Tell the organisation's contacts, once the request is committed (a task of the default queue)."""
    from ..tasks import send_signon_email

    pk = sign_on.pk
    transaction.on_commit(lambda: send_signon_email.delay(sign_on_id=pk))


@transaction.atomic
def signon_request(*, document: Document, actor: User, organisations: list[MemberOrganisation]) -> list[SignOn]:
    """Ask each organisation to sign (again, if it declined); its contacts are emailed once per
    request, with a link back and no text of the document. The lead submitter needs no asking."""
    _open_for_signing(document)
    asked = []
    current: str | None = None  # the digest of the text now, read once if an organisation signed already
    for organisation in organisations:
        if organisation.coalition_id != document.coalition_id:
            raise ValidationError(_("Only the coalition's member organisations sign its submissions."))
        if organisation.pk == document.lead_organisation_id:
            continue
        sign_on, created = SignOn.objects.get_or_create(
            document=document,
            organisation=organisation,
            defaults={"coalition": document.coalition, "requested_by": actor, "named": not organisation.withheld},
        )
        again = False
        if not created and sign_on.status == SignOnStatus.SIGNED:
            if current is None:
                current = signed_version(document)[0]
            # Signed an earlier version of the text: asked again, to sign the text as it is now. Until
            # it answers, the earlier signature no longer puts it on the cover.
            again = _signed_earlier(sign_on, current)
        if not created and (sign_on.status == SignOnStatus.DECLINED or again):
            sign_on.status, sign_on.answered_at, sign_on.answered_by = SignOnStatus.REQUESTED, None, None
            sign_on.requested_at, sign_on.reminded_at, sign_on.requested_by = timezone.now(), None, actor
            sign_on.signed_digest, sign_on.signed_seqs = "", {}
            sign_on.save(
                update_fields=[
                    "status",
                    "answered_at",
                    "answered_by",
                    "requested_at",
                    "reminded_at",
                    "requested_by",
                    "signed_digest",
                    "signed_seqs",
                ]
            )
        elif not created:
            asked.append(sign_on)  # asked already (or signed): no second email, no second trail entry
            continue
        asked.append(sign_on)
        _email_contacts(sign_on)
        changes = {"organisation": ["", _trail_label(organisation)]}
        if again:
            changes["reason"] = ["", _("signed an earlier version of the text")]
        audit_record(coalition=document.coalition, actor=actor, action="signon.request", target=document, changes=changes)
    return asked


@transaction.atomic
def signon_remind(*, sign_on: SignOn, membership: Membership) -> SignOn:
    """The secretariat reminds an organisation that has not answered: its contacts get the email again."""
    if not membership.is_admin:
        raise PermissionDenied(_("Only the secretariat runs the sign-on."))
    current = SignOn.objects.select_for_update(of=("self",)).select_related("document", "organisation").get(pk=sign_on.pk)
    _open_for_signing(current.document)
    if current.status != SignOnStatus.REQUESTED:
        raise ValidationError(_("This organisation has answered already: there is nothing to remind it of."))
    last = max(filter(None, (current.requested_at, current.reminded_at, current.notified_at)))
    if timezone.now() - last < REMIND_AFTER:  # an inbox of a defender is not to be flooded
        raise ValidationError(
            _("The organisation's contacts were emailed about it less than a day ago: remind them tomorrow at the earliest.")
        )
    current.reminded_at = timezone.now()
    current.save(update_fields=["reminded_at"])
    _email_contacts(current)
    audit_record(
        coalition=current.coalition,
        actor=membership.user,
        action="signon.remind",
        target=current.document,
        changes={"organisation": ["", _trail_label(current.organisation)]},
    )
    return current


def signon_answer(*, sign_on: SignOn, membership: Membership, sign: bool, named: bool = True, note: str = "") -> SignOn:
    """The organisation's own contact signs or declines, with a note. `named` False: counted on the
    cover ("and N organisations that asked not to be named"), never listed. A signature is bound to the
    exact text signed (`signed_version`)."""
    _open_for_signing(sign_on.document)
    if membership.organisation_id != sign_on.organisation_id:
        raise PermissionDenied(
            _("Only a contact of %(organisation)s signs for it.") % {"organisation": sign_on.organisation.name}
        )
    if sign:
        # What was typed live is rendered first, in its own transactions: the signature's transaction then
        # holds the document and its texts for an instant only (a render takes a text, then the document).
        store.ensure_rendered(sign_on.document_id)
    return _signon_answer(sign_on=sign_on, membership=membership, sign=sign, named=named, note=note)


@transaction.atomic
def _signon_answer(*, sign_on: SignOn, membership: Membership, sign: bool, named: bool, note: str) -> SignOn:
    # Bound to the exact text signed (held while it is read, so that nothing typed live slips between).
    sign_on.signed_digest, sign_on.signed_seqs = signed_version(sign_on.document) if sign else ("", {})
    _open_for_signing(Document.objects.get(pk=sign_on.document_id))  # read again (under the document's lock if signing)
    sign_on.status = SignOnStatus.SIGNED if sign else SignOnStatus.DECLINED
    # A withheld organisation is never named, whatever the box said: counted only.
    sign_on.named, sign_on.note = bool(named) and not sign_on.organisation.withheld, note.strip()[:500]
    sign_on.answered_by, sign_on.answered_at = membership.user, timezone.now()
    sign_on.save()
    # The trail of a withheld organisation's signature names no organisation: the audit page is read
    # by every admin, and "counted but not named" must hold there too.
    label = _trail_label(sign_on.organisation, sign_on.named)
    audit_record(
        coalition=sign_on.coalition,
        actor=membership.user,
        action=f"signon.{sign_on.status}",
        target=sign_on.document,
        changes={"organisation": ["", label]},
    )
    return sign_on
