"""The parts of a document the app writes itself (the cover's list of submitters, the draft
recommendations), as HTML (upr.generated_text). The editor page shows exactly this HTML and the browser's counter counts
it there; the server counts the same string: one text, one count."""

from __future__ import annotations

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from upr import generated_text

from .outline import CoverOrganisation, OutlineRecommendation


def unnamed_sentence(count: int) -> str:
    return ngettext(
        "and %(count)d organisation that asked not to be named for its security",
        "and %(count)d organisations that asked not to be named for their security",
        count,
    ) % {"count": count}


def cover_html(organisations: list[CoverOrganisation], unnamed: int, *, language: str) -> str:
    """Every named submitter (name, acronym, website, activities, date of establishment) and how
    many more signed without being named. Never a withheld organisation's name."""
    parts = []
    with translation.override(language):
        for org in organisations:
            details = [org.website, org.activities]
            if org.established_on:
                established = formats.date_format(org.established_on, "DATE_FORMAT")
                details.append(_("Established: %(date)s") % {"date": established})
            name = org.name + (f" ({org.acronym})" if org.acronym else "")
            parts.append(generated_text.lines(name, [detail for detail in details if detail]))
        if unnamed:
            parts.append(generated_text.paragraph(unnamed_sentence(unnamed)))
        return generated_text.render(parts)


def recommendation_details(rec: OutlineRecommendation) -> list[str]:
    """The SMART parts a recommendation states, as "label: value" lines (the exports print them too)."""
    lines = []
    for label, value in (
        (_("Who must act"), rec.responsible_actor),
        (_("Indicator"), rec.indicator),
        (_("Timeframe"), rec.timeframe),
        (_("States to ask"), ", ".join(rec.states)),
        (_("Follows up"), rec.follows_up),
    ):
        if value:
            lines.append(f"{label}: {value}")
    return lines


def recommendations_html(recommendations: list[OutlineRecommendation], *, language: str) -> str:
    with translation.override(language):
        parts = []
        for rec in recommendations:
            parts.append(generated_text.paragraph(rec.text))
            parts.extend(generated_text.paragraph(line, css_class="smart") for line in recommendation_details(rec))
        return generated_text.render(parts)
