"""The main pages of the app, and what the phone, right-to-left and accessibility tests measure on them.

Plain helpers (no fixtures: those live in conftest.py; Chromium itself is launched by tests/browsers.py):
the list of main pages filled with the `world` fixture's ids, a browser context signed in as a person in
a language, and the measures run in the page (what is wider than the screen, which controls are smaller
than a finger, axe-core).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .browsers import LIVE_READY
from .helpers import session_cookie

ROOT = Path(__file__).resolve().parent.parent
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# The rules of WCAG 2.0 and 2.1, levels A and AA (colour contrast included).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# And axe's best practices for the page's structure, which WCAG's rules leave out: headings that go down
# one level at a time, one main landmark, landmarks named apart, no content outside a landmark.
STRUCTURE_RULES = [
    "heading-order",
    "page-has-heading-one",
    "empty-heading",
    "landmark-one-main",
    "landmark-unique",
    "landmark-no-duplicate-banner",
    "landmark-no-duplicate-contentinfo",
    "landmark-no-duplicate-main",
    "landmark-banner-is-top-level",
    "landmark-contentinfo-is-top-level",
    "landmark-main-is-top-level",
    "region",
    "skip-link",
]


@dataclass(frozen=True)
class MainPage:
    name: str
    path: str
    who: str | None  # a key of World.people ("admin", "editor", ...), None: nobody signed in
    ready: str = ""  # a JavaScript condition the page is ready on (the live editor connected)


def main_pages(world) -> list[MainPage]:
    """Every main page, as the person who sees the most on it (the secretariat, or a visitor)."""
    from coalitions.models import Engagement
    from submissions.models import Decision

    ours = world.ours
    slug = world.coalition.slug
    engagement, document, section = ours["engagement"], ours["document"], ours["section"]
    decision = Decision.objects.filter(document_id=document).order_by("pk").first()
    assert decision is not None
    session = Engagement.objects.select_related("review__session").get(pk=engagement).review.session.number
    c = f"/c/{slug}"
    return [
        MainPage("home (visitor)", "/", None),
        MainPage("login", "/accounts/login/", None),
        MainPage("dashboard", f"{c}/", "admin"),
        MainPage("documents", f"{c}/engagements/{engagement}/documents/", "admin"),
        MainPage("document (live editor)", f"{c}/documents/{document}/", "admin", LIVE_READY),
        MainPage("section history", f"{c}/documents/{document}/sections/{section}/history/", "admin"),
        MainPage("word budgets", f"{c}/documents/{document}/budgets/", "admin"),
        MainPage("decision", f"{c}/documents/{document}/decisions/{decision.pk}/", "admin"),
        MainPage("recommendations", f"{c}/recommendations/", "admin"),
        MainPage("recommendation", f"{c}/recommendations/{ours['recommendation']}/", "admin"),
        MainPage("implementation matrix", f"{c}/engagements/{engagement}/matrix/", "admin"),
        MainPage("engagement (timeline, tasks)", f"{c}/engagements/{engagement}/", "admin"),
        MainPage("people", f"{c}/members/", "admin"),
        MainPage("organisations", f"{c}/organisations/", "admin"),
        MainPage("my deadlines", "/deadlines/", "admin"),
        MainPage("UPR calendar", "/calendar/", "admin"),
        MainPage("session", f"/calendar/sessions/{session}/", "admin"),
        MainPage("your account", "/account/profile/", "admin"),
    ]


def new_context(browser, base: str, *, user=None, language: str = "en", phone: bool = False, **options):
    """A browser context reading in `language` (the cookie, and the account's own language, which a
    signed-in person's pages follow), signed in as `user` when given."""
    from accounts.models import User

    viewport = PHONE if phone else DESKTOP
    if phone:
        options.update(has_touch=True, is_mobile=True, device_scale_factor=2)
    context = browser.new_context(viewport=viewport, locale=language, **options)
    cookies = [{"name": "django_language", "value": language, "url": base}]
    if user is not None:
        User.objects.filter(pk=user.pk).update(language=language)
        cookies.append({"name": "sessionid", "value": session_cookie(user), "url": base})
    context.add_cookies(cookies)
    return context


def visit(page, url: str, ready: str = "") -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response.status if response else 'no response'}"
    if ready:
        page.wait_for_function(ready, timeout=15_000)
    page.wait_for_load_state("load")


