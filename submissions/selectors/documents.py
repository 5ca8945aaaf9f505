"""Reads of documents: the submitters on the cover, the word count by part, the outline that the
exports read, the pre-submission check, and the editor page's data in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coalitions.models import Milestone
from coalitions.selectors import engagement_timeline
from upr.rules import JOINT_SUBMISSION_MINIMUM_SIGNERS

from ..blocks import cover_html, recommendations_html
from ..models import Comment, Document, DraftRecommendation, Section, SignOn, SignOnStatus
from ..outline import CoverOrganisation, Outline, OutlineRecommendation, OutlineSection
from ..outline import text_digest as outline_text_digest
from ..wordcount import count_html, count_text
from .budgets import over_budget_by, section_words

__all__ = [
    "Submitters",
    "submitters",
    "DocumentCount",
    "document_count",
    "document_outline",
    "Check",
    "presubmission_checks",
    "document_page",
    "outline_recommendations",
    "submission_deadline",
    "text_digest",
    "signed_text",
    "signature_texts",
    "asked_again_allowed",
    "SIGNED_CURRENT",
    "SIGNED_EARLIER",
    "SIGNED_UNKNOWN",
]


def _cover(organisation: Any, *, lead: bool = False) -> CoverOrganisation:
    return CoverOrganisation(
        name=organisation.name,
        acronym=organisation.acronym,
        website=organisation.website,
        activities=organisation.activities,
        established_on=organisation.established_on,
        lead=lead,
    )


@dataclass
class Submitters:
    named: list[CoverOrganisation]  # lead first
    unnamed: int
    sign_ons: list[SignOn]
    lead_withheld: bool = False  # the lead's name is withheld: OHCHR would refuse the submission

    @property
    def total(self) -> int:
        return len(self.named) + self.unnamed


def submitters(document: Document, sign_ons: list[SignOn] | None = None) -> Submitters:
    """The lead submitter (named) and every organisation that signed; those that asked not to be
    named, or whose name is withheld, are only counted. A lead whose name is withheld (marked so
    before leads were refused, see services.lead_refusal) is counted, never named: the
    pre-submission check flags it and the document cannot be made final."""
    if sign_ons is None:
        sign_ons = list(document.sign_ons.select_related("organisation"))
    lead = document.lead_organisation if document.lead_organisation_id else None
    named = [_cover(lead, lead=True)] if lead is not None and not lead.withheld else []
    signed = [s for s in sign_ons if s.status == SignOnStatus.SIGNED and s.organisation_id != document.lead_organisation_id]
    named += [_cover(s.organisation) for s in signed if s.named and not s.organisation.withheld]
    unnamed = sum(1 for s in signed if not s.named or s.organisation.withheld) + (1 if lead is not None and lead.withheld else 0)
    return Submitters(named, unnamed, sign_ons, lead_withheld=lead is not None and lead.withheld)


def outline_recommendations(recommendations: list[DraftRecommendation]) -> list[OutlineRecommendation]:
    return [
        OutlineRecommendation(
            text=r.text,
            responsible_actor=r.responsible_actor,
            indicator=r.indicator,
            timeframe=r.timeframe,
            states=tuple(s.name for s in r.states_to_ask.all()),
            follows_up=_follows_up(r),
        )
        for r in recommendations
    ]


def _follows_up(draft: DraftRecommendation) -> str:
    """The recommendation of an earlier review the draft follows up, as the outline names it ("" for none)."""
    earlier = draft.follows_up if draft.follows_up_id else None
    return f"{earlier.paragraph} ({earlier.review})" if earlier is not None else ""


@dataclass
class Part:
    """One line of the count's breakdown: the cover, the summary, a section, the recommendations."""

    label: str
    counted: int
    footnotes: int = 0
    section_id: int | None = None
    key: str = ""  # the element the browser counts again ("cover", "summary", "section-12", "recommendations")
    budget: int | None = None  # a section's word budget (selectors.budgets), compared with `counted`
    proposed: int | None = None  # the count with every open suggestion accepted (None: as `counted`)

    @property
    def over_budget_by(self) -> int:
        return over_budget_by(self.counted, self.budget)

    @property
    def over_budget(self) -> bool:
        return self.over_budget_by > 0


