"""Careless and hostile input in every form: a clear error, never a server error, nothing half saved.

Every POST form on the coalition's pages (as the admin sees them, with their values) is posted with,
in turn, each of its fields set to a 100,000-character string, and each date or time field set to
malformed dates ("2026-02-30", "31/12/2026", full-width digits, "0000-00-00", "9999-99-99",
"2026-1-1T25:00"). The answer is the page with its own error (400, or 200 with the form's
errors, or a redirect to a page that shows the error) and never 500; when the answer is an error,
nothing in the database changed.
"""

from __future__ import annotations

import pytest
from django.test import Client

from .helpers import database_state

LONG = "x" * 100_000
BAD_DATES = ["2026-02-30", "31/12/2026", "２０２６-01-01", "0000-00-00", "9999-99-99", "2026-1-1T25:00"]
TEXT_KINDS = {
    "text",
    "textarea",
    "search",
    "email",
    "url",
    "number",
    "hidden",
    "select",
    "date",
    "datetime-local",
    "time",
    "checkbox",
    "radio",
}
DATE_KINDS = {"date", "datetime-local", "time"}


def is_date_field(name: str, kind: str) -> bool:
    return kind in DATE_KINDS or name.endswith(("_on", "_at", "date", "due"))


def shows_an_error(client: Client, response) -> bool:
    if response.status_code == 302:
        page = client.get(response["Location"]).content.decode()
        return 'class="message error"' in page or 'class="message' in page
    body = response.content.decode(errors="replace") if not response.streaming else ""
    return response.status_code in (200, 400, 409) and ('role="alert"' in body or 'class="message error"' in body)


@pytest.mark.django_db
def test_every_form_answers_long_strings_and_malformed_dates_with_its_own_error(security_world, admin_page_forms):
    world = security_world("Probe")
    p = world.personas
    forms = admin_page_forms(world)
    client = Client(raise_request_exception=False)
    client.force_login(p.admin)
    posted, server_errors, half_saved, silent = 0, [], [], []
    for action, (data, _options, kinds) in sorted(forms.items()):
        for field, kind in sorted(kinds.items()):
            if kind not in TEXT_KINDS or field == "csrfmiddlewaretoken":
                continue
            values = [LONG] + (BAD_DATES if is_date_field(field, kind) else [])
            for value in values:
                before = database_state()
                response = client.post(action, {**data, field: [value]})
                posted += 1
                if response.status_code >= 500:
                    server_errors.append((action, field, value[:20], response.status_code))
                elif response.status_code == 400 and not shows_an_error(client, response):
                    silent.append((action, field, value[:20]))
                elif response.status_code != 302 and database_state() != before:
                    half_saved.append((action, field, value[:20], response.status_code))
    assert server_errors == [], "\n".join(map(str, server_errors))
    assert half_saved == [], "\n".join(map(str, half_saved))
    assert silent == [], "\n".join(map(str, silent))  # a 400 says what was wrong
    assert posted >= 150, posted


@pytest.mark.django_db
def test_a_malformed_date_gets_the_forms_own_message(security_world, admin_page_forms):
    """Each malformed date is refused with the form's message, and the date stays as it was."""
    world = security_world("Probe")
    p = world.personas
    client = Client(raise_request_exception=False)
    client.force_login(p.admin)
    url = f"/c/{p.coalition.slug}/engagements/{p.engagement.pk}/consultations/{world.ids['consultation_id']}/"
    data, _options, kinds = admin_page_forms(world)[url]
    assert "held_on" in kinds
    # Full-width digits are read as the digits they are (Python's strptime accepts every Unicode
    # digit): "２０２６-01-01" is 1 January 2026, not a malformed date; the others are refused.
    for value in [v for v in BAD_DATES if not v.startswith("２")]:
        response = client.post(url, {**data, "held_on": value})
        assert response.status_code in (200, 400), value
        assert 'class="error"' in response.content.decode() and 'role="alert"' in response.content.decode(), value
    from workplan.models import Consultation

    assert str(Consultation.objects.get(pk=world.ids["consultation_id"]).held_on) == "2027-01-20"
