"""The Content-Security-Policy in a real browser: the main pages run without one violation or error.

Headless Chromium opens the dashboard, the documents list, the editor (and edits and saves a
section, so that the editor's script runs), the recommendations (and flags one with htmx), the
matrix and its dashboard, the engagement, the members page (its confirm), and the API docs (Swagger
UI), and records every `securitypolicyviolation` event, every console error and every uncaught
JavaScript error. Zero of each: an inline script or style that came back would show here.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

# Runs before any page script; the listener is Playwright's, not the page's, so the policy allows it.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


class Recorder:
    def __init__(self, page) -> None:
        self.page = page
        self.problems: list[str] = []

        def on_console(m) -> None:
            if m.type == "error":
                self.problems.append(f"console: {m.text} @ {page.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda e: self.problems.append(f"js error: {e} @ {page.url}"))

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status == 200, url
        self.page.wait_for_load_state("networkidle")
        self.collect()

    def collect(self) -> None:
        for violation in self.page.evaluate("window.__violations || []"):
            self.problems.append(f"csp: {violation} @ {self.page.url}")
        self.page.evaluate("window.__violations = []")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_main_pages_run_without_a_csp_violation_or_a_js_error(asgi_server, chromium, security_world):
    world = security_world("Probe")
    p = world.personas
    slug, engagement = p.coalition.slug, p.engagement.pk
    base = asgi_server.url  # the ASGI application, as production serves it: pages and the editor's WebSocket
    context = chromium.new_context()
    context.add_init_script(LISTEN)
    page = context.new_page()
    recorder = Recorder(page)

    page.goto(f"{base}/accounts/login/")
    page.get_by_label(re.compile(r"^Email:?$")).fill(p.admin.email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
    recorder.collect()

    for path in (
        f"/c/{slug}/",
        f"/c/{slug}/engagements/{engagement}/documents/",
        f"/c/{slug}/engagements/{engagement}/",
        f"/c/{slug}/engagements/{engagement}/matrix/",
        f"/c/{slug}/engagements/{engagement}/matrix/dashboard/",
        f"/c/{slug}/engagements/{engagement}/matrix/rows/{world.ids['row_id']}/",
        f"/c/{slug}/audit/",
        f"/c/{slug}/recommendations/statistics/",
        "/api/docs/",
    ):
        recorder.visit(base + path)
    assert page.locator(".swagger-ui").count() == 1  # Swagger UI really ran under the policy

    # The live editor: it connects, takes over each text, and what is typed (bold too) is saved live.
    recorder.visit(f"{base}/c/{slug}/documents/{world.document.pk}/")
    page.wait_for_function("() => window.UPRLiveEditor && window.UPRLiveEditor.connected() && window.UPRLiveEditor.synced()")
    editable = page.locator('.live-text:not(.live-suggesting) .ProseMirror[contenteditable="true"]').first
    editable.click()
    page.keyboard.press("Control+b")
    page.keyboard.type(" More text.")
    page.wait_for_function("() => window.UPRLiveEditor.pending() === 0")
    expect(page.locator(".live-status")).not_to_have_text("")
    recorder.collect()
    assert page.locator(".count-panel").count() == 1

    # The recommendations: the priority flag is an htmx button (no eval, no injected style).
    recorder.visit(f"{base}/c/{slug}/recommendations/")
    flag = page.locator(".priority button").first
    if flag.count():
        flag.click()
        page.wait_for_load_state("networkidle")
        recorder.collect()

    # The members page: removing asks first (static/js/confirm.js, not an inline onsubmit).
    recorder.visit(f"{base}/c/{slug}/members/")
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    remove = page.locator("button[form='remove-member']").first
    if remove.count():
        remove.click()
        page.wait_for_timeout(200)
        assert asked, "the confirm did not run"
    recorder.collect()

    assert recorder.problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_recorder_sees_an_inline_script_refused(live_server, chromium, personas):
    """The check above can fail: a page with an inline script and a style attribute is reported."""
    context = chromium.new_context()
    context.add_init_script(LISTEN)
    page = context.new_page()
    recorder = Recorder(page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.x = 1';
                           document.body.appendChild(s); document.body.setAttribute('style', 'color: red'); }""")
    page.wait_for_timeout(200)
    recorder.collect()
    assert any(problem.startswith("csp: script-src") for problem in recorder.problems), recorder.problems
    assert any("style-src" in problem for problem in recorder.problems), recorder.problems
