"""The tenancy guard, turned into failures: an outsider sees nothing inside a coalition.

These tests walk the URL configuration, so a view or endpoint added later is covered without
anyone remembering to add it here.
"""

import datetime as dt
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from coalitions.api import CoalitionScopedMixin
from coalitions.models import Coalition, CoalitionOwnedModel, MemberOrganisation, Milestone
from coalitions.tenancy import COALITION_KWARG
from implementation import services as implementation_services
from submissions import services as document_services
from submissions.models import Comment, DraftRecommendation, ExportJob, SignOn, Snapshot
from submissions.services import decisions
from upr.celery import QUEUES, TASK_QUEUES
from upr.celery import app as celery_app
from upr.models import Review
from workplan.models import AdvocacyMeeting, Consultation, Task


def url_patterns(
    patterns=None, namespace: tuple = (), kwargs: frozenset = frozenset()
) -> Iterator[tuple[str, frozenset, object]]:
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        names = kwargs | frozenset(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            ns = namespace + ((pattern.namespace,) if pattern.namespace else ())
            yield from url_patterns(pattern.url_patterns, ns, names)
        elif isinstance(pattern, URLPattern) and pattern.name and "format" not in names:
            yield ":".join(namespace + (pattern.name,)), names, pattern.callback


def shared_recommendations(p):
    """A recommendation of the engagement's review and one of the same State's previous review
    (shared reference data: an outsider's 404 must come from the guard, not from missing rows)."""
    from recommendations.models import Recommendation

    later = Recommendation.objects.create(review=p.engagement.review, source="template", source_key="g1", text="Adopt a law")
    previous = Review.objects.get(state=p.engagement.review.state, session__number=34)
    earlier = Recommendation.objects.create(review=previous, source="template", source_key="g0", text="Adopt a law")
    return later, earlier


def coalition_urls(p) -> list[str]:
    """Every URL inside coalition alpha, with the ids of alpha's real objects filled in."""
    milestone = Milestone.objects.filter(engagement=p.engagement).first()
    assert milestone is not None  # engagement_create sets out the review's milestones
    recommendation, earlier = shared_recommendations(p)
    draft = DraftRecommendation.objects.create(coalition=p.coalition, engagement=p.engagement, text="Adopt a law")
    doc = document_services.document_create(
        coalition=p.coalition,
        actor=p.admin,
        engagement=p.engagement,
        kind="joint_submission",
        title="Joint",
        lead_organisation=p.organisation,
    )
    section = doc.sections.first()
    assert section is not None  # document_create gives a document its starting sections
    document_services.section_save(section=section, membership=p.membership(p.admin), base_version=1, body="<p>Text</p>")
    comment = Comment.objects.create(coalition=p.coalition, section=section, author=p.admin, text="Check")
    other_org = MemberOrganisation.objects.create(coalition=p.coalition, name="Second Org")
    sign_on = SignOn.objects.create(coalition=p.coalition, document=doc, organisation=other_org)
    decision = decisions.decision_open(
        document=doc,
        membership=p.membership(p.admin),
        title="Approve the text",
        kind="approve",
        closes_at=timezone.now() + dt.timedelta(days=3),
    )
    job = ExportJob.objects.create(
        coalition=p.coalition, document=doc, format="docx", status="done", content=b"x", filename="joint.docx"
    )
    Snapshot.objects.create(coalition=p.coalition, document=doc, outline={}, docx=b"x", pdf=b"y", checksum="0" * 64)
    task = Task.objects.create(coalition=p.coalition, engagement=p.engagement, title="Draft", due_at=timezone.now())
    consultation = Consultation.objects.create(
        coalition=p.coalition, engagement=p.engagement, held_on="2027-01-20", online=True, created_by=p.member
    )
    meeting = AdvocacyMeeting.objects.create(
        coalition=p.coalition, engagement=p.engagement, met_on="2027-02-03", state=p.engagement.review.state, created_by=p.member
    )
    matrix = implementation_services.matrix_build(engagement=p.engagement, actor=p.admin, scheme="ohchr")
    row = matrix.rows.first()
    assert row is not None  # matrix_build makes a row of each of the review's recommendations
    assessment = implementation_services.assessment_add(
        row=row,
        membership=p.membership(p.admin),
        data={"assessed_on": "2027-01-01", "light": "red"},
        links=[
            {
                "title": "Evidence",
                "source": "Ministry",
                "dated": "2027-01-01",
                "upload": SimpleUploadedFile("e.pdf", b"%PDF-1.4 test"),
            }
        ],
    )
    from recommendations.models import SharedImport

    shared_import = SharedImport.objects.create(
        review=p.engagement.review,
        review_ids=[p.engagement.review_id],
        coalition=p.coalition,
        actor=p.admin,
        file_name="list.docx",
        sha256="0" * 64,
        status="applied",
    )
    values = {
        "import_id": shared_import.pk,
        "recommendation_id": recommendation.pk,
        "row_id": row.pk,
        "assessment_id": assessment.pk,
        "evidence_id": assessment.evidence.get().pk,
        "earlier_id": earlier.pk,
        "draft_id": draft.pk,
        COALITION_KWARG: p.coalition.slug,
        "membership_id": p.membership(p.member).pk,
        "organisation_id": p.organisation.pk,
        "invitation_id": p.invitation.pk,
        "group_id": p.group.pk,
        "engagement_id": p.engagement.pk,
        "milestone_id": milestone.pk,
        "document_id": doc.pk,
        "section_id": section.pk,
        "comment_id": comment.pk,
        "sign_on_id": sign_on.pk,
        "job_id": job.pk,
        "version": 1,
        "format": "docx",
        "task_id": task.pk,
        "fmt": "csv",
        "consultation_id": consultation.pk,
        "meeting_id": meeting.pk,
        "decision_id": decision.pk,
    }
    api_pks = {
        "organisation": p.organisation.pk,
        "membership": p.membership(p.member).pk,
        "working-group": p.group.pk,
        "invitation": p.invitation.pk,
        "engagement": p.engagement.pk,
        "recommendation": recommendation.pk,
        "draft-recommendation": draft.pk,
        "engagement-impact": p.engagement.pk,
        "document": doc.pk,
        "section": section.pk,
        "section-suggestions": section.pk,
        "comment": comment.pk,
        "sign-on": sign_on.pk,
        "export-job": job.pk,
        "engagement-carry": p.engagement.pk,
        "matrix": matrix.pk,
        "cluster": row.cluster_id,
        "matrix-row": row.pk,
        "assessment": assessment.pk,
        "evidence": assessment.evidence.get().pk,
        "task": task.pk,
        "consultation": consultation.pk,
        "advocacy-meeting": meeting.pk,
        "engagement-plan": p.engagement.pk,
        "decision": decision.pk,
    }
    urls = []
    for name, kwargs, _view in url_patterns():
        if COALITION_KWARG not in kwargs:
            continue
        filled = {k: values[k] for k in kwargs if k in values}
        if "pk" in kwargs:
            filled["pk"] = api_pks[name.split(":")[-1].rsplit("-", 1)[0]]
        urls.append(reverse(name, kwargs=filled))
    return urls


def test_every_coalition_owned_model_has_a_non_null_cascading_coalition_key():
    owned = [m for m in apps.get_models() if issubclass(m, CoalitionOwnedModel)]
    assert len(owned) >= 7
    for model in owned:
        field = model._meta.get_field("coalition")
        assert field.related_model is Coalition and not field.null, model
        assert field.remote_field.on_delete is models.CASCADE, model
        assert hasattr(model.objects, "for_coalition"), model


# Models that lead to a coalition without belonging to one, and why the guard holds without them. A model
# is added here only with its reason; every other model that leads to a coalition must be coalition-owned.
NOT_COALITION_OWNED = {
    "workplan.CalendarFeed": "a person's own calendar address (with a coalition: the secretariat's feed of it); "
    "found by its token's hash or by its owner, never listed for a coalition (workplan.feeds)",
    "recommendations.SharedImport": "a change of the shared recommendations, which every coalition following the State "
    "reads; its coalition (kept null when deleted) only says whose admins may undo it",
}


def leads_to_coalition(model: type[models.Model], seen: frozenset = frozenset()) -> bool:
    """Whether a chain of the model's own relations (foreign keys, one-to-one and many-to-many fields)
    reaches Coalition: its rows then belong to a coalition, directly or through a parent's."""
    for field in model._meta.get_fields():
        if not (field.is_relation and field.concrete and field.related_model is not None):
            continue  # reverse relations and generic ones: the model is reached, it does not lead anywhere
        target = field.related_model
        assert not isinstance(target, str)  # "self" and "app.Model" are resolved to classes once the apps are loaded
        if target is Coalition or (target not in seen and target is not model and leads_to_coalition(target, seen | {model})):
            return True
    return False


def test_every_model_that_belongs_to_a_coalition_is_coalition_owned_or_says_why_not():
    """Reminders once escaped the guard: a coalition key of their own, not the base. Every model whose
    relations lead to a coalition is now found by walking them, whoever adds it and however deep."""
    from workplan.models import Reminder

    escaped = {
        model._meta.label: model
        for model in apps.get_models()
        if model is not Coalition and not issubclass(model, CoalitionOwnedModel) and leads_to_coalition(model)
    }
    unexplained = sorted(set(escaped) - set(NOT_COALITION_OWNED))
    assert not unexplained, (
        f"{unexplained} lead to a coalition: inherit CoalitionOwnedModel, or add them to "
        "NOT_COALITION_OWNED with the reason the guard holds without it"
    )
    stale = sorted(set(NOT_COALITION_OWNED) - set(escaped))
    assert not stale, f"{stale} are coalition-owned now, or lead to no coalition: take them out of NOT_COALITION_OWNED"
    assert issubclass(Reminder, CoalitionOwnedModel) and leads_to_coalition(Reminder)


def test_every_api_view_under_a_coalition_inherits_the_scoped_base():
    api_views = [(name, view) for name, kwargs, view in url_patterns() if COALITION_KWARG in kwargs and name.startswith("api:")]
    assert api_views, "no coalition API endpoint found: the walk is broken"
    for name, view in api_views:
        assert issubclass(view.cls, CoalitionScopedMixin), name


def test_the_coalition_middleware_is_installed(settings):
    assert "coalitions.tenancy.CoalitionMiddleware" in settings.MIDDLEWARE


def test_every_task_declares_a_known_queue():
    ours = {name: task for name, task in celery_app.tasks.items() if not name.startswith("celery.")}
    assert ours, "no task registered"
    for name in ours:
        assert TASK_QUEUES.get(name) in QUEUES, name
        assert celery_app.amqp.router.route({}, name)["queue"].name == TASK_QUEUES[name], name


@pytest.mark.django_db
def test_outsider_gets_404_on_every_page_and_endpoint_of_another_coalition(personas):
    urls = coalition_urls(personas)
    assert len(urls) >= 25
    outsider = personas.client_for(personas.outsider)
    for url in urls:
        assert outsider.get(url).status_code == 404, url
        assert outsider.post(url, {}).status_code == 404, url
        assert outsider.patch(url, {}, content_type="application/json").status_code == 404, url
        assert outsider.delete(url).status_code == 404, url


@pytest.mark.django_db
def test_the_admin_reaches_every_one_of_those_urls(personas):
    """The same URLs are real: the 404s above come from the guard, not from bad URLs."""
    admin = personas.client_for(personas.admin)
    for url in coalition_urls(personas):
        assert admin.get(url).status_code in (200, 405), url


@pytest.mark.django_db
def test_a_guessed_slug_and_a_real_foreign_slug_look_the_same(personas):
    client = personas.client_for(personas.outsider)
    real = client.get("/c/alpha/")
    guessed = client.get("/c/no-such-coalition/")
    assert real.status_code == guessed.status_code == 404
    assert client.get("/api/c/alpha/members/").status_code == client.get("/api/c/nope/members/").status_code == 404


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in_whatever_the_slug(personas):
    client = personas.client_for(None)
    for slug in ("alpha", "no-such-coalition"):
        response = client.get(f"/c/{slug}/members/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/api/c/alpha/members/").status_code in (401, 403)


@pytest.mark.django_db
def test_outsider_cannot_attach_another_coalitions_objects_by_id(personas):
    client = personas.client_for(personas.outsider)
    beta_org_url = "/api/c/beta/invitations/"
    response = client.post(
        beta_org_url,
        {"email": "x@example.org", "role": "member", "organisation": personas.organisation.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not personas.other.pk == personas.organisation.coalition_id


@pytest.mark.django_db
def test_the_guards_plain_sql_matches_the_orm(personas):
    from coalitions.models import Membership
    from coalitions.tenancy import memberships_of
    from tests.factories import MembershipFactory

    MembershipFactory(coalition=personas.other, user=personas.member, role="observer")
    fast = memberships_of(personas.member)
    orm = list(
        Membership.objects.filter(user=personas.member).select_related("coalition", "organisation").order_by("coalition__name")
    )
    assert [(m.pk, m.role, m.coalition.slug, m.coalition.name, m.organisation_id) for m in fast] == [
        (m.pk, m.role, m.coalition.slug, m.coalition.name, m.organisation_id) for m in orm
    ]
    assert fast[0].organisation.name == personas.organisation.name and fast[1].organisation is None
    # Fields the guard did not select load on access rather than reading as blank.
    assert fast[0].joined_at == orm[0].joined_at and fast[0].organisation.acronym == "CER"


@pytest.mark.django_db
def test_another_coalitions_id_is_refused_like_an_id_that_does_not_exist(personas):
    """An id from another coalition must not be told apart from a missing one (that would reveal it)."""
    client = personas.client_for(personas.outsider)
    answers = []
    for organisation in (personas.organisation.pk, 999999):
        response = client.post(
            "/api/c/beta/invitations/",
            {"email": "x@example.org", "role": "member", "organisation": organisation},
            content_type="application/json",
        )
        assert response.status_code == 400
        answers.append(str(response.json()["organisation"]).replace(str(organisation), "<id>"))
    assert answers[0] == answers[1]
