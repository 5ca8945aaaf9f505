"""The first run's crawl: every page reachable by following links, and every API GET of the schema,
as each persona of the demo, under `make run`'s settings. Usage: python tests/first_run/crawl.py REPORT.json

Links are followed breadth-first from the coalition's dashboard and the home page: every same-site
`href`, `src` and htmx `hx-get` of every HTML page, every redirect, and every search or filter form
(method GET) sent as it stands and with each field filled in turn. A URL is visited once (path +
query), and at most PER_ROUTE URLs of one route with the same filled-in query parameters, so that 632
recommendations or 20 pages of a list are sampled, not each walked; an export once per address. The
API's paths come from /api/schema/; their ids are taken from the list endpoint above each (the
demo's own objects). A stranger (not logged in) is crawled too.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter, deque
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from common import HOST, PERSONAS, Failure, describe, logged_in, write_report
from django.conf import settings
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.test import Client
from django.urls import Resolver404, resolve

START = ["/c/demo/", "/"]
PER_ROUTE = 3
MAX_REQUESTS = 700  # per persona, a guard against a page that links to ever new addresses (the demo needs ~150)
# Logging out would end the crawl; these stream a stored file and are read back by the journeys instead.
SKIPPED_ROUTES = {"account_logout", "documents:export_download", "documents:snapshot", "implementation:evidence"}
# The exports (CSV, XLSX, Word, PDF made on request) take most of the crawl's time: they are fetched as
# the persona who sees most and the one who sees least, not as every persona.
EXPORTING = {"admin", "observer"}
# What the report says besides the failures: the routes reached, and the slowest requests.
VISITED: set[str] = set()
SLOWEST: list[tuple[float, str]] = []


class Links(HTMLParser):
    """The URLs a browser would fetch or a person could follow from one page: links, and each form
    that searches or filters (method GET), sent as it stands and then with one field at a time filled
    in (the first choice of a list, a word in a text box)."""

    ATTRIBUTES = {"href", "src", "hx-get"}
    WORD = "water"

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.forms: dict[str, list[str]] = {}  # action: the URLs of its variants
        self.form: dict[str, Any] | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.found.extend(value for name, value in attrs if name in self.ATTRIBUTES and value)
        if tag == "form" and (attributes.get("method") or "get").lower() == "get":
            self.form = {"action": attributes.get("action") or "", "as_is": {}, "choice": {}}
        if self.form is None:
            return
        name, value = attributes.get("name"), attributes.get("value") or ""
        kind = (attributes.get("type") or "text").lower()
        if tag == "option" and self.select:
            if "selected" in attributes:
                self.form["as_is"][self.select] = value
            self.form["choice"].setdefault(self.select, value or None)
            if value and not self.form["choice"][self.select]:
                self.form["choice"][self.select] = value
        elif not name:
            return
        elif tag == "input" and kind in ("checkbox", "radio"):
            self.form["as_is"].setdefault(name, "")
            if "checked" in attributes:
                self.form["as_is"][name] = value or "on"
            self.form["choice"].setdefault(name, value or "on")
        elif tag == "input" and kind not in ("submit", "button", "reset", "file", "image"):
            self.form["as_is"][name] = value
            self.form["choice"][name] = self.WORD if kind in ("text", "search") else value
        elif tag == "textarea":
            self.form["as_is"][name], self.form["choice"][name] = "", self.WORD
        elif tag == "select":
            self.select = name
            self.form["as_is"].setdefault(name, "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        if tag == "form" and self.form is not None:
            action, as_is = self.form["action"].split("?")[0], self.form["as_is"]
            variants = self.forms.setdefault(action, [f"{action}?{urlencode(as_is)}"])
            for name, value in self.form["choice"].items():
                if value and value != as_is.get(name):
                    variants.append(f"{action}?{urlencode({**as_is, name: value})}")
            self.form = None


def same_site(base: str, link: str) -> str | None:
    """The link as path?query when it stays on the site, else None."""
    if link.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(urljoin(base, link))
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", HOST, f"{HOST}:8000", "testserver"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def route_of(url: str) -> tuple[str, str] | None:
    """(route name, the query parameters given a value), or None for a URL that resolves to no view."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    keys = ",".join(sorted({key for key, value in parse_qsl(parts.query) if value}))
    return match.view_name, keys


def limit(route: str) -> int:
    """Each list, filter and detail page a few times; a file made on request (an export) once."""
    return 1 if is_export(route) or route.endswith("template") else PER_ROUTE


def fetch(client: Client, url: str, failures: list[Failure]) -> HttpResponseBase | None:
    """GET one URL and read it to the end (a streamed export fails only while it streams)."""
    started = time.monotonic()
    try:
        response = client.get(url)
        if isinstance(response, StreamingHttpResponse):  # a streamed file or export
            b"".join(response.streaming_content)
        SLOWEST.append((round(time.monotonic() - started, 2), url))
    except Exception as exc:  # every failure is reported, not only the first
        failures.append(Failure("GET", url, None, describe(exc)))
        return None
    if response.status_code >= 500:
        body = response.content if isinstance(response, HttpResponse) else b""  # a streamed one was read above
        failures.append(Failure("GET", url, response.status_code, body[:300].decode(errors="replace")))
    return response


def is_export(route: str) -> bool:
    """A file made on request (export.csv, export/pdf/), not the list of a document's export jobs."""
    return re.search(r"export(?![s-])", route) is not None


