"""A section's word budget in real headless Chromium: the count panel marks the section over its
budget live as its editor types past it, and clears the mark as they trim back; writing goes on."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from submissions.models import Section

from .browsers import caret_after, wait_saved

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_panel_marks_a_section_over_its_budget_live_and_clears_it(live, personas):
    page = live.open(personas.editor)
    row = page.locator(f'tr[data-part="{live.room}"]')
    shown = int(row.locator("[data-counted]").inner_text())  # what the budget is compared with
    Section.objects.filter(pk=live.section.pk).update(word_budget=shown + 2)
    page.reload()
    page.wait_for_function("() => window.UPRLiveEditor.connected() && window.UPRLiveEditor.synced()")
    expect(row).to_have_attribute("data-budget", str(shown + 2))
    expect(row).not_to_have_class(re.compile(r"\bover-budget\b"))
    caret_after(page, live, "Second paragraph")
    page.keyboard.type(" one two three four five", delay=10)
    expect(row).to_have_class(re.compile(r"\bover-budget\b"))
    expect(row.locator("[data-budget-over]")).to_have_text("Over its budget by 3 words")
    wait_saved(page)  # the words over the budget are kept: a budget never blocks writing
    for _ in range(len(" three four five")):  # back to the budget exactly
        page.keyboard.press("Backspace")
    expect(row).not_to_have_class(re.compile(r"\bover-budget\b"))
    expect(row.locator("[data-budget-over]")).to_have_text("")
    wait_saved(page)
    assert "one two" in live.stored_html() and "three" not in live.stored_html()
