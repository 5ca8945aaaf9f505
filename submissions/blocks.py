"""The parts of a document the app writes itself (the cover's list of submitters, the draft
recommendations), as HTML. The editor page shows exactly this HTML and the browser's counter counts
it there; the server counts the same string: one text, one count."""

from __future__ import annotations

from html import escape

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
            name = escape(org.name) + (f" ({escape(org.acronym)})" if org.acronym else "")
            details = [f"<strong>{name}</strong>"]
            if org.website:
                details.append(escape(org.website))
            if org.activities:
                details.append(escape(org.activities))
            if org.established_on:
                established = formats.date_format(org.established_on, "DATE_FORMAT")
                details.append(escape(_("Established: %(date)s") % {"date": established}))
            parts.append("<p>" + "<br>".join(details) + "</p>")
        if unnamed:
            parts.append(f"<p>{escape(unnamed_sentence(unnamed))}</p>")
    return "".join(parts)


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
        return "".join(
            f"<p>{escape(rec.text)}</p>" + "".join(f'<p class="smart">{escape(line)}</p>' for line in recommendation_details(rec))
            for rec in recommendations
        )
