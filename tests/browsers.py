"""Headless Chromium for the browser tests, and what they do in a page again and again.

Plain helpers, no fixtures (those live in conftest.py: `chromium` launches through `headless_chromium`
here). The launch and its flags are written once: every browser test, of a function or of a module,
gets its Chromium from `headless_chromium()`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"  # Debian's Chromium: no browser download
# No sandbox (containers), no GPU, and none of the browser's own traffic (updates, sync) during a test.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# The live editor of the page is connected and holds the server's text.
LIVE_READY = "() => window.UPRLiveEditor && window.UPRLiveEditor.connected() && window.UPRLiveEditor.synced()"


@contextmanager
def headless_chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright's sync API; closed on the way out.

    Playwright's sync API runs an event loop in this thread while the browser is open: Django is told
    that the ORM calls the test makes meanwhile are not made from async code (they are sequential)."""
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def log_in(page: Any, base: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login form, as a person does (the factories' users share PASSWORD)."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_label(re.compile(r"^Email:?$")).fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


# --- the live editor in a page ----------------------------------------------------------------------


def wait_synced(page: Any, timeout: float = 15) -> None:
    page.wait_for_function(LIVE_READY, timeout=timeout * 1000)


def wait_saved(page: Any, timeout: float = 15) -> None:
    """Every change of the page acknowledged by the server (stored)."""
    page.wait_for_function(
        "() => window.UPRLiveEditor.connected() && window.UPRLiveEditor.pending() === 0", timeout=timeout * 1000
    )


def html_of(page: Any, room: str) -> str:
    """The text of a room as the page's editor holds it."""
    return page.evaluate("(room) => window.UPRLiveEditor.htmlOf(room)", room)


def caret_after(page: Any, live: Any, words: str) -> None:
    """Puts the caret just after `words` in the `live` fixture's section (searched in the editor's text)."""
    page.evaluate(
        """([room, words]) => {
        const editor = window.UPRLiveEditor.rooms[room].editor;
        let found = null;
        editor.state.doc.descendants((node, pos) => {
            if (found === null && node.isText && node.text.includes(words)) found = pos + node.text.indexOf(words) + words.length;
        });
        editor.commands.focus();
        editor.commands.setTextSelection(found);
    }""",
        [live.room, words],
    )
    # TipTap focuses on the next frame: keys pressed before then would go to the page, not the text.
    page.wait_for_function("() => document.activeElement && document.activeElement.classList.contains('ProseMirror')")
