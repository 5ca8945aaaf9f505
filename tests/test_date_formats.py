"""Dates are written one way per language across the app (upr/formats, named formats in the
templates), and the date fields are the browser's picker, given ISO values in every language, with a
hint that agrees with what the field takes (upr/dates.py)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from html import unescape

import pytest
from django.utils import formats, translation

from coalitions.models import Milestone

pytestmark = pytest.mark.django_db
MONTHS = "|".join(calendar.month_name[1:])
ABBREVIATED = "|".join(calendar.month_abbr[1:])
ONE_WAY = re.compile(rf"\d{{1,2}} ({MONTHS}) \d{{4}}(, \d\d:\d\d)?")
ANY_DATE = re.compile(
    rf"\b\d{{1,2}} (?:{MONTHS}|{ABBREVIATED})\.? \d{{4}}(?:, \d\d?:\d\d(?: ?[ap]\.m\.)?)?"
    rf"|\b(?:{MONTHS}|{ABBREVIATED})\.? \d{{1,2}}, \d{{4}}(?:, \d\d?:\d\d(?: ?[ap]\.m\.)?)?"
)


def visible(html: str) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_the_named_formats_write_one_way_in_each_language():
    when = dt.datetime(2026, 12, 1, 23, 45)
    expected = {
        "en": ("1 December 2026", "1 December 2026, 23:45"),
        "fr": ("1 décembre 2026", "1 décembre 2026, 23:45"),
        "es": ("1 de diciembre de 2026", "1 de diciembre de 2026, 23:45"),
    }
    for language, (date, datetime) in expected.items():
        with translation.override(language):
            assert formats.date_format(when.date(), "DATE_FORMAT") == date
            assert formats.date_format(when, "DATETIME_FORMAT") == datetime


def test_a_page_with_dates_and_datetimes_writes_them_one_way(personas):
    page = personas.client_for(personas.admin).get(f"/c/alpha/engagements/{personas.engagement.pk}/")
    assert page.status_code == 200
    text = visible(page.content.decode())
    found = [match.group(0) for match in ANY_DATE.finditer(text)]
    assert any("," in f for f in found) and any("," not in f for f in found), found  # a datetime and a date
    assert all(ONE_WAY.fullmatch(f) for f in found), [f for f in found if not ONE_WAY.fullmatch(f)]
    assert not re.search(r"\b[ap]\.m\.", text)


def test_date_fields_are_the_browsers_picker_with_iso_values_and_a_hint_that_agrees(personas):
    milestone = Milestone.objects.filter(engagement=personas.engagement).first()
    admin = personas.client_for(personas.admin)
    url = f"/c/alpha/engagements/{personas.engagement.pk}/milestones/{milestone.pk}/"
    assert admin.post(url, {"date": "2027-03-15", "note": ""}).status_code in (200, 302)
    for language in ("en", "fr", "es"):
        admin.cookies["django_language"] = language
        form = admin.get(url).content.decode()
        field = re.search(r'<input[^>]*name="date"[^>]*>', form).group(0)
        assert 'type="date"' in field and 'value="2027-03-15"' in field, (language, field)  # ISO, never 15/03/2027
        saved = admin.post(url, {"date": "2027-03-16", "note": ""})
        assert saved.status_code in (200, 302), (language, saved.content.decode()[-500:])
        milestone.refresh_from_db()
        assert milestone.override_date == dt.date(2027, 3, 16)
        Milestone.objects.filter(pk=milestone.pk).update(override_date=dt.date(2027, 3, 15))
    admin.cookies["django_language"] = "en"
    engagement = visible(admin.get(f"/c/alpha/engagements/{personas.engagement.pk}/").content.decode())
    assert "Year-month-day" not in engagement  # the old hint, beside a picker showing 03/15/2027
    assert "Choose the day in the calendar (typed by hand: 2027-03-15)." in engagement