@dataclass
class DocumentCount:
    parts: list[Part]
    limit: int | None
    annex_words: int = 0

    @property
    def total(self) -> int:
        return sum(p.counted for p in self.parts)

    @property
    def footnotes(self) -> int:
        return sum(p.footnotes for p in self.parts)

    @property
    def proposed_total(self) -> int:
        """The total as it would stand with every open suggestion accepted."""
        return sum(p.counted if p.proposed is None else p.proposed for p in self.parts)

    @property
    def budgeted(self) -> int | None:
        """The sum of the sections' word budgets; None when no section has one."""
        budgets = [p.budget for p in self.parts if p.budget is not None]
        return sum(budgets) if budgets else None

    @property
    def left(self) -> int | None:
        return None if self.limit is None else self.limit - self.total

    @property
    def over_by(self) -> int:
        return max(0, -(self.left or 0))

    @property
    def over(self) -> bool:
        return self.limit is not None and self.total > self.limit


@dataclass
class PageData:
    """What the editor page and the count read, loaded once."""

    document: Document
    sections: list[Section]
    annexes: list[Section]
    recommendations: list[DraftRecommendation]
    submitters: Submitters
    cover_html: str
    recommendations_html: str
    count: DocumentCount
    extra: dict[str, Any] = field(default_factory=dict)


def document_page(document: Document, *, with_comments: bool = True) -> PageData:
    """The document's sections (with open comments and the number of revisions), draft
    recommendations and sign-ons, in a fixed number of queries whatever their number."""
    sections_qs = document.sections.select_related("working_group", "assignee", "updated_by").annotate(
        revision_count=Count("revisions")
    )
    if with_comments:
        sections_qs = sections_qs.prefetch_related(
            Prefetch("comments", queryset=Comment.objects.select_related("author", "resolved_by").order_by("created_at", "id"))
        )
    everything = list(sections_qs)
    recommendations = list(
        document.recommendations.select_related("follows_up__review__state", "follows_up__review__session")
        .prefetch_related("states_to_ask")
        .order_by("position", "created_at", "id")
    )
    sign_ons = list(document.sign_ons.select_related("organisation", "answered_by"))
    people = submitters(document, sign_ons)
    cover = cover_html(people.named, people.unnamed, language=document.language) if document.kind_rules.submission else ""
    asks = recommendations_html(outline_recommendations(recommendations), language=document.language)
    sections = [s for s in everything if not s.annex]
    annexes = [s for s in everything if s.annex]
    return PageData(
        document, sections, annexes, recommendations, people, cover, asks, _count(document, sections, annexes, cover, asks)
    )


def _count(document: Document, sections: list[Section], annexes: list[Section], cover: str, asks: str) -> DocumentCount:
    """What counts toward the limit: the summary and key words, each section (its title only once it
    has text: an empty template section is not yet part of the document), the recommendations. The
    cover (the submitters' names, the title page) does not count, nor do footnotes and annexes.
    Section texts use their stored counts (made by the same counter when saved)."""
    parts = []
    summary = count_html(document.summary)
    parts.append(
        Part(
            _("Executive summary and key words"),
            summary.counted + count_text(document.keywords),
            summary.footnotes,
            key="summary",
        )
    )
    for s in sections:
        parts.append(
            Part(
                s.title,
                section_words(s),
                s.footnote_words,
                s.pk,
                key=f"section-{s.pk}",
                budget=s.word_budget,
                proposed=s.proposed_words + (count_text(s.title) if s.proposed_words else 0),
            )
        )
    if asks:
        parts.append(Part(_("Recommendations"), count_html(asks).counted, key="recommendations"))
    annex_words = sum(a.counted_words for a in annexes)
    return DocumentCount(parts, document.word_limit, annex_words)