def crawl_pages(client: Client, failures: list[Failure], statics: set[str], *, exports: bool) -> tuple[int, int]:
    """(requests made, addresses left unvisited when MAX_REQUESTS was reached)."""
    queue: deque[str] = deque(START)
    seen: set[str] = set(START)
    per_route: Counter[tuple[str, str]] = Counter()
    forms_sent: set[str] = set()  # a form's variants are sent from the first page that shows it
    requests = 0
    while queue and requests < MAX_REQUESTS:
        url = queue.popleft()
        requests += 1
        response = fetch(client, url, failures)
        if response is None:
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            links = [response["Location"]]
        elif "text/html" in response.get("Content-Type", "") and isinstance(response, HttpResponse):  # not streamed
            parser = Links()
            parser.feed(response.content.decode(errors="replace"))
            links = parser.found
            for action, variants in parser.forms.items():
                form_route = route_of(urlsplit(urljoin(url, action or url)).path)
                if form_route and form_route[0] not in forms_sent:
                    forms_sent.add(form_route[0])
                    links += variants
        else:
            continue
        for link in links:
            target = same_site(url, link)
            if target is None or target in seen:
                continue
            seen.add(target)
            if target.startswith(settings.STATIC_URL if settings.STATIC_URL.startswith("/") else f"/{settings.STATIC_URL}"):
                statics.add(target.split("?")[0])
                continue
            route = route_of(target)
            if route is not None and limit(route[0]) == 1:
                route = (route[0], urlsplit(target).path)  # a file made on request: each once, whatever it filters
            if (
                route is None
                or route[0] in SKIPPED_ROUTES
                or per_route[route] >= limit(route[0])
                or (is_export(route[0]) and not exports)
            ):
                continue
            per_route[route] += 1
            queue.append(target)
    VISITED.update(name for name, _ in per_route)
    return requests, len(queue)


def alternatives(parameter: dict[str, Any]) -> list[str]:
    """The values the schema allows a path parameter that is not an id (an enum, or a pattern a|b|c)."""
    schema = parameter.get("schema", {})
    if "enum" in schema:
        return [str(v) for v in schema["enum"]]
    if "pattern" in schema:
        return [v for v in re.sub(r"[\^\$\(\)]", "", schema["pattern"]).split("|") if v]
    return []


def items_of(client: Client, url: str, failures: list[Failure]) -> list[dict[str, Any]]:
    """The objects of a list endpoint's first page (paginated or not)."""
    response = fetch(client, url, failures)
    if response is None or response.status_code != 200:
        return []
    assert isinstance(response, HttpResponse)  # the API's lists are not streamed
    body = json.loads(response.content)
    rows = body.get("results", []) if isinstance(body, dict) else body
    return [row for row in rows if isinstance(row, dict)]


def crawl_api(client: Client, failures: list[Failure], *, exports: bool) -> int:
    """Every GET of the schema, each path parameter filled from the list above it (or the values the
    schema allows). The number of requests made."""
    schema_response = fetch(client, "/api/schema/?format=json", failures)
    if schema_response is None or schema_response.status_code != 200:
        return 1
    assert isinstance(schema_response, HttpResponse)  # the schema is not streamed
    paths = json.loads(schema_response.content)["paths"]
    requests = 1
    for template, operations in sorted(paths.items()):
        if "get" not in operations or is_export(template) and not exports:
            continue
        urls = [template.replace("{coalition_slug}", "demo")]
        for parameter in operations["get"].get("parameters", []):
            name = parameter["name"]
            if parameter["in"] != "path" or name == "coalition_slug":
                continue
            expanded = []
            for url in urls:
                marker = "{" + name + "}"
                values = alternatives(parameter)
                if not values:
                    listing = url[: url.index(marker)]
                    requests += 1
                    rows = items_of(client, listing, failures)
                    values = [str(row[name]) for row in rows[:1] + rows[-1:] if name in row]
                expanded += [url.replace(marker, value) for value in dict.fromkeys(values)]
            urls = expanded
        for url in urls:
            requests += 1
            fetch(client, url, failures)
    return requests


def main() -> None:
    report: dict[str, Any] = {"personas": {}, "failures": [], "static_missing": []}
    statics: set[str] = set()
    for persona in [*PERSONAS, "anonymous"]:
        started = time.monotonic()
        client = Client(HTTP_HOST=HOST) if persona == "anonymous" else logged_in(persona)
        failures: list[Failure] = []
        pages, left = crawl_pages(client, failures, statics, exports=persona in EXPORTING)
        api = crawl_api(client, failures, exports=persona in EXPORTING)
        report["personas"][persona] = {"pages": pages, "api": api, "left": left, "seconds": round(time.monotonic() - started, 1)}
        report["failures"] += [dict(f.as_dict(), persona=persona) for f in failures]
    anonymous = Client(HTTP_HOST=HOST)
    for url in sorted(statics):
        response = anonymous.get(url)
        if response.status_code != 200:
            report["static_missing"].append({"url": url, "status": response.status_code})
    report["statics"] = len(statics)
    report["visited"] = sorted(VISITED)
    report["slowest"] = sorted(SLOWEST, reverse=True)[:15]
    write_report(report)
    print(json.dumps(report["personas"]), file=sys.stderr)


if __name__ == "__main__":
    main()
