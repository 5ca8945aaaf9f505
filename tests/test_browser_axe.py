"""Accessibility at zero: axe-core finds no violation of WCAG 2.0 and 2.1, levels A and AA (colour
contrast included), nor of its rules on headings and landmarks, on any main page, in English, French and
Spanish at a desktop's width, and in French on a phone (390 px). Each violation is printed with its rule, its help and the first elements it found.

axe-core comes from npm (frontend/package.json's devDependencies, pinned by frontend/package-lock.json)
and is vendored in tests/vendor/axe.min.js, because a fresh clone has no node_modules: a test below
checks that the vendored copy is the locked package.

How axe gets into pages whose Content-Security-Policy allows only the site's own scripts (no inline
script, no eval): Playwright's context.add_init_script, which the browser runs through its DevTools
protocol before the page's own scripts, outside the page's policy. The policy stays on (no bypass_csp):
`test_axe_runs_under_the_pages_content_security_policy` shows that the policy still refuses an inline
script in the same page, and that axe's run breaks none of it.

The translations are being written: where a French or Spanish page is still partly English, axe reads
it all the same (a page is checked for its structure, names and contrast, not for its words), and the
page must still say its language (<html lang>), which the test checks so that a page served in the
wrong language is not taken for a French one."""

from __future__ import annotations

import json
import re

import pytest

from . import browser_pages as bp
from .browsers import headless_chromium

FRONTEND = bp.ROOT / "frontend"

# Excuses for rules on given elements (rule id, a pattern of the element's selector). None today: the live
# editor's "H2" button, once named "Heading 2", is named "H2 (Heading 2)" (frontend/src/toolbar.js).
KNOWN: list[tuple[str, re.Pattern[str]]] = []

# (language, on a phone): every main page is loaded once per run. On a phone in French, whose longer words
# make more tables scroll sideways (a region that scrolls must be reachable by keyboard).
RUNS = [("en", False), ("fr", False), ("es", False), ("fr", True)]

# The page's policy, as seen by the page: every refusal is recorded (the listener is Playwright's, run
# before the page's scripts like axe itself).
LISTEN = """
window.__refused = [];
document.addEventListener("securitypolicyviolation", (e) => window.__refused.push(e.violatedDirective + " " + e.blockedURI));
"""


def locked_axe_version() -> str:
    lock = json.loads((FRONTEND / "package-lock.json").read_text())
    return lock["packages"]["node_modules/axe-core"]["version"]


def test_the_vendored_axe_is_the_locked_npm_package(frontend_node_modules):
    version = locked_axe_version()
    package = json.loads((FRONTEND / "package.json").read_text())
    assert package["devDependencies"]["axe-core"] == version, "package.json pins axe-core exactly, as the lockfile does"
    vendored = bp.AXE.read_bytes()
    assert vendored.startswith(f"/*! axe v{version}\n".encode()), (
        f"tests/vendor/axe.min.js is not axe-core {version}: copy frontend/node_modules/axe-core/axe.min.js there"
    )
    installed = frontend_node_modules / "axe-core"
    installed_version = json.loads((installed / "package.json").read_text())["version"]
    assert installed_version == version, (
        f"frontend/node_modules holds axe-core {installed_version}, not the locked {version}: run npm ci"
    )
    assert vendored == (installed / "axe.min.js").read_bytes(), (
        "tests/vendor/axe.min.js differs from the locked package: copy frontend/node_modules/axe-core/axe.min.js there"
    )


@pytest.fixture(scope="module")
def axe_browser():
    """One headless Chromium for the whole module."""
    with headless_chromium() as browser:
        yield browser


def with_axe(browser, base: str, **options):
    context = bp.new_context(browser, base, **options)
    context.add_init_script(LISTEN)
    context.add_init_script(path=str(bp.AXE))
    return context


def unexcused(violation: dict) -> dict | None:
    """The violation without the elements KNOWN excuses (None when nothing is left)."""
    nodes = [
        n
        for n in violation["nodes"]
        if not any(violation["id"] == rule and element.search(n["target"]) for rule, element in KNOWN)
    ]
    return {**violation, "nodes": nodes} if nodes else None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_axe_runs_under_the_pages_content_security_policy(asgi_server, axe_browser):
    context = with_axe(axe_browser, asgi_server.url)
    page = context.new_page()
    response = page.goto(f"{asgi_server.url}/accounts/login/")
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy, policy
    assert page.evaluate("typeof axe.run") == "function"
    results = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a']}}).then(r => r.passes.length)")
    assert results > 0  # axe ran its rules in the page
    assert page.evaluate("window.__refused") == []  # ... and the policy refused none of what it did
    # The policy is on in this very page: an inline script is refused, and said so.
    with pytest.raises(Exception):  # noqa: B017 (Playwright raises a plain Error for a refused script tag)
        page.add_script_tag(content="window.__inline = true;")
    assert page.evaluate("window.__inline") is None
    assert any(refused.startswith("script-src") for refused in page.evaluate("window.__refused"))
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("language", "phone"), RUNS, ids=[f"{lang}-{'phone' if phone else 'desktop'}" for lang, phone in RUNS])
def test_no_main_page_has_an_accessibility_violation(asgi_server, world, axe_browser, language, phone):
    contexts = {}
    problems: list[str] = []
    try:
        for spec in bp.main_pages(world):
            if spec.who not in contexts:
                user = world.people[spec.who] if spec.who else None
                contexts[spec.who] = with_axe(axe_browser, asgi_server.url, user=user, language=language, phone=phone)
            page = contexts[spec.who].new_page()
            bp.visit(page, asgi_server.url + spec.path, spec.ready)
            said = page.evaluate("document.documentElement.lang")
            if said != language:
                problems.append(f"{spec.name} ({spec.path}): served in {said!r}, not {language!r}")
            for violation in filter(None, map(unexcused, bp.run_axe(page))):
                problems.append(f"{spec.name} ({spec.path}): {bp.describe(violation)}")
            page.close()
    finally:
        for context in contexts.values():
            context.close()
    assert not problems, f"{len(problems)} accessibility problems ({language}, {'phone' if phone else 'desktop'}):\n" + "\n".join(
        problems
    )
