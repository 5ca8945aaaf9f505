"""Every main page on a phone (real Chromium, 390 × 844, touch): nothing is wider than the screen (the
offending elements are named), a table wider than the screen scrolls inside its own box with its first
column kept in view, and every control is at least 44 × 44 px (WCAG 2.5.5; a link inside running text is
exempt, as WCAG allows); and so does what folds open on them. As the secretariat, who sees the most on
each page, and as the other personas where a page differs for them; in English and in French, with
names and texts as long as real ones. The pages and the measures are in tests/browser_pages.py."""

from __future__ import annotations

import pytest

from . import browser_pages as bp

# Pages that differ for another persona (what they may do there), and who.
ALSO_AS = {
    "dashboard": ["member", "observer"],
    "document (live editor)": ["editor", "member", "observer"],
    "decision": ["member"],
    "engagement (timeline, tasks)": ["editor"],
    "recommendation": ["observer"],
}


# Real names are long, and some words have no place to break (an address, a compound, a code).
UNBROKEN = "https://www.gov.si/drzavni-organi/ministrstva/ministrstvo-za-delo-druzino-socialne-zadeve-in-enake-moznosti/"


def lengthen(world) -> None:
    """The world's names and texts, as long as real ones get."""
    from coalitions.models import Coalition, MemberOrganisation, WorkingGroup
    from recommendations.models import Recommendation
    from submissions.models import Document
    from workplan.models import Task

    ours = world.ours
    Coalition.objects.filter(pk=ours["coalition"]).update(
        name="Coalition of Slovenian Non-Governmental Organisations for the Universal Periodic Review"
    )
    MemberOrganisation.objects.filter(pk=ours["organisation"]).update(
        name="Association for the Protection of the Rights of Persons with Disabilities and Their Families (Ljubljana)"
    )
    WorkingGroup.objects.filter(pk=ours["working_group"]).update(name="Economic, social and cultural rights, housing and water")
    Document.objects.filter(pk=ours["document"]).update(
        title="Joint stakeholder submission on the rights of Roma communities, access to water and sanitation, " + UNBROKEN
    )
    Task.objects.filter(pk=ours["task"]).update(title="Collect the figures of the Human Rights Ombudsman " + UNBROKEN)
    Recommendation.objects.filter(pk=ours["recommendation"]).update(
        text="Continue efforts to guarantee the rights of Roma communities, including access to housing, water and "
        "sanitation, and to end discrimination in employment and education, " + UNBROKEN + " (Chile);"
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "fr"])  # French: the longest words of the app's languages
def test_every_main_page_fits_a_phone_with_finger_sized_controls(asgi_server, world, language, chromium):
    lengthen(world)
    visits = []
    for page in bp.main_pages(world):
        visits.append((page, page.who))
        visits += [(page, who) for who in ALSO_AS.get(page.name, [])]
    assert {page.name for page in bp.main_pages(world)} >= set(ALSO_AS)

    problems: list[str] = []
    contexts = {}
    try:
        for page_spec, who in visits:
            if who not in contexts:
                user = world.people[who] if who else None
                contexts[who] = bp.new_context(chromium, asgi_server.url, user=user, language=language, phone=True)
            page = contexts[who].new_page()
            bp.visit(page, asgi_server.url + page_spec.path, page_spec.ready)
            label = f"{page_spec.name} as {who or 'a visitor'} ({page_spec.path})"
            wide, small = bp.overflow(page), bp.small_targets(page)
            problems += [f"{label}: wider than the screen: {e}" for e in wide]
            problems += [f"{label}: {e}" for e in bp.tables_keep_their_first_column(page)]
            problems += [f"{label}: smaller than 44 × 44 px: {e}" for e in small]
            # What folds open (the coalition switcher, "Add a task", the SMART checklist...) fits as well.
            if page.evaluate(
                "() => { const closed = [...document.querySelectorAll('details:not([open])')];"
                " closed.forEach(d => { d.open = true; }); return closed.length; }"
            ):
                problems += [f"{label}, opened: wider than the screen: {e}" for e in bp.overflow(page) if e not in wide]
                problems += [f"{label}, opened: smaller than 44 × 44 px: {e}" for e in bp.small_targets(page) if e not in small]
            page.close()
    finally:
        for context in contexts.values():
            context.close()
    assert not problems, "\n".join(problems)
