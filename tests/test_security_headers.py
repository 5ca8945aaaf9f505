"""Security headers on every HTML answer, and templates that need no inline script or style.

The Content-Security-Policy refuses inline script and style (hub/settings/base.py): a template
that brings one back would break in the browser (test_browser_csp.py shows it) and would reopen
the door that the policy shuts on stored XSS. The grep below fails first, with the file and line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("*/templates")]
INLINE = [
    # A JSON data block (type="application/json") is never run: the live editor reads its strings from one.
    (re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\btype=\"application/json\")[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "a style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler"),
    (re.compile(r"\shx-on", re.I), "an hx-on attribute (inline script)"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


# Templates that only WeasyPrint reads (it needs the styles inline and runs no script).
PDF_ONLY = {"implementation/scorecard.html"}


def policy(header: str) -> dict[str, str]:
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in (p.strip() for p in header.split(";")) if part}


def assert_secure_headers(response, url: str) -> None:
    csp = policy(response["Content-Security-Policy"])
    for directive, value in EXPECTED_CSP.items():
        assert csp.get(directive) == value, (url, directive, csp.get(directive))
    assert "unsafe-inline" not in response["Content-Security-Policy"], url
    assert response["X-Content-Type-Options"] == "nosniff", url
    assert response["Referrer-Policy"] == "same-origin", url
    assert response["X-Frame-Options"] == "DENY", url
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", url
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"], url


@pytest.mark.django_db
def test_every_html_page_of_the_coalition_carries_the_security_headers(security_world, security_urls):
    world = security_world("Probe")
    client = world.personas.client_for(world.personas.admin)
    pages = ["/", "/deadlines/", "/calendar/", "/account/profile/", "/account/reminders/", "/coalitions/new/"]
    pages += [url for _name, url, _view in security_urls(world) if not url.startswith("/api/")]
    seen = 0
    for url in pages:
        response = client.get(url)
        if response.streaming or "text/html" not in response.get("Content-Type", ""):
            continue
        assert_secure_headers(response, url)
        seen += 1
    assert seen >= 40


@pytest.mark.django_db
def test_anonymous_pages_and_errors_carry_them_too(client, personas):
    for url in ("/accounts/login/", "/accounts/password/reset/", "/c/alpha/members/", "/no-such-page/"):
        response = client.get(url, follow=url.startswith("/c/"))
        assert_secure_headers(response, url)
    assert client.get("/no-such-page/").status_code == 404


@pytest.mark.django_db
def test_the_api_docs_page_runs_under_the_same_policy(client, personas):
    """Swagger UI's page is drf-spectacular's split view with its inline style moved to a file
    (templates/drf_spectacular/swagger_ui.html), so it needs no exception to the policy."""
    client.force_login(personas.admin)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert_secure_headers(page, "/api/docs/")
    html = page.content.decode()
    assert "<style" not in html and re.search(r"<script>", html) is None
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_no_template_has_inline_script_handlers_or_style():
    found = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            if path.relative_to(folder).as_posix() in PDF_ONLY or "export" in path.relative_to(folder).parts:
                continue  # WeasyPrint's input for a PDF: never served to a browser
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for pattern, what in INLINE:
                    if pattern.search(line):
                        found.append(f"{path.relative_to(settings.BASE_DIR)}:{number}: {what}")
    assert found == [], "\n".join(found)


def test_no_python_rendered_html_has_inline_script_handlers_or_style():
    """Some hot pages build rows in Python (rows.py, page.py): they must follow the same rule."""
    found = []
    for path in Path(settings.BASE_DIR).glob("*/*.py"):
        if path.parts[-2] in ("tests", "benchmarks") or path.name.startswith("export"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "'<" not in line and '"<' not in line and "f'<" not in line:
                continue
            for pattern, what in INLINE[2:4]:
                if pattern.search(line):
                    found.append(f"{path.relative_to(settings.BASE_DIR)}:{number}: {what}")
    assert found == [], "\n".join(found)


def test_htmx_is_told_not_to_inject_its_style_nor_to_eval():
    base = (Path(settings.BASE_DIR) / "templates" / "base.html").read_text(encoding="utf-8")
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'>', base)
    assert config, "htmx would inject a <style> element, which the policy refuses"
    import json

    values = json.loads(config.group(1))
    assert values["includeIndicatorStyles"] is False and values["allowEval"] is False


def test_production_settings_keep_the_headers():
    import subprocess
    import sys

    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "assert 'csp.middleware.CSPMiddleware' in s.MIDDLEWARE; assert 'upr.headers.SecurityHeadersMiddleware' in s.MIDDLEWARE; "
        "assert s.SECURE_HSTS_SECONDS > 0 and s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE; print('ok')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env={
            "DJANGO_SETTINGS_MODULE": "hub.settings.production",
            "SECRET_KEY": "x" * 60,
            "PATH": "/usr/bin:/bin",
            "ALLOWED_HOSTS": "example.org",
        },
    )
    assert result.stdout.strip() == "ok", result.stderr
