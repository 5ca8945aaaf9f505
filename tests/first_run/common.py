"""What the first-run scripts share: Django under the settings of `make run`, the four personas, their
login, and the reading and sending of a page's forms.

These scripts run in a subprocess of tests/test_first_run.py (never collected by pytest), so that the
app runs exactly as `make run` serves it: `hub.settings.dev` on the SQLite file of DATABASE_URL, tasks
in-process, no PostgreSQL. Each writes what it found as JSON to the path given as its argument.
"""

from __future__ import annotations

import json
import os
import re
import sys
import traceback
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from demo.management.commands.load_demo import (  # noqa: E402
    DEMO_EMAIL,
    DEMO_PASSWORD,
    EDITOR_EMAIL,
    MEMBER_EMAIL,
    OBSERVER_EMAIL,
)

# The host `make run` serves (runserver 127.0.0.1:8000); the test client's "testserver" is not allowed.
HOST = "127.0.0.1"
PERSONAS = {"admin": DEMO_EMAIL, "editor": EDITOR_EMAIL, "member": MEMBER_EMAIL, "observer": OBSERVER_EMAIL}
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Failure:
    """A server error (status >= 500) or an exception raised by a request."""

    method: str
    url: str
    status: int | None
    error: str

    def as_dict(self) -> dict[str, Any]:
        return {"method": self.method, "url": self.url, "status": self.status, "error": self.error}


def logged_in(persona: str, *, enforce_csrf_checks: bool = False) -> Client:
    """A browser of one persona, logged in through the login form as a person would."""
    client = Client(HTTP_HOST=HOST, enforce_csrf_checks=enforce_csrf_checks)
    page = client.get("/accounts/login/")
    data = {"login": PERSONAS[persona], "password": DEMO_PASSWORD}
    token = CSRF_FIELD.search(page.content.decode())
    if token:
        data["csrfmiddlewaretoken"] = token.group(1)
    response = client.post("/accounts/login/", data)
    if response.status_code != 302 or "_auth_user_id" not in client.session:
        raise RuntimeError(f"{persona} could not log in: {response.status_code}")
    return client


def describe(exc: BaseException) -> str:
    """The exception and the frame of our code that raised it (not Django's), on one line."""
    ours = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if f.filename.startswith(str(ROOT)) and "site-packages" not in f.filename
    ]  # make's .venv is in ROOT
    where = f" at {Path(ours[-1].filename).relative_to(ROOT)}:{ours[-1].lineno}" if ours else ""
    return f"{type(exc).__name__}: {exc}{where}"


def write_report(report: dict[str, Any]) -> None:
    Path(sys.argv[1]).write_text(json.dumps(report, indent=1))


class PostForms(HTMLParser):
    """The forms of a page that send with POST, as a browser would send each untouched: hidden and
    filled fields, ticked boxes, the chosen (else first) option of each list, the text of each box."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.form: dict[str, Any] | None = None
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form" and attributes.get("method", "").lower() == "post":
            self.form = {"action": attributes.get("action", ""), "fields": {}, "options": {}}
            self.forms.append(self.form)
        if self.form is None:
            return
        fields, name = self.form["fields"], attributes.get("name")
        kind = attributes.get("type", "text").lower()
        if tag == "option" and self.select:
            self.form["options"].setdefault(self.select, []).append(attributes.get("value", ""))
            if "selected" in attributes or self.select not in fields:
                fields[self.select] = attributes.get("value", "")
        elif not name:
            return
        elif tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in attributes:
                fields.setdefault(name, []).append(attributes.get("value") or "on")
        elif tag == "input" and kind not in ("submit", "button", "reset", "file", "image"):
            fields[name] = attributes.get("value", "")
        elif tag == "textarea":
            self.textarea, fields[name] = name, ""
        elif tag == "select":
            self.select = name

    def handle_data(self, data: str) -> None:
        if self.form is not None and self.textarea:
            self.form["fields"][self.textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.form = None


def post_form(client: Client, page: str, action: str | None, changes: dict[str, Any], **extra: Any) -> Any:
    """Open `page`, take its POST form whose action matches the pattern `action` (None: the form that
    sends to the page itself), change some of its fields (files too) and send it, with the CSRF token
    the page gave, as the person's browser would."""
    response = client.get(page)
    if response.status_code != 200:
        raise AssertionError(f"GET {page} answered {response.status_code}")
    parser = PostForms()
    parser.feed(response.content.decode())
    forms = [f for f in parser.forms if (f["action"] in ("", page) if action is None else re.search(action, f["action"]))]
    if not forms:
        raise AssertionError(f"{page} has no form sending to {action!r} (forms: {[f['action'] for f in parser.forms]})")
    data = {**forms[0]["fields"], **changes}
    return client.post(forms[0]["action"] or page, data, **extra)
