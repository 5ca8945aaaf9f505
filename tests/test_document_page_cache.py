"""The document page kept whole and compressed per browser (submissions.views.documents.document_detail,
upr/packed_page.py): what a browser is sent from the cache works as a freshly rendered page does.

* Its forms post: the CSRF token in a cached page is this browser's, for each of a person's browsers.
* It is gzip for a browser that accepts it, padded to a different length on each response (BREACH), and
  the same page as the uncompressed one.
* The request's messages are shown once, in a page that is otherwise the cached one.
"""

from __future__ import annotations

import gzip
import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from submissions.models import Section

from .helpers import body_of, joint_submission

BROWSER = "gzip, deflate, br, zstd"  # what Chromium sends
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _document(personas) -> tuple[int, Section]:
    document = joint_submission(personas, group_first=False, body="<p>The right to an effective remedy.</p>")
    return document.pk, document.sections.order_by("position").first()


def _browser(personas) -> Client:
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_ENCODING=BROWSER)
    client.force_login(personas.admin)
    return client


def _page(client: Client, document: int) -> str:
    response = client.get(f"/c/alpha/documents/{document}/")
    assert response.status_code == 200
    return body_of(response).decode()


def test_a_second_view_comes_from_the_cache_and_its_forms_post(personas):
    document, section = _document(personas)
    browser = _browser(personas)
    assert "csrftoken" not in browser.cookies
    _page(browser, document)  # a first visit: given its CSRF cookie, its page is not kept
    with CaptureQueriesContext(connection) as second_view:
        kept = _page(browser, document)  # rendered, and kept for this browser
    with CaptureQueriesContext(connection) as third_view:
        cached = _page(browser, document)
    assert any("submissions_section" in query["sql"] for query in second_view.captured_queries)
    assert len(third_view) < 8  # served from the cache: nothing of the document is read
    assert not any("submissions_section" in query["sql"] for query in third_view.captured_queries)
    assert cached == kept  # the same page, token included: it was kept for this browser
    renamed = browser.post(
        f"/c/alpha/documents/{document}/sections/{section.pk}/",
        {"csrfmiddlewaretoken": TOKEN.search(cached).group(1), "base_version": section.version, "title": "Remedies"},
    )
    assert renamed.status_code == 302, renamed.content[:300]  # not 403: the token of the cached page is valid
    assert Section.objects.get(pk=section.pk).title == "Remedies"


def test_each_browser_of_a_person_gets_a_page_with_its_own_token(personas):
    document, section = _document(personas)
    laptop, phone = _browser(personas), _browser(personas)
    _page(laptop, document), _page(phone, document)  # each is given its CSRF cookie
    laptop_page, phone_page = _page(laptop, document), _page(phone, document)
    laptop_token, phone_token = TOKEN.search(laptop_page).group(1), TOKEN.search(phone_page).group(1)
    assert laptop_token != phone_token
    # The phone's token with the laptop's cookie is refused; each with its own is accepted.
    refused = laptop.post(
        f"/c/alpha/documents/{document}/sections/{section.pk}/",
        {"csrfmiddlewaretoken": phone_token, "base_version": section.version, "title": "Refused"},
    )
    assert refused.status_code == 403
    for browser, token, title in ((phone, phone_token, "From the phone"), (laptop, laptop_token, "From the laptop")):
        _page(browser, document)  # from the cache again
        version = Section.objects.get(pk=section.pk).version
        saved = browser.post(
            f"/c/alpha/documents/{document}/sections/{section.pk}/",
            {"csrfmiddlewaretoken": token, "base_version": version, "title": title},
        )
        assert saved.status_code == 302
        assert Section.objects.get(pk=section.pk).title == title


def test_the_compressed_page_is_the_page_padded_differently_each_time(personas):
    document, _section = _document(personas)
    browser = _browser(personas)
    _page(browser, document)  # given its CSRF cookie
    responses = [browser.get(f"/c/alpha/documents/{document}/") for _ in range(8)]
    for response in responses:
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"] and "Cookie" in response["Vary"]
        assert int(response["Content-Length"]) == len(response.content)
    pages = {gzip.decompress(response.content) for response in responses}
    assert len(pages) == 1  # one page...
    assert len({len(response.content) for response in responses}) > 1  # ...sent in lengths that vary
    page = pages.pop().decode()
    assert "The right to an effective remedy." in page and page.rstrip().endswith("</html>")
    plain = Client(enforce_csrf_checks=True)  # a client that does not accept gzip gets the same page uncompressed
    plain.cookies = browser.cookies
    response = plain.get(f"/c/alpha/documents/{document}/")
    assert "Content-Encoding" not in response and response.content.decode() == page


def test_the_requests_messages_are_shown_once_in_the_kept_page(personas):
    document, section = _document(personas)
    browser = _browser(personas)
    page = _page(browser, document)
    assert "Section saved." not in page and "notices" not in page  # no marker left where messages go
    saved = browser.post(
        f"/c/alpha/documents/{document}/sections/{section.pk}/",
        {"csrfmiddlewaretoken": TOKEN.search(page).group(1), "base_version": section.version, "title": "Remedies"},
    )
    assert saved.status_code == 302
    with_message = _page(browser, document)  # sent uncompressed by the view, then gzipped by the middleware
    assert with_message.count("Section saved.") == 1 and "notices" not in with_message
    assert re.search(r'<main id="main" tabindex="-1">\s*<div class="messages" role="status"', with_message)
    with CaptureQueriesContext(connection) as next_view:
        after = _page(browser, document)
    assert "Section saved." not in after  # shown once
    assert not any("submissions_section" in query["sql"] for query in next_view.captured_queries)  # the kept page
    without = re.sub(r'<div class="messages".*?</div>', "", with_message, flags=re.S)
    assert re.sub(r"\s+", " ", after) == re.sub(r"\s+", " ", without)  # otherwise the same page