def document_count(document: Document) -> DocumentCount:
    return document_page(document, with_comments=False).count


def _text_parts(page: PageData) -> dict[str, Any]:
    """The parts of the outline that are the document's text (what a signature is given on)."""
    document = page.document
    return {
        "title": document.title,
        "summary_html": document.summary,
        "keywords": document.keyword_list,
        "sections": [OutlineSection(s.title, s.body) for s in page.sections],
        "recommendations": outline_recommendations(page.recommendations),
        "annexes": [OutlineSection(a.title, a.body) for a in page.annexes],
    }


def document_outline(document: Document, *, final: bool = False, page: PageData | None = None) -> Outline:
    """The document as its exports and its snapshot read it."""
    page = page or document_page(document, with_comments=False)
    review = document.engagement.review
    return Outline(
        kind=document.kind,
        kind_label=str(document.kind_rules.label),
        language=document.language,
        review=str(review),
        organisations=page.submitters.named if document.kind_rules.submission else [],
        unnamed_count=page.submitters.unnamed if document.kind_rules.submission else 0,
        word_count=page.count.total,
        word_limit=page.count.limit,
        final=final,
        **_text_parts(page),
    )


def text_digest(page: PageData) -> str:
    """The digest of the document's text as the page read it (`outline.text_digest`), with no query
    beyond the page's: the same value as the digest of `document_outline` for the same page."""
    document = page.document
    return outline_text_digest(
        Outline(kind=document.kind, kind_label="", language=document.language, review="", **_text_parts(page))
    )


# What each signature was given on (SignOn.signed_digest against the text now).
SIGNED_CURRENT = "current"  # the text as it is now
SIGNED_EARLIER = "earlier"  # an earlier text: to be asked again
SIGNED_UNKNOWN = "unknown"  # signed before the app recorded what was signed


def signed_text(sign_on: SignOn, digest: str) -> str | None:
    """Which text a signature was given on, compared with `digest` (the text now); None if not signed."""
    if sign_on.status != SignOnStatus.SIGNED:
        return None
    if not sign_on.signed_digest:
        return SIGNED_UNKNOWN
    return SIGNED_CURRENT if sign_on.signed_digest == digest else SIGNED_EARLIER


def asked_again_allowed(page: PageData, states: dict[int, str] | None = None) -> list[int]:
    """The organisations whose signature was not given on the text as it is now (an earlier text, or
    one not recorded): the secretariat may ask them again."""
    states = signature_texts(page) if states is None else states
    return [s.organisation_id for s in page.submitters.sign_ons if states.get(s.pk) in (SIGNED_EARLIER, SIGNED_UNKNOWN)]


def signature_texts(page: PageData) -> dict[int, str]:
    """{sign-on id: SIGNED_CURRENT, SIGNED_EARLIER or SIGNED_UNKNOWN} for every signature of the page."""
    signed = [s for s in page.submitters.sign_ons if s.status == SignOnStatus.SIGNED]
    if not signed:
        return {}
    digest = text_digest(page)
    return {s.pk: text for s in signed if (text := signed_text(s, digest)) is not None}  # never None: all are signed


def submission_deadline(document: Document) -> dt.datetime | None:
    """The engagement's stakeholder submission deadline (15:00 Geneva time), as its calendar has it."""
    milestones = list(
        Milestone.objects.for_coalition(document.coalition).filter(engagement=document.engagement, kind="stakeholder_deadline")
    )
    entries = engagement_timeline(engagement=document.engagement, milestones=milestones) if milestones else []
    return entries[0].due_at if entries else None


@dataclass(frozen=True)
class Check:
    label: str
    ok: bool | None  # None: for the person to confirm (the app cannot see it)
    detail: str = ""


