"""A walk through the product in French and in Spanish, in real Chromium: every page reachable from the
dashboard (and the pages a visitor sees) is read as a person sees it, and no English sentence or
label may be left on it.

What is on a page but not the product's own words is set aside first: whatever the people wrote
(every text held in the database: names, titles, recommendations as OHCHR publishes them in English,
notes). What remains is English when it is one of the catalogue's English messages whose translation
differs, or when it reads as an English sentence (two or more English-only words such as "the",
"your", "with").
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from coalitions.models import Role

from .helpers import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Words that are English and neither French nor Spanish (so "on", "no", "as", "an", "son" are not here).
ENGLISH_ONLY = frozenset(
    """the and of to with your you this that is are for from has have will not be by it was were
which who their its when what there these those been into only after before about than then them they we our should
would could must shall if but at in one""".split()
)
# Pages that are files, leave the site or change something on a GET.
SKIPPED = re.compile(r"/(api|admin|accounts/logout|feeds|static|media)/|\.(ics|csv|xlsx|docx|pdf|zip)$|/export|/download")
WALK_LIMIT = 60
# The page's own words: the text a person sees, less what is marked as written in another language
# (the language chooser names each language in itself, lang="en" on "English") and code to be typed
# as it is (the CSV template's column names).
VISIBLE_TEXT = """() => {
    const own = document.documentElement.lang;
    document.querySelectorAll('body [lang]').forEach(e => { if (e.lang && e.lang !== own) e.remove(); });
    document.querySelectorAll('body code, body kbd, body samp').forEach(e => e.remove());
    return document.body.innerText;
}"""


def shape(path: str) -> str:
    """Pages of one kind share a shape (/calendar/states/AUT/ and /calendar/states/BGR/): one of each is read."""
    return re.sub(r"/[A-Z]{3}/", "/ISO/", re.sub(r"/\d+/", "/N/", path))


def english_messages(language: str) -> frozenset[str]:
    """The catalogue's English messages whose translation into `language` differs (so that, left in
    English on a page, they show a string that escaped translation)."""
    catalogue = polib.pofile(str(settings.LOCALE_PATHS[0] / language / "LC_MESSAGES" / "django.po"))
    return frozenset(
        e.msgid.strip()
        for e in catalogue
        if e.msgstr and e.msgstr.strip() != e.msgid.strip() and len(e.msgid) > 3 and "%" not in e.msgid and "{" not in e.msgid
    )


def people_wrote() -> list[str]:
    """Every text the database holds (the people's words and the UN's reference data), longest first."""
    texts: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in {"accounts", "coalitions", "recommendations", "submissions", "implementation", "upr"}:
            continue
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]
        for row in model._default_manager.values_list(*fields) if fields else ():
            texts.update(str(value).strip() for value in row if value and len(str(value).strip()) > 2)
    return sorted(texts, key=len, reverse=True)


def untranslated(text: str, language: str, labels: frozenset[str], written: list[str]) -> list[str]:
    found = []
    for line in re.split(r"[\n\t]+", text):
        line = " ".join(line.split())
        if not line:
            continue
        rest = line
        for words in written:  # the people's words are theirs to write in any language
            if words in rest:
                rest = rest.replace(words, " ")
        if rest.strip() in labels:
            found.append(line)
            continue
        english = [w for w in re.findall(r"[A-Za-z']+", rest) if w.lower() in ENGLISH_ONLY]
        if len(set(map(str.lower, english))) >= 2 and len(rest.split()) >= 3:
            found.append(line)
    return found


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(locale="en-GB")  # the browser asks for English: the choice made must win
    yield context
    context.close()


def walk(page, start: str, base: str) -> dict[str, str]:
    """Each page of the site reachable from `start` (links only, a GET each), with its visible text."""
    seen: dict[str, str] = {}
    shapes: set[str] = set()
    queue = [start]
    while queue and len(seen) < WALK_LIMIT:
        url = queue.pop(0)
        path = urlsplit(url).path
        if shape(path) in shapes or SKIPPED.search(path):
            continue
        shapes.add(shape(path))
        response = page.goto(url)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        assert response.status < 500, url
        links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
        seen[path] = page.evaluate(VISIBLE_TEXT)
        for href in links:
            target = urljoin(url, href.split("#")[0])
            if target.startswith(base) and urlsplit(target).path not in seen and not urlsplit(target).query:
                queue.append(target)
    return seen


@pytest.mark.parametrize("language", ["fr", "es"])
def test_no_english_is_left_in_french_or_spanish(language, live_server, browser_page, world):
    admin = world.people[Role.ADMIN]
    admin.language = language  # kept on the account: it wins over the browser's English
    admin.save(update_fields=["language"])
    labels, written = english_messages(language), people_wrote()
    problems: dict[str, list[str]] = {}

    page = browser_page.new_page()
    for path in ("/", "/accounts/login/", "/accounts/password/reset/", "/calendar/"):  # a visitor, with the cookie
        browser_page.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.lang") == language
        if found := untranslated(page.evaluate(VISIBLE_TEXT), language, labels, written):
            problems[path] = found

    browser_page.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(admin), "url": live_server.url}])
    pages = walk(page, f"{live_server.url}/c/alpha/", live_server.url)
    pages.update(walk(page, f"{live_server.url}/deadlines/", live_server.url))
    assert len(pages) >= 25, sorted(pages)  # the walk reached the product, not only a login page
    for path, text in pages.items():
        if found := untranslated(text, language, labels, written):
            problems[path] = found
    assert not problems, "English left on these pages:\n" + "\n".join(
        f"{path}: {lines[:6]}" for path, lines in sorted(problems.items())
    )


def test_the_detector_finds_english_and_spares_the_peoples_words():
    labels = english_messages("fr")
    assert untranslated("Log in", "fr", labels, []) == ["Log in"]
    assert untranslated("Vos tâches\nThis page lists the tasks of your coalition", "fr", labels, []) == [
        "This page lists the tasks of your coalition"
    ]
    written = ["Ensure access to safe drinking water for all"]
    assert untranslated("Recommandation : Ensure access to safe drinking water for all", "fr", labels, written) == []
    assert untranslated("Se connecter\tTableau de bord", "fr", labels, []) == []
