"""A person's language: chosen from the browser on a first visit, changed at the foot of any page, kept
on the account and followed on every device; and the generated parts of a document written in the
document's language, whatever the language of the page it was made from."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.utils import translation

from accounts.models import User
from coalitions.models import Role
from implementation import services as matrix_services
from implementation.models import Matrix
from submissions.services.documents import STARTING_SECTIONS

from .factories import PASSWORD, RecommendationFactory
from .helpers import joint_submission

pytestmark = pytest.mark.django_db

LOG_IN = {"en": "Log in", "fr": "Se connecter", "es": "Iniciar sesión"}


def shown_language(response) -> str:
    lang = re.search(r'<html lang="([a-z-]+)"', response.content.decode())
    assert lang is not None
    return lang.group(1)


def test_a_visitor_reads_the_browsers_language_then_the_one_chosen():
    visitor = Client(HTTP_ACCEPT_LANGUAGE="es-419,es;q=0.9,en;q=0.5")
    home = visitor.get("/")
    assert shown_language(home) == "es" and home["Content-Language"] == "es"
    assert LOG_IN["es"] in home.content.decode()
    # The chooser at the foot of the page names each language in itself.
    assert '<option value="fr" lang="fr">Français</option>' in home.content.decode()
    chosen = visitor.post("/i18n/language/", {"language": "fr", "next": "/accounts/login/"})
    assert chosen.status_code == 302 and chosen["Location"] == "/accounts/login/"
    assert shown_language(visitor.get("/accounts/login/")) == "fr"
    # A language the product does not have, or another site as `next`, changes nothing and goes nowhere else.
    refused = visitor.post("/i18n/language/", {"language": "xx", "next": "https://evil.example/"})
    assert refused.status_code in (302, 204) and "evil.example" not in refused.get("Location", "")
    assert shown_language(visitor.get("/")) == "fr"


def test_the_choice_is_kept_on_the_account_and_followed_on_another_device(personas):
    laptop = personas.client_for(personas.member)
    laptop.post("/i18n/language/", {"language": "es", "next": "/"})
    personas.member.refresh_from_db()
    assert personas.member.language == "es"
    # Another device whose browser asks for English: the account's language wins once signed in.
    phone = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert shown_language(phone.get("/accounts/login/")) == "en"
    phone.force_login(personas.member)
    page = phone.get("/c/alpha/")
    assert shown_language(page) == "es" and page["Content-Language"] == "es"
    # The profile form changes it as well.
    personas.member.language = "fr"
    personas.member.save(update_fields=["language"])
    assert shown_language(phone.get("/c/alpha/")) == "fr"
    # Others are untouched.
    assert User.objects.get(pk=personas.admin.pk).language == "en"


def test_a_new_account_keeps_the_language_it_signed_up_in(personas):
    mail.outbox.clear()
    admin = personas.client_for(personas.admin)
    with TestCase.captureOnCommitCallbacks(execute=True):
        admin.post("/c/alpha/invitations/", {"email": "nueva@example.org", "role": Role.MEMBER, "organisation": ""})
    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[0].body).group(0)
    person = Client(HTTP_ACCEPT_LANGUAGE="es")
    person.get("/" + link.split("/", 3)[3])
    response = person.post("/accounts/signup/", {"email": "nueva@example.org", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert User.objects.get(email="nueva@example.org").language == "es"


@pytest.mark.parametrize("language", ["fr", "es"])
def test_a_documents_starting_sections_are_in_its_language_not_the_readers(personas, language):
    admin = personas.client_for(personas.admin)  # the page is read in English
    response = admin.post(
        f"/c/alpha/engagements/{personas.engagement.pk}/documents/",
        {
            "kind": "joint_submission",
            "title": "Contribution",
            "language": language,
            "lead_organisation": personas.organisation.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    document = personas.engagement.documents.get(title="Contribution")
    titles = list(document.sections.order_by("position").values_list("title", flat=True))
    with translation.override(language):
        expected = [str(name) for name in STARTING_SECTIONS["joint_submission"]]
    english = [str(name) for name in STARTING_SECTIONS["joint_submission"]]
    assert titles == expected and not set(titles) & set(english), titles


def test_the_mid_term_report_is_written_in_the_language_asked_for(personas):
    RecommendationFactory(review=personas.engagement.review, thematic_cluster="Right to health", response="supported")
    matrix_services.matrix_build(engagement=personas.engagement, actor=personas.admin, scheme="ohchr")
    editor = personas.client_for(personas.editor)  # reads in English, asks for Spanish
    page = editor.get(f"/c/alpha/engagements/{personas.engagement.pk}/matrix/")
    assert 'name="language"' in page.content.decode()
    response = editor.post(f"/c/alpha/engagements/{personas.engagement.pk}/matrix/midterm/", {"language": "es"})
    assert response.status_code == 302
    report = personas.engagement.documents.get(kind="mid_term_report")
    assert report.language == "es"
    titles = list(report.sections.order_by("position").values_list("title", flat=True))
    title = "Mid-term report on the implementation of the UPR recommendations to %(state)s"
    with translation.override("es"):
        assert titles[0] == translation.gettext("Methodology") != "Methodology"
        assert titles[-1] == translation.gettext("Recommendations for the next cycle")
        assert report.title == translation.gettext(title) % {"state": personas.engagement.review.state.name}
    assert not report.title.startswith("Mid-term")


def test_the_api_makes_the_report_in_the_language_given_and_refuses_another(personas):
    RecommendationFactory(review=personas.engagement.review, thematic_cluster="Right to health", response="supported")
    matrix_services.matrix_build(engagement=personas.engagement, actor=personas.admin, scheme="ohchr")
    matrix = Matrix.objects.get(engagement=personas.engagement)
    api = personas.client_for(personas.admin)
    refused = api.post(f"/api/c/alpha/matrices/{matrix.pk}/midterm/", {"language": "de"}, content_type="application/json")
    assert refused.status_code == 400 and "language" in refused.json(), refused.content
    made = api.post(f"/api/c/alpha/matrices/{matrix.pk}/midterm/", {"language": "fr"}, content_type="application/json")
    assert made.status_code == 201, made.content
    report = personas.engagement.documents.get(pk=made.json()["document"])
    assert report.language == "fr"
    with translation.override("fr"):
        assert report.sections.order_by("position").first().title == translation.gettext("Methodology")


def test_the_apis_errors_speak_the_callers_language(personas):
    RecommendationFactory(review=personas.engagement.review, thematic_cluster="Right to health", response="supported")
    matrix_services.matrix_build(engagement=personas.engagement, actor=personas.admin, scheme="ohchr")
    matrix = Matrix.objects.get(engagement=personas.engagement)
    personas.admin.language = "fr"  # kept on the account: the API answers in it
    personas.admin.save(update_fields=["language"])
    api = personas.client_for(personas.admin)
    refused = api.post(f"/api/c/alpha/matrices/{matrix.pk}/midterm/", {"language": "de"}, content_type="application/json")
    with translation.override("fr"):
        expected = translation.gettext("Choose the report's language among English, French and Spanish.")
    assert (
        refused.status_code == 400 and refused.json()["language"] in (expected, [expected]) and expected.startswith("Choisissez")
    )
    # A caller with a token and no session: the language its request asks for.
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="es")
    assert anonymous.get("/api/c/alpha/matrices/").json()["detail"] != Client().get("/api/c/alpha/matrices/").json()["detail"]


@pytest.mark.browser
def test_numbers_are_grouped_each_languages_way_as_the_browser_groups_them(chromium):
    from upr.numbers import grouped

    numbers = [0, 7, 999, 1000, 2815, 5630, 9999, 10000, 41066, 1234567, -5630]
    assert [grouped(n, "en") for n in (5630, 41066)] == ["5,630", "41,066"]
    assert [grouped(n, "fr") for n in (5630, 41066)] == ["5\u202f630", "41\u202f066"]
    assert [grouped(n, "es") for n in (5630, 41066)] == ["5630", "41.066"]
    page = chromium.new_page()
    for language in ("en", "fr", "es"):  # what frontend/src/count.js writes as the count changes
        shown = page.evaluate(
            "([lang, ns]) => ns.map(n => new Intl.NumberFormat(lang, {maximumFractionDigits: 0}).format(n))", [language, numbers]
        )
        assert shown == [grouped(n, language) for n in numbers], language
    page.close()


def test_the_count_panel_writes_its_figures_the_readers_way(personas):
    document = joint_submission(personas, title="Contribution", group_first=False, body="<p>" + "mot " * 1200 + "</p>")
    for language, total in (("en", "1,203"), ("fr", "1\u202f203"), ("es", "1203")):
        personas.admin.language = language
        personas.admin.save(update_fields=["language"])
        page = personas.client_for(personas.admin).get(f"/c/alpha/documents/{document.pk}/").content.decode()
        assert f'<span id="words-total">{total}</span>' in page, language
