"""Writing a document: create it, its sections and summary, revisions and restores (comments: `comments`).

Two people editing the same section never overwrite each other silently: every save names the
version it started from (`base_version`), and a save made on an older version is refused with
`SaveConflict`, which carries what the other person saved so that the editor can show both.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from coalitions.audit import audit_record
from coalitions.models import Coalition, Engagement, MemberOrganisation, Membership
from upr.numbers import grouped
from upr.rules import DOCUMENT_KINDS

from ..live import store
from ..models import Document, DocumentStatus, RevisionReason, Section, SectionRevision

__all__ = [
    "SaveConflict",
    "refuse_if_locked",
    "document_create",
    "document_update",
    "section_add",
    "section_save",
    "section_restore",
    "section_version_name",
    "section_version_keep",
    "section_delete",
    "summary_save",
    "can_edit_section",
    "sections_import",
    "document_recommendations_set",
    "lead_refusal",
    "documents_led_unsubmitted",
]

# The sections a new document starts with, by kind: a skeleton of what OHCHR's guidance and the
# coalitions' practice expect (each can be renamed, removed, or added to). Lazy: each is written in
# the language of the document it starts (document_create), not the one active at import.
STARTING_SECTIONS: dict[str, tuple[Any, ...]] = {
    "individual_submission": (
        gettext_lazy("Introduction and methodology"),
        gettext_lazy("Follow-up to the previous review"),
        gettext_lazy("New developments and concerns"),
    ),
    "joint_submission": (
        gettext_lazy("Introduction and methodology"),
        gettext_lazy("Follow-up to the previous review"),
        gettext_lazy("New developments and concerns"),
    ),
    "factsheet": (gettext_lazy("Background"), gettext_lazy("Questions to the State under Review")),
    "oral_statement": (gettext_lazy("Statement"),),
    "written_statement": (gettext_lazy("Statement"),),
    "mid_term_report": (gettext_lazy("Introduction"), gettext_lazy("Progress on the recommendations")),
}


class SaveConflict(Exception):
    """Someone saved the section after this person started editing: both versions are kept."""

    def __init__(self, current: Section | Document) -> None:
        super().__init__(_("Someone else saved this text while you were editing it."))
        self.current = current


def lead_refusal(organisation: MemberOrganisation | None) -> str | None:
    """Why this organisation cannot be a document's lead submitter (None: it can).

    OHCHR publishes every stakeholder submission with its lead submitter's name and accepts no
    anonymous one: an organisation whose name is withheld for its security would be named on the
    cover and in the published document. The usual route is said in the message."""
    if organisation is not None and organisation.withheld:
        return _(
            "%(organisation)s cannot be the lead submitter: its name is withheld for its security, and OHCHR publishes "
            "every submission with its lead submitter's name (it accepts no anonymous submission). Choose another lead, "
            "for example an international partner organisation that submits for the coalition, and ask %(organisation)s "
            "to sign on: it can be counted among the submitters without being named."
        ) % {"organisation": organisation.name}
    return None


def documents_led_unsubmitted(organisation: MemberOrganisation) -> list[str]:
    """Why `organisation` cannot be marked withheld: each document it leads that is not yet submitted
    would publish its name (registered in coalitions.withheld.WITHHOLD_CHECKS)."""
    led = Document.objects.filter(lead_organisation=organisation).exclude(status=DocumentStatus.SUBMITTED)
    return [
        _(
            'It is the lead submitter of "%(title)s" (%(status)s), and OHCHR publishes the lead\'s name. Make another '
            "organisation the lead in that document's settings first (an international partner, for example); it can "
            "then sign on, counted without being named."
        )
        % {"title": d.title, "status": d.get_status_display().lower()}
        for d in led.order_by("created_at", "id")
    ]


def refuse_if_locked(document: Document) -> None:
    if not document.editable:
        raise ValidationError(
            _("This document is %(status)s: it can no longer be edited. An admin can reopen it.")
            % {"status": document.get_status_display().lower()}
        )


def can_edit_section(membership: Membership, section: Section, my_groups: set[int] | None = None) -> bool:
    """Admins edit every section; editors the sections assigned to them or to their working group
    (`my_groups`: the member's working group ids, when a page checks many sections)."""
    if membership.is_admin:
        return True
    if not membership.can_edit:
        return False
    if section.assignee_id == membership.user_id:
        return True
    if section.working_group_id is None:
        return False
    if my_groups is None:
        my_groups = set(membership.working_groups.values_list("pk", flat=True))
    return section.working_group_id in my_groups


def _clean(html: str) -> str:
    """The sanitised text; a text too long to keep is refused with the sanitiser's message."""
    return store.sanitised(html)


@transaction.atomic
def document_create(
    *,
    coalition: Coalition,
    actor: User,
    engagement: Engagement,
    kind: str,
    title: str,
    language: str = "en",
    lead_organisation: MemberOrganisation | None = None,
    theme: str = "",
    word_limit_override: int | None = None,
) -> Document:
    """A new document with its starting sections. A submission names its lead submitter; an
    organisation makes one individual submission per review (OHCHR's rule)."""
    if engagement.coalition_id != coalition.pk or (lead_organisation and lead_organisation.coalition_id != coalition.pk):
        raise ValidationError(_("A document stays in its own coalition."))
    rules = DOCUMENT_KINDS.get(kind)
    if rules is None:
        raise ValidationError(_("Choose a kind of document."))
    if rules.submission and lead_organisation is None:
        raise ValidationError(_("A stakeholder submission needs its lead submitter: OHCHR accepts no anonymous submission."))
    if lead_organisation is not None:  # read afresh and held: it may be marked withheld at this moment
        lead_organisation = MemberOrganisation.objects.select_for_update().get(pk=lead_organisation.pk)
    if refusal := lead_refusal(lead_organisation):
        raise ValidationError({"lead_organisation": refusal})
    duplicate = _("%(organisation)s already has an individual submission for this review: OHCHR accepts one per organisation.")
    if (
        kind == "individual_submission"
        and Document.objects.filter(engagement=engagement, kind=kind, lead_organisation=lead_organisation).exists()
    ):
        raise ValidationError(duplicate % {"organisation": lead_organisation})
    try:
        with transaction.atomic():
            document = Document.objects.create(
                coalition=coalition,
                engagement=engagement,
                kind=kind,
                title=title,
                language=language,
                lead_organisation=lead_organisation,
                theme=theme,
                word_limit_override=word_limit_override,
                created_by=actor,
            )
    except IntegrityError:  # a concurrent request made the same individual submission first
        raise ValidationError(duplicate % {"organisation": lead_organisation}) from None
    # The starting sections are part of the document, so they are written in its language, whatever
    # the language of the person who makes it (a French submission made from an English page).
    with translation.override(language):
        titles = [str(name) for name in STARTING_SECTIONS.get(kind, ())]
    Section.objects.bulk_create(
        [Section(coalition=coalition, document=document, position=i, title=title) for i, title in enumerate(titles, start=1)]
    )
    audit_record(coalition=coalition, actor=actor, action="document.create", target=document)
    return document


@transaction.atomic
def document_update(*, document: Document, actor: User, data: dict[str, Any]) -> Document:
    """Title, theme, language, key words, limit override, the period covered, the lead submitter."""
    refuse_if_locked(document)
    if "lead_organisation" in data and data["lead_organisation"] != document.lead_organisation:
        _check_lead(document, data["lead_organisation"])
    changes = {}
    for name, value in data.items():
        if getattr(document, name) != value:
            changes[name] = [str(getattr(document, name) or ""), str(value or "")]
            setattr(document, name, value)
    if changes:  # only the fields changed: a summary saved meanwhile by someone else stays
        document.save(update_fields=[*changes, "updated_at"])
        audit_record(coalition=document.coalition, actor=actor, action="document.update", target=document, changes=changes)
    return document


def _check_lead(document: Document, lead: MemberOrganisation | None) -> None:
    """A new lead submitter: of the coalition, not withheld, and one individual submission per organisation."""
    if lead is not None and lead.coalition_id != document.coalition_id:
        raise ValidationError(_("A document stays in its own coalition."))
    if document.kind_rules.submission and lead is None:
        raise ValidationError(
            {"lead_organisation": _("A stakeholder submission needs its lead submitter: OHCHR accepts no anonymous submission.")}
        )
    if lead is not None:  # read afresh and held: it may be marked withheld at this moment
        lead = MemberOrganisation.objects.select_for_update().get(pk=lead.pk)
    if refusal := lead_refusal(lead):
        raise ValidationError({"lead_organisation": refusal})
    if (
        document.kind == "individual_submission"
        and Document.objects.filter(engagement=document.engagement_id, kind=document.kind, lead_organisation=lead)
        .exclude(pk=document.pk)
        .exists()
    ):
        raise ValidationError(
            {
                "lead_organisation": _(
                    "%(organisation)s already has an individual submission for this review: OHCHR accepts one per organisation."
                )
                % {"organisation": lead}
            }
        )
    # The new lead signs by leading: its sign-on request, if any, would count it twice.
    if lead is not None:
        document.sign_ons.filter(organisation=lead).delete()


@transaction.atomic
def section_add(
    *,
    document: Document,
    actor: User,
    title: str,
    annex: bool = False,
    working_group: Any = None,
    assignee: Any = None,
    body: str = "",
    note: str = "",
    reason: str = RevisionReason.WRITE,
) -> Section:
    """A new section, with its live text made at once. With a `body` (made by the app: an annex, a
    generated chapter, a Word import) it starts as version 2 with that text, sanitised, counted and
    kept as its first version; a text too long to keep is refused with the sanitiser's message."""
    refuse_if_locked(document)
    last = document.sections.filter(annex=annex).order_by("-position").values_list("position", flat=True).first() or 0
    section = Section.objects.create(
        coalition=document.coalition,
        document=document,
        position=last + 1,
        title=title,
        annex=annex,
        working_group=working_group,
        assignee=assignee,
        updated_by=actor,
    )
    audit_record(coalition=document.coalition, actor=actor, action="section.create", target=section)
    store.start_section(section, html=body, author=actor, reason=reason, note=note or title)
    return section


@transaction.atomic
def section_save(
    *,
    section: Section,
    membership: Membership,
    base_version: int,
    body: str | None,
    title: str | None = None,
    working_group: Any = ...,
    assignee: Any = ...,
    note: str = "",
    reason: str = RevisionReason.WRITE,
) -> Section:
    """Save a section's text (sanitised, counted) through a form or the API, as a change to its live
    text that open editors see at once, and keep it as a version. Refused when the section changed
    since `base_version` (SaveConflict: live typing counts, so a form never undoes it silently), when
    the document is locked, or when this member may not edit the section. `body` None: only the
    title or the assignment changes."""
    current = Section.objects.select_for_update().select_related("document").get(pk=section.pk)
    refuse_if_locked(current.document)
    if not can_edit_section(membership, current):
        raise PermissionDenied(_("This section is assigned to someone else."))
    text = store.text_for_section(current)
    if body is not None:
        store.render(text.pk)  # the version to compare with includes what was typed live
        current.refresh_from_db()
        if current.version != base_version:
            raise SaveConflict(current)
    new_title = (title if title is not None else current.title).strip() or current.title
    title_limit = Section._meta.get_field("title").max_length
    assert title_limit is not None  # a CharField's
    if len(new_title) > title_limit:
        raise ValidationError(_("A section title has at most 300 characters."))
    fields = []
    if working_group is not ... or assignee is not ...:
        if not membership.is_admin:
            raise PermissionDenied(_("Only the secretariat assigns sections."))
        if working_group is not ... and working_group != current.working_group:
            current.working_group = working_group
            fields.append("working_group")
        if assignee is not ... and assignee != current.assignee:
            current.assignee = assignee
            fields.append("assignee")
    if new_title != current.title:
        current.title = new_title
        fields.append("title")
    if fields:
        current.updated_by = membership.user
        current.save(update_fields=[*fields, "updated_by", "updated_at"])
    changed = False
    if body is not None:
        changed = store.write_html(text=text, html=_clean(body), author=membership.user, reason=reason, keep_version_note=note)
    if "title" in fields and not changed:
        Section.objects.filter(pk=current.pk).update(version=F("version") + 1)
        text.refresh_from_db()
        store.keep_version(text, reason=reason, actor=membership.user, name="", note=note or _("Title changed"))
    current.refresh_from_db()
    return current


@transaction.atomic
def section_restore(*, section: Section, membership: Membership, revision: SectionRevision) -> Section:
    """Bring back an old version as a new change (everyone sees it live; the versions in between
    stay in the history)."""
    if revision.section_id != section.pk:
        raise ValidationError(_("That revision belongs to another section."))
    # The section's row first, then the text's (as section_save takes them): a form saving the same
    # section at the same moment waits for this restore instead of deadlocking with it. The text's
    # row, locked by the render until the commit, then takes no live change before the write, so
    # the version read here is still the current one in section_save (no SaveConflict).
    Section.objects.select_for_update().only("pk").get(pk=section.pk)
    store.render(store.text_for_section(section).pk)
    section.refresh_from_db()
    restored = section_save(
        section=section,
        membership=membership,
        base_version=section.version,
        body=store.html_at(revision),
        title=revision.title,
        reason=RevisionReason.RESTORE,
        note=_("Restored version %(version)d") % {"version": revision.version},
    )
    audit_record(
        coalition=section.coalition,
        actor=membership.user,
        action="section.restore",
        target=restored,
        changes={"version": [str(revision.version), str(restored.version)]},
    )
    return restored


def _version_name(name: str) -> str:
    # Control characters (a NUL would not even be stored) and lone surrogates go; whitespace collapses.
    cleaned = " ".join("".join(c for c in str(name or "") if c.isprintable() or c.isspace()).split())
    limit = SectionRevision._meta.get_field("name").max_length
    assert limit is not None  # a CharField's
    if len(cleaned) > limit:
        raise ValidationError(
            _("The name of a version has at most %(limit)d characters (this one has %(length)s).")
            % {"limit": limit, "length": grouped(len(cleaned))}
        )
    return cleaned


@transaction.atomic
def section_version_name(*, section: Section, membership: Membership, revision: SectionRevision, name: str) -> SectionRevision:
    """Name, rename or (with an empty name) unname a kept version of a section: its editors and the
    secretariat, whatever the document's status (a name changes no text, so it is not audited)."""
    if revision.section_id != section.pk:
        raise ValidationError(_("That revision belongs to another section."))
    if not can_edit_section(membership, section):
        raise PermissionDenied(_("Only the editors of this section and the secretariat name its versions."))
    new = _version_name(name)
    locked = SectionRevision.objects.select_for_update().get(pk=revision.pk)
    if new != locked.name:
        locked.name = new
        locked.save(update_fields=["name"])
    return locked


@transaction.atomic
def section_version_keep(*, section: Section, membership: Membership, name: str) -> SectionRevision:
    """Keep the section's current text (what was typed live included) as a version with a name."""
    from ..models import LiveText

    if not can_edit_section(membership, section):
        raise PermissionDenied(_("Only the editors of this section and the secretariat name its versions."))
    new = _version_name(name)
    if not new:
        raise ValidationError(_("Give the version a name."))
    text = store.text_for_section(section)
    store.render(text.pk)
    locked = LiveText.objects.select_for_update().get(pk=text.pk)
    revision = store.keep_version(locked, reason=RevisionReason.NAMED, actor=membership.user, name=new)
    if revision is None:  # only a summary's text keeps no version
        raise ValidationError(_("That text has no versions."))
    return revision


@transaction.atomic
def section_delete(*, section: Section, actor: User) -> None:
    refuse_if_locked(section.document)
    audit_record(coalition=section.coalition, actor=actor, action="section.delete", target=section)
    section.delete()


@transaction.atomic
def summary_save(*, document: Document, membership: Membership, base_version: int, summary: str) -> Document:
    """The executive summary: the secretariat's (admins), with the same conflict rule as a section."""
    current = Document.objects.select_for_update().get(pk=document.pk)
    refuse_if_locked(current)
    if not membership.is_admin:
        raise PermissionDenied(_("The secretariat writes the executive summary."))
    text = store.text_for_summary(current)
    store.render(text.pk)
    current.refresh_from_db()
    if current.summary_version != base_version:
        raise SaveConflict(current)
    store.write_html(text=text, html=_clean(summary), author=membership.user)
    current.refresh_from_db()
    return current


def sections_import(*, document: Document, actor: User, imported: Any) -> list[Section]:
    """Add the sections of an imported Word draft (submissions.docx_import) after the existing ones,
    each made live at once with its text (open editors see the new sections at their next load)."""
    with transaction.atomic():
        refuse_if_locked(document)
        added = []
        for part in imported.sections:
            if part.cover:  # kept, as an annex (which does not count): the app writes its own cover
                title, annex = part.title or _("Cover of the Word draft"), True
            else:
                title, annex = part.title or _("Imported text"), False
            added.append(
                section_add(
                    document=document,
                    actor=actor,
                    title=title,
                    annex=annex,
                    body=part.html,
                    note=_("Imported from Word"),
                    reason=RevisionReason.IMPORT,
                )
            )
        return added


@transaction.atomic
def document_recommendations_set(*, document: Document, actor: User, recommendations: list[Any]) -> None:
    """The draft recommendations this document carries, in the order given; the others leave it."""
    refuse_if_locked(document)
    if any(r.engagement_id != document.engagement_id for r in recommendations):
        raise ValidationError(_("A document carries its own engagement's draft recommendations only."))
    chosen = {r.pk for r in recommendations}
    document.recommendations.exclude(pk__in=chosen).update(document=None)
    for position, recommendation in enumerate(recommendations, start=1):
        recommendation.document, recommendation.position = document, position
        recommendation.save(update_fields=["document", "position", "updated_at"])
    audit_record(
        coalition=document.coalition,
        actor=actor,
        action="document.update",
        target=document,
        changes={"recommendations": ["", str(len(chosen))]},
    )