# What sticks out of the screen: every element whose box passes the viewport's edge (either edge: a page
# right to left overflows on its left), except those inside a box that scrolls or clips it (a table
# scrolling in its own box) and those visually hidden. Named tag#id.class "text" and by how much.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = (e) => {
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.overflowX !== 'visible' || s.clip !== 'auto' && s.position === 'absolute') return true;
    }
    return false;
  };
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    [...e.classList].map(c => '.' + c).join('') + ' "' + (e.textContent || '').trim().slice(0, 40) + '"';
  const wide = [], outside = [];
  for (const e of document.body.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(e).visibility === 'hidden') continue;
    if (r.right > width + 1 || r.left < -1) {
      const said = name(e) + ' [' + Math.round(r.left) + ', ' + Math.round(r.right) + ']';
      (clipped(e) ? outside : wide).push(said);
    }
  }
  const scrollWidth = document.documentElement.scrollWidth;
  // The page scrolls sideways and no element outside a scrolling box is to blame: one inside such a box
  // escapes it (an absolutely positioned one does, unless the box is positioned): name those.
  return {scrollWidth: scrollWidth, width: width, wide: wide.slice(0, 12),
          escaped: scrollWidth > width && !wide.length ? outside.slice(0, 12) : []};
}"""


def overflow(page) -> list[str]:
    """What is wider than the viewport (empty when the page fits)."""
    found = page.evaluate(OVERFLOW)
    problems = list(found["wide"])
    if found["scrollWidth"] > found["width"] and not problems:
        problems.append(
            f"the page scrolls sideways: {found['scrollWidth']} px for {found['width']}, "
            f"past the edge: {', '.join(found['escaped']) or 'nothing found'}"
        )
    return problems


# Controls smaller than a finger (WCAG 2.5.5, 44 × 44 CSS px): buttons, inputs, selects, summaries and
# links standing alone (in a navigation, a list of actions, a table cell). A link inside running text
# (a paragraph, a sentence in a cell) is exempt, as WCAG allows; so are controls not shown.
SMALL_TARGETS = """() => {
  const controls = document.querySelectorAll('button, input:not([type=hidden]), select, textarea, summary, a[href], [role=button]');
  const inText = (e) => {
    if (e.tagName !== 'A') return false;
    const block = e.closest('p, li, td, th, dd, dt, figcaption, caption, label, small, h1, h2, h3, h4, blockquote, .hint, .muted');
    if (!block) return false;
    const text = block.textContent.replace(/\\s+/g, ' ').trim();
    const own = (e.textContent || '').replace(/\\s+/g, ' ').trim();
    return text.length > own.length + 2;  // other words around the link in the same block
  };
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.name ? '[name=' + e.name + ']' : '') +
    [...e.classList].map(c => '.' + c).join('') + ' "' + ((e.textContent || e.value || '').trim().slice(0, 30)) + '"';
  const small = [];
  for (const e of controls) {
    const r = e.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(e).visibility === 'hidden') continue;
    if (e.closest('.visually-hidden, [hidden], .ProseMirror')) continue;
    const type = (e.getAttribute('type') || '').toLowerCase();
    let box = r;
    if (type === 'checkbox' || type === 'radio') {
      // A box's label is its target too (a press on it ticks the box): the larger of the two counts.
      const label = e.labels && e.labels[0];
      const other = label ? label.getBoundingClientRect() : r;
      if (other.height * other.width > r.height * r.width) box = other;
    } else if (inText(e)) continue;
    if (box.height < 43.5 || box.width < 43.5) small.push(name(e) + ' ' + Math.round(box.width) + '×' + Math.round(box.height) + ' px');
  }
  return small.slice(0, 15);
}"""


def small_targets(page) -> list[str]:
    return page.evaluate(SMALL_TARGETS)


def run_axe(page) -> list[dict]:
    """axe-core's violations of WCAG 2.0 and 2.1, levels A and AA, and of STRUCTURE_RULES, on the page as it
    stands: each its rule (`id`), `impact`, `help` and `nodes`, the elements it found: each its CSS
    selector (`target`) and what to fix (`summary`). axe is put in the page by the caller
    (tests/test_browser_axe.py says how, under the page's CSP)."""
    return page.evaluate(
        """([tags, extra]) => axe.run(document, {runOnly: {type: 'tag', values: tags},
            rules: Object.fromEntries(extra.map(id => [id, {enabled: true}])), resultTypes: ['violations']})
        .then(r => r.violations.map(v => ({id: v.id, help: v.help, impact: v.impact,
              nodes: v.nodes.map(n => ({target: n.target.join(' '),
                                        summary: (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 200)}))})))""",
        [WCAG_TAGS, STRUCTURE_RULES],
    )


def describe(violation: dict) -> str:
    """One line: the rule, its help and the first elements it found, with what to fix."""
    nodes = violation["nodes"]
    more = f"; and {len(nodes) - 3} more" if len(nodes) > 3 else ""
    found = "; ".join(f"{n['target']} ({n['summary']})" if n["summary"] else n["target"] for n in nodes[:3])
    return f"{violation['id']} ({violation['impact']}): {violation['help']}: {found}{more}"


# Every table wider than its box scrolls inside it (phone.css), its first column kept at the start edge
# (the left, or the right when the page reads right to left). Scrolls each by 120 px towards its end.
SCROLL_TABLES = """() => {
  const wide = [...document.querySelectorAll('main table')].filter(t => t.scrollWidth > t.clientWidth + 1);
  for (const t of wide) t.scrollLeft = getComputedStyle(t).direction === 'rtl' ? -120 : 120;
  return wide.length;
}"""
STICKY_FIRST_COLUMN = """() => [...document.querySelectorAll('main table')].filter(t => t.scrollWidth > t.clientWidth + 1).map(t => {
  const rtl = getComputedStyle(t).direction === 'rtl';
  const box = t.getBoundingClientRect();
  const first = t.querySelector('tbody tr > :first-child:not([colspan])');
  const cell = first ? first.getBoundingClientRect() : box;
  const name = 'table' + [...t.classList].map(c => '.' + c).join('') + ' "' + ((t.caption && t.caption.textContent) || '').trim().slice(0, 40) + '"';
  const problems = [];
  if (t.scrollLeft === 0) problems.push('does not scroll in its own box');
  if (first && getComputedStyle(first).position !== 'sticky') problems.push('its first column is not sticky');
  const gap = rtl ? box.right - cell.right : cell.left - box.left;
  if (first && Math.abs(gap) > 2) problems.push('its first column left the ' + (rtl ? 'right' : 'left') + ' edge by ' + Math.round(gap) + ' px');
  return problems.length ? name + ': ' + problems.join(', ') : '';
}).filter(Boolean)"""


def tables_keep_their_first_column(page) -> list[str]:
    """Tables wider than the screen that do not scroll in their own box with their first column kept."""
    if not page.evaluate(SCROLL_TABLES):
        return []
    page.wait_for_timeout(150)  # sticky offsets follow the scroll at the next frame
    return page.evaluate(STICKY_FIRST_COLUMN)
