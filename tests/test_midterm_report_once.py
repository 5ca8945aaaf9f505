"""The mid-term report is made once per engagement: generating it again opens the one there is
(pages) or answers 409 with it (API), and the working groups' edits stay."""

import pytest

from coalitions.models import Membership
from implementation.models import Matrix
from submissions import services
from submissions.models import Document

from .factories import RecommendationFactory

pytestmark = pytest.mark.django_db


def matrix_of(personas) -> Matrix:
    for i in range(3):
        RecommendationFactory(
            review=personas.engagement.review, thematic_cluster="Right to health", response="supported" if i % 2 == 0 else "noted"
        )
    page = f"/c/alpha/engagements/{personas.engagement.pk}/matrix/"
    assert personas.client_for(personas.admin).post(page + "build/", {"scheme": "ohchr"}).status_code == 302
    return Matrix.objects.get(engagement=personas.engagement)


def test_generating_the_mid_term_report_twice_opens_the_first_and_keeps_its_edits(personas):
    matrix_of(personas)
    admin = personas.client_for(personas.admin)
    generate = f"/c/alpha/engagements/{personas.engagement.pk}/matrix/midterm/"
    first = admin.post(generate)
    document = Document.objects.get(kind="mid_term_report")
    section = document.sections.order_by("position").first()
    # Edited as the working groups edit it: through the section's live text (a direct write of `body`
    # would be undone by the next render of the live text, made with the chapter).
    services.section_save(
        section=section,
        membership=Membership.objects.get(user=personas.admin),
        base_version=section.version,
        body="<p>Our own methodology, edited.</p>",
    )
    again = admin.post(generate, follow=True)
    assert first["Location"] == again.redirect_chain[0][0] == f"/c/alpha/documents/{document.pk}/"
    assert "exists already" in again.content.decode()
    assert Document.objects.filter(kind="mid_term_report").count() == 1
    assert document.sections.order_by("position").first().body == "<p>Our own methodology, edited.</p>"


def test_the_api_answers_409_with_the_existing_report_the_second_time(personas):
    matrix = matrix_of(personas)
    admin = personas.client_for(personas.admin)
    made = admin.post(f"/api/c/alpha/matrices/{matrix.pk}/midterm/")
    assert made.status_code == 201
    again = admin.post(f"/api/c/alpha/matrices/{matrix.pk}/midterm/")
    assert again.status_code == 409
    body = again.json()
    assert body["document"] == made.json()["document"] and body["url"] == f"/c/alpha/documents/{body['document']}/"
    assert "exists already" in body["detail"]
    assert Document.objects.filter(kind="mid_term_report").count() == 1


def test_outsiders_get_404_generating_a_mid_term_report(personas):
    matrix = matrix_of(personas)
    outsider = personas.client_for(personas.outsider)
    assert outsider.post(f"/c/alpha/engagements/{personas.engagement.pk}/matrix/midterm/").status_code == 404
    assert outsider.post(f"/api/c/alpha/matrices/{matrix.pk}/midterm/").status_code == 404
    assert outsider.post(f"/api/c/beta/matrices/{matrix.pk}/midterm/").status_code == 404
    assert not Document.objects.filter(kind="mid_term_report").exists()
