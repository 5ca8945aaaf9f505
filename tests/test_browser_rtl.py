"""Right to left: a language read right to left needs only its translation file. With Arabic added to
LANGUAGES (no translation of ours: the page is in English words, laid out right to left), the dashboard
says <html dir="rtl" lang="ar">, its brand and navigations start on the right, its table's text starts
at the right of each cell (text-align: start), and nothing sticks out of the screen, on a desktop and on
a phone; on a phone, the engagement's timeline scrolls in its own box with its first column kept at the
right edge (phone.css's logical insets)."""

from __future__ import annotations

import pytest

from . import browser_pages as bp

# Where each thing starts: its distance from the right and from the left of the box it stands in (its
# header, its list, main, its cell), so that a page laid out left to right fails every assertion below.
GEOMETRY = """() => {
  const box = (e) => e.nodeType === 1 ? e.getBoundingClientRect() : (() => {
    const r = document.createRange(); r.selectNodeContents(e.parentNode); return r.getBoundingClientRect(); })();
  const within = (e, container) => {
    const r = box(e), c = container.getBoundingClientRect();
    return {fromLeft: Math.round(r.left - c.left), fromRight: Math.round(c.right - r.right)};
  };
  const q = (s) => document.querySelector(s);
  return {
    dir: document.documentElement.dir, lang: document.documentElement.lang,
    brand: within(q('.brand'), q('.site-header')),
    site_nav: within(q('.site-header nav li'), q('.site-header nav ul')),
    coalition_nav: within(q('.coalition-nav li'), q('.coalition-nav ul')),
    heading: within(q('main h1').firstChild, q('main')),
    cell_text: within(q('main table th').firstChild, q('main table th')),
  };
}"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_dashboard_reads_right_to_left_in_arabic(asgi_server, world, settings, chromium):
    # Arabic is not one of the app's languages yet: added here, before any page is asked for. Django
    # clears its language caches when LANGUAGES changes; the page's words stay English (no catalogue).
    settings.LANGUAGES = [*settings.LANGUAGES, ("ar", "Arabic")]
    admin = world.people["admin"]
    slug, engagement = world.coalition.slug, world.ours["engagement"]
    for phone in (False, True):
        context = bp.new_context(chromium, asgi_server.url, user=admin, language="ar", phone=phone)
        page = context.new_page()
        bp.visit(page, f"{asgi_server.url}/c/{slug}/")
        where = "on a phone" if phone else "on a desktop"
        found = page.evaluate(GEOMETRY)
        assert (found["dir"], found["lang"]) == ("rtl", "ar"), found
        for part in ("brand", "site_nav", "coalition_nav", "heading", "cell_text"):
            # The start is the right: within its box's padding of the right edge, away from the left.
            assert found[part]["fromRight"] <= 20 < found[part]["fromLeft"], (
                f"{where}, {part} does not start on the right: {found}"
            )
        assert bp.overflow(page) == [], f"{where}: wider than the screen: {bp.overflow(page)}"

        if phone:
            bp.visit(page, f"{asgi_server.url}/c/{slug}/engagements/{engagement}/")
            assert page.evaluate(bp.SCROLL_TABLES) >= 1, "the timeline should be wider than a phone"
            page.wait_for_timeout(150)
            assert page.evaluate(bp.STICKY_FIRST_COLUMN) == []
            assert bp.overflow(page) == [], bp.overflow(page)
        context.close()
