"""A document as its exports and its counter read it: plain values, no models.

The drafting engine stores a document in the database (documents, sections, sign-ons...);
`selectors.document_outline` turns one into an `Outline`, and everything that renders or counts a
whole document (the Word and PDF exports, the frozen snapshot of a submission, the pre-submission
check) reads the outline only. So the exports can be built and tested without the database.

The text of the summary, sections and annexes is HTML already sanitised by `submissions.richtext`:
paragraphs `<p>`, headings `<h2>`-`<h4>`, `<strong>`, `<em>`, `<u>`, lists, `<a href>`, `<br>`,
tables (annexes), and footnotes written where they are anchored as
`<span class="footnote">the footnote's text</span>`. Footnotes and annexes do not count toward the
word limit.

Paragraph numbering (OHCHR: "number the paragraphs and pages"): the `<p>` elements directly in the
sections' HTML, then the draft recommendations, are numbered 1., 2., 3. ... across the whole
document, in order. The cover, the executive summary, headings, list items and annexes are not.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CoverOrganisation:
    """A submitting organisation as the cover names it (OHCHR publishes them)."""

    name: str
    acronym: str = ""
    website: str = ""
    activities: str = ""
    established_on: dt.date | None = None
    lead: bool = False


@dataclass(frozen=True)
class OutlineSection:
    title: str
    html: str


@dataclass(frozen=True)
class OutlineRecommendation:
    """A SMART draft recommendation: the action (text), who must act, an indicator, a timeframe,
    the States the coalition will ask, and the earlier recommendation it follows up."""

    text: str
    responsible_actor: str = ""
    indicator: str = ""
    timeframe: str = ""
    states: tuple[str, ...] = ()
    follows_up: str = ""  # e.g. "140.12 (Portugal), 4th cycle"


@dataclass(frozen=True)
class OutlineAnnex:
    title: str
    html: str


@dataclass
class Outline:
    kind: str  # a key of upr.rules.DOCUMENT_KINDS
    kind_label: str
    language: str  # "en", "fr" or "es"
    title: str
    review: str  # e.g. "Slovenia, 48th session of the UPR Working Group (January 2025)"
    organisations: list[CoverOrganisation] = field(default_factory=list)  # the named submitters, lead first
    unnamed_count: int = 0  # co-signers counted but not named, for their security
    summary_html: str = ""
    keywords: list[str] = field(default_factory=list)
    sections: list[OutlineSection] = field(default_factory=list)
    recommendations: list[OutlineRecommendation] = field(default_factory=list)
    annexes: list[OutlineAnnex] = field(default_factory=list)
    word_count: int = 0
    word_limit: int | None = None
    final: bool = False  # a draft's exports are marked as drafts


def text_digest(outline: Outline) -> str:
    """SHA-256 of the text an organisation signs: the title, the executive summary and key words, every
    section and annex (title and HTML, footnotes included, as the exports read them) and the draft
    recommendations, in order.

    Not the cover, the count nor the kind: another organisation signing changes the cover, and must not
    make the signatures given before it look given on another text."""
    text = {
        "title": outline.title,
        "summary": outline.summary_html,
        "keywords": list(outline.keywords),
        "sections": [[s.title, s.html] for s in outline.sections],
        "annexes": [[a.title, a.html] for a in outline.annexes],
        "recommendations": [dataclasses.asdict(r) for r in outline.recommendations],
    }
    return hashlib.sha256(json.dumps(text, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