def presubmission_checks(page: PageData, *, deadline: dt.datetime | None, exported_docx: bool) -> list[Check]:
    """What OHCHR's guidelines ask of a submission, and whether this document meets each."""
    document, count = page.document, page.count
    checks = []
    if count.limit is not None:
        checks.append(
            Check(
                _("Within the word limit"),
                not count.over,
                _("%(total)s of %(limit)s words, footnotes and annexes excluded")
                % {"total": f"{count.total:,}", "limit": f"{count.limit:,}"},
            )
        )
    if document.kind_rules.submission:
        needed = JOINT_SUBMISSION_MINIMUM_SIGNERS if document.kind == "joint_submission" else 1
        requested = sum(1 for s in page.submitters.sign_ons if s.status == SignOnStatus.REQUESTED)
        checks.append(
            Check(
                _("Every submitter on the cover"),
                page.submitters.total >= needed and not requested,
                _("%(total)d organisations (at least %(needed)d); %(waiting)d still asked to sign")
                % {"total": page.submitters.total, "needed": needed, "waiting": requested},
            )
        )
        signed = signature_texts(page)
        if signed:
            earlier = sum(1 for state in signed.values() if state == SIGNED_EARLIER)
            unknown = sum(1 for state in signed.values() if state == SIGNED_UNKNOWN)
            # Counted, never named: the check is read by observers too, and a withheld organisation's
            # signature is one of them.
            if earlier:
                detail = ngettext(
                    "%(n)d organisation signed an earlier version of the text: ask it again to sign the text as it is now.",
                    "%(n)d organisations signed an earlier version of the text: ask them again to sign the text as it is now.",
                    earlier,
                ) % {"n": earlier}
            elif unknown:
                detail = ngettext(
                    "%(n)d signature was given before the app recorded which text was signed: confirm it holds for this text.",
                    "%(n)d signatures were given before the app recorded which text was signed: confirm they hold for this text.",
                    unknown,
                ) % {"n": unknown}
            else:
                detail = _("Every organisation signed the text as it is now.")
            checks.append(
                Check(_("Every signature given on the current text"), False if earlier else (None if unknown else True), detail)
            )
        if page.submitters.lead_withheld:
            checks.append(
                Check(
                    _("A lead submitter OHCHR can name"),
                    False,
                    _(
                        "The lead submitter's name is withheld for its security, and OHCHR publishes the lead's name: the exports "
                        "leave it out, and OHCHR would refuse the submission. Make another organisation the lead in the settings "
                        "(an international partner, for example); the withheld one can sign on, counted without being named."
                    ),
                )
            )
    checks.append(Check(_("An executive summary"), bool(count_html(document.summary).counted)))
    checks.append(Check(_("Key words"), bool(document.keyword_list)))
    checks.append(Check(_("Numbered paragraphs and pages"), True, _("The exports number them.")))
    asks = len(page.recommendations)
    if document.kind == "factsheet":
        checks.append(Check(_("Four or five questions or draft recommendations"), 4 <= asks <= 5, str(asks)))
    else:
        checks.append(Check(_("Draft recommendations"), asks > 0, str(asks)))
    if document.kind_rules.submission or document.kind == "mid_term_report":
        checks.append(
            Check(
                _("Covers the period since the last review"),
                document.period_covered or None,
                _("Confirm it in the document's settings."),
            )
        )
    pictures = any("<img" in s.body for s in page.sections + page.annexes)
    checks.append(
        Check(
            _("No pictures, no other organisations' reports as annexes"),
            not pictures or None,
            _("The editor keeps no pictures; check the annexes are your own."),
        )
    )
    if document.kind_rules.submission:
        checks.append(Check(_("Exported as Word"), exported_docx, _("OHCHR accepts Word documents only.")))
        if deadline is None:
            checks.append(Check(_("The deadline is ahead"), None, _("The engagement's calendar has no submission deadline.")))
        else:
            checks.append(
                Check(
                    _("The deadline is ahead"),
                    deadline > timezone.now(),
                    _("Due %(when)s (15:00 Geneva time)") % {"when": _on_page(deadline)},
                )
            )
    return checks


def _on_page(moment: Any) -> str:
    """A moment as every page writes it (upr/formats), with its time zone."""
    local = timezone.localtime(moment)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} {local.tzname()}"
