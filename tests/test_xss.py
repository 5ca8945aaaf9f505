"""Stored XSS: a payload stored in every field a person can fill is shown as text, never run.

The world (conftest's security_world) puts the payload into every rendered field: rich text (section
bodies, the summary, footnotes), names (coalition, organisations, working group, people, document
titles, cluster names, task titles), comments, notes, evidence file names and titles, a
recommendation's text and its source, an import's file name and summary in the audit trail. Then
every page of the coalition is crawled as the admin and as the observer, following links, and each
HTML answer is parsed: no `<script>` carrying the payload, no element with an `onerror` attribute,
no `<img src="x">`. The same for the Word/PDF export's HTML and for every email the app sends.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core import mail

PAYLOAD = '<img src=x onerror=alert(1)>"><script>alert(1)</script>'
MAX_PAGES = 400


class InjectionFinder(HTMLParser):
    """Elements that only an unescaped payload could have made, and the page's links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.injected: list[str] = []
        self.links: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _value in attrs}
        values = dict(attrs)
        if any(name.startswith("on") for name in names):
            self.injected.append(f"<{tag}> with an event handler {sorted(names)}")
        if tag == "img" and values.get("src") == "x":
            self.injected.append("<img src=x>")
        self._in_script = tag == "script"
        # A JSON data block (json_script) is never run: a payload in it is harmless as long as it cannot
        # close the block, i.e. it holds no raw "<" (json_script writes \u003C).
        self._data_block = tag == "script" and values.get("type") == "application/json"
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and getattr(self, "_data_block", False):
            if "<" in data:
                self.injected.append(f"<script type=application/json> with a raw '<': {data[:60]}")
        elif self._in_script and "alert(1)" in data:
            self.injected.append(f"<script>{data[:60]}")


def injections(html: str) -> InjectionFinder:
    finder = InjectionFinder()
    finder.feed(html)
    finder.close()
    return finder


def crawl(client, start: list[str], slug: str) -> dict[str, list[str]]:
    """GET every page reachable from `start` inside the coalition (and the person's own pages);
    returns {url: injected elements} for every HTML page seen."""
    seen: dict[str, list[str]] = {}
    queue = list(start)
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code < 500, url
        if response.streaming or "text/html" not in response.get("Content-Type", ""):
            seen[url] = []
            continue
        found = injections(response.content.decode())
        seen[url] = found.injected
        for href in found.links:
            target = urlsplit(urljoin(url, href))
            if target.netloc or not target.path.startswith((f"/c/{slug}/", "/deadlines/", "/account/")):
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return seen


@pytest.mark.django_db
def test_the_payload_is_escaped_on_every_page_of_the_coalition(security_world, security_urls):
    world = security_world(PAYLOAD)
    p = world.personas
    start = ["/", "/deadlines/", *(url for _name, url, _view in security_urls(world) if not url.startswith("/api/"))]
    for user in (p.admin, p.observer):
        pages = crawl(p.client_for(user), start, p.coalition.slug)
        html_pages = [url for url in pages if url.startswith("/c/")]
        assert len(html_pages) >= 40, html_pages  # the crawl really walked the coalition
        assert {url: found for url, found in pages.items() if found} == {}
    # The payload really is on those pages, as text: the test would see it if it were not escaped.
    detail = p.client_for(p.admin).get(f"/c/{p.coalition.slug}/documents/{world.document.pk}/").content.decode()
    assert "Joint &lt;img src=x onerror=alert(1)&gt;" in detail


@pytest.mark.django_db
def test_the_sanitiser_strips_the_payload_from_rich_text_before_it_is_stored(security_world):
    world = security_world(PAYLOAD)
    section = world.document.sections.order_by("position").first()
    for html in (section.body, world.document.summary):
        assert "<script" not in html and "onerror" not in html
        assert injections(html).injected == []


@pytest.mark.django_db
def test_the_export_html_carries_the_payload_as_text_only(security_world):
    from submissions.export_pdf import render_html
    from submissions.selectors import document_outline

    world = security_world(PAYLOAD)
    html = render_html(document_outline(world.document))
    assert "Joint &lt;img src=x onerror=alert(1)&gt;" in html
    assert injections(html).injected == []


@pytest.mark.django_db
def test_emails_are_plain_text_and_carry_no_html_alternative(security_world, settings, django_capture_on_commit_callbacks):
    """Reminder and invitation emails name a task, a State and a coalition: plain text cannot run."""
    import datetime as dt

    from django.utils import timezone

    from coalitions import services
    from coalitions.models import Role
    from workplan import reminders

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world = security_world(PAYLOAD)
    p = world.personas
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(coalition=p.coalition, actor=p.admin, email="new@example.org", role=Role.MEMBER)
        reminders.sweep(now=timezone.now() + dt.timedelta(days=2, hours=23))
    assert mail.outbox, "no email was sent: the test would prove nothing"
    for message in mail.outbox:
        assert not getattr(message, "alternatives", []), message.subject
        assert message.content_subtype == "plain"
