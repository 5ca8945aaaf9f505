"""Another coalition's objects cannot be attached from inside one's own coalition, in HTML forms.

Coalition beta gets one of everything (organisations, people, a working group, an engagement, a
document and its sections, a matrix with clusters and rows, evidence, tasks, milestones, drafts);
then every POST form of alpha's pages is posted by alpha's admin with, in turn, each of its choice
fields (selects, checkboxes, radios) set to each of beta's ids that the field does not offer.
Each answer is the form again with "Select a valid choice" (never a save, never a 500), and
nothing changes in the database.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client

from coalitions.models import AuditEvent, CoalitionOwnedModel

from .helpers import database_state


def beta_ids(personas) -> set[str]:
    """Fill beta with one of every kind of object; every id of every row beta owns."""
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from coalitions import services
    from coalitions.models import Membership
    from implementation import services as matrix_services
    from recommendations.models import Recommendation
    from submissions import services as documents
    from submissions.models import DraftRecommendation
    from tests.factories import MembershipFactory, UserFactory
    from upr.models import Review
    from workplan.models import Task

    beta, actor = personas.other, personas.outsider
    orgs = [services.organisation_save(coalition=beta, actor=actor, data={"name": f"Beta org {n}"}) for n in range(3)]
    people: list[Membership] = [
        MembershipFactory.create(coalition=beta, user=UserFactory(), role=role, organisation=orgs[0])
        for role in ("editor", "member", "observer")
    ]
    group = services.working_group_save(
        coalition=beta, actor=actor, name="Beta group", theme="", lead=people[0], members=people[1:]
    )
    review = Review.objects.get(state__iso3="FRA", session__number=43)
    Recommendation.objects.create(review=review, source="template", source_key="b1", text="Beta's review")
    engagement = services.engagement_create(coalition=beta, actor=actor, review=review)
    document = documents.document_create(
        coalition=beta, actor=actor, engagement=engagement, kind="joint_submission", title="Beta joint", lead_organisation=orgs[0]
    )
    DraftRecommendation.objects.create(coalition=beta, engagement=engagement, text="Beta draft", created_by=actor)
    Task.objects.create(coalition=beta, engagement=engagement, title="Beta task", due_at=timezone.now())
    matrix = matrix_services.matrix_build(engagement=engagement, actor=actor, scheme="ohchr")
    row = matrix.rows.first()
    assert row is not None
    matrix_services.assessment_add(
        row=row,
        membership=Membership.objects.get(coalition=beta, user=actor),
        data={"assessed_on": dt.date(2027, 1, 1), "light": "red"},
        links=[{"title": "E", "source": "S", "dated": dt.date(2027, 1, 1), "upload": SimpleUploadedFile("e.pdf", b"%PDF-1.4 x")}],
    )
    ids: set[str] = set()
    for model in apps.get_models():
        if issubclass(model, CoalitionOwnedModel):
            ids |= {str(pk) for pk in model.objects.filter(coalition=beta).values_list("pk", flat=True)}
    ids |= {str(pk) for pk in Membership.objects.filter(coalition=beta).values_list("user_id", flat=True)}
    ids.add(str(document.pk))
    del group
    return ids


def candidates(foreign: set[str], offered: list[str]) -> list[str]:
    """Beta's ids most likely of the field's own model: each table numbers its rows in order and beta
    was filled after alpha, so beta's first objects come right after the largest id offered; and
    the smallest and largest of beta's ids besides."""
    top = max(int(v) for v in offered if v.isdigit())
    ordered = sorted((v for v in foreign if v not in offered), key=int)
    above = [v for v in ordered if int(v) > top]
    return sorted(set(above[:3] + ordered[:1] + ordered[-1:]), key=int)


def refusal(client: Client, response) -> str | None:
    """The error the person is shown: the form again with its errors, or (for the small forms of a
    page that post and come back) the page with the form's errors as its message; None if neither."""
    if response.status_code == 302:
        page = client.get(response["Location"]).content.decode()
        return page if 'class="message error"' in page else None
    body = response.content.decode(errors="replace") if not response.streaming else ""
    return body if response.status_code in (200, 400) and "valid choice" in body else None


@pytest.mark.django_db
def test_no_form_of_alpha_accepts_an_id_of_betas(security_world, admin_page_forms):
    world = security_world("Probe")
    p = world.personas
    forms = admin_page_forms(world)
    foreign = beta_ids(p)
    client = Client(raise_request_exception=False)
    client.force_login(p.admin)
    posted, failures = 0, []
    for action, (data, options, _kinds) in sorted(forms.items()):
        for field, offered in options.items():
            if not any(value.isdigit() for value in offered):
                continue  # a choice of words (a status, a role), not of objects
            for value in candidates(foreign, offered):
                before, events = database_state(), AuditEvent.objects.count()
                response = client.post(action, {**data, field: [value]})
                posted += 1
                if refusal(client, response) is None:
                    failures.append((action, field, value, response.status_code))
                if database_state() != before or AuditEvent.objects.count() != events:
                    failures.append((action, field, value, "saved"))
    assert failures == [], "\n".join(map(str, failures))
    assert posted >= 60, posted


@pytest.mark.django_db
def test_moving_another_matrixs_rows_is_refused_not_recorded_as_a_move(security_world):
    """The matrix's "move rows" form ignored ids of other matrices and said "0 rows moved", with a
    "matrix.move" event in the audit trail: now it is refused, and nothing is recorded."""
    world = security_world("Probe")
    p = world.personas
    beta_ids(p)
    from implementation.models import MatrixRow

    foreign = MatrixRow.objects.filter(coalition=p.other).first()
    cluster = world.matrix.clusters.order_by("pk").first()
    own = world.matrix.rows.order_by("pk").first()
    client = p.client_for(p.admin)
    events = AuditEvent.objects.count()
    url = f"/c/{p.coalition.slug}/engagements/{p.engagement.pk}/matrix/move/"
    response = client.post(url, {"to": cluster.pk, "row": [own.pk, foreign.pk]}, follow=True)
    assert 'class="message error"' in response.content.decode()
    assert AuditEvent.objects.count() == events
    assert MatrixRow.objects.get(pk=foreign.pk).cluster.matrix.coalition_id == p.other.pk
