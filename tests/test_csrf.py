"""CSRF: no state-changing request is accepted without the page's token.

A client that enforces CSRF checks (as a browser does for a forged cross-site form) posts, as the
logged-in admin, the admin's own forms without their token to every write URL of the coalition,
every account page and the session-authenticated API: each gets 403 and nothing changes. Only DRF's
views are csrf_exempt, and DRF enforces CSRF itself for session-authenticated requests (a token-
authenticated client is not a browser: no cookie rides along, so there is nothing to forge).
"""

from __future__ import annotations

import json

import pytest
from django.core import signing
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authentication import SessionAuthentication
from rest_framework.views import APIView

from coalitions.models import AuditEvent


def all_views(patterns=None):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from all_views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield str(pattern.pattern), pattern.callback


def enforcing_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def account_posts(personas) -> dict[str, dict]:
    """The write URLs outside a coalition, with a body each would accept with its token."""
    from workplan.reminders import PREFERENCES_SALT

    signed = signing.dumps(personas.admin.pk, salt=PREFERENCES_SALT)
    return {
        "/coalitions/new/": {"name": "Forged", "slug": "forged"},
        "/account/profile/": {"name": "Forged", "time_zone": "UTC"},
        "/account/api-token/": {},
        "/account/calendar-feed/": {},
        "/account/reminders/": {"delivery": "off"},
        f"/reminders/{signed}/": {"delivery": "off"},
        "/i18n/setlang/": {"language": "fr"},
        "/accounts/logout/": {},
        "/accounts/email/": {"email": "forged@example.org", "action_add": ""},
        "/accounts/password/change/": {"oldpassword": "x", "password1": "y", "password2": "y"},
    }


@pytest.mark.django_db
def test_every_coalition_form_posted_without_its_token_is_refused(security_world, security_urls, page_forms):
    world = security_world("Probe")
    p = world.personas
    normal = p.client_for(p.admin)
    forms: dict[str, dict] = {}
    for _name, url, _view in security_urls(world):
        if url.startswith("/api/"):
            continue
        page = normal.get(url)
        if page.status_code == 200 and not page.streaming and "text/html" in page.get("Content-Type", ""):
            for action, fields in page_forms(page.content.decode(), "http://testserver" + url):
                data: dict = {}
                for field, value, kind in fields:
                    if value is not None and kind != "file" and field != "csrfmiddlewaretoken":
                        data.setdefault(field, []).append(value)
                forms.setdefault(action.replace("http://testserver", ""), data)
    forged = enforcing_client(p.admin)
    refused = []
    events = AuditEvent.objects.count()
    for url, data in forms.items():
        response = forged.post(url, data)
        refused.append((url, response.status_code))
    assert [r for r in refused if r[1] != 403] == []
    assert len(refused) >= 25, refused  # the admin's pages have that many forms
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_every_account_write_posted_without_a_token_is_refused(personas):
    forged = enforcing_client(personas.admin)
    for url, data in account_posts(personas).items():
        assert forged.post(url, data).status_code == 403, url
    personas.admin.refresh_from_db()
    assert personas.admin.name != "Forged"
    assert forged.get("/account/profile/").status_code == 200  # still logged in: the logout was refused


@pytest.mark.django_db
def test_the_session_authenticated_api_refuses_a_write_without_the_token(security_world, security_urls):
    world = security_world("Probe")
    forged = enforcing_client(world.personas.admin)
    events = AuditEvent.objects.count()
    checked = 0
    for _name, url, view in security_urls(world):
        for method in sorted(m for m in (getattr(view, "actions", None) or {}) if m not in ("get", "head", "options")):
            response = getattr(forged, method)(url, json.dumps({}), content_type="application/json")
            assert response.status_code == 403, (url, method, response.status_code)
            assert "CSRF" in response.json()["detail"], url
            checked += 1
    assert checked >= 40
    assert AuditEvent.objects.count() == events


def test_only_drf_views_are_csrf_exempt_and_drf_enforces_it_for_sessions(settings):
    exempt = [(route, view) for route, view in all_views() if getattr(view, "csrf_exempt", False)]
    assert exempt, "DRF's views are expected here"
    for route, view in exempt:
        assert issubclass(getattr(view, "cls", object), APIView), route
    assert "rest_framework.authentication.SessionAuthentication" in settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]
    assert SessionAuthentication.enforce_csrf  # DRF checks the token itself for cookie-authenticated writes


@pytest.mark.django_db
def test_the_signed_preferences_link_changes_nothing_on_get(personas):
    """The link in a reminder opens the preferences page; only a POST of that page (with its token)
    changes them, so a mail scanner that follows the link unsubscribes nobody."""
    from workplan.models import ReminderPreference
    from workplan.reminders import PREFERENCES_SALT

    signed = signing.dumps(personas.admin.pk, salt=PREFERENCES_SALT)
    before = list(ReminderPreference.objects.values())
    response = Client(enforce_csrf_checks=True).get(f"/reminders/{signed}/?delivery=off")
    assert response.status_code == 200
    assert list(ReminderPreference.objects.values()) == before
