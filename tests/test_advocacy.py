"""Consultations, the advocacy log and what it came to after the review, and the review and adoption page."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coalitions.models import AuditEvent, Engagement, MemberOrganisation
from recommendations.models import Theme
from submissions.models import Document, DraftRecommendation, ImpactLink
from upr.models import State
from workplan.advocacy_outcome import lobbying_outcome
from workplan.models import AdvocacyMeeting, Consultation, Task

from .factories import RecommendationFactory

pytestmark = pytest.mark.django_db


def url(personas, suffix: str = "") -> str:
    return f"/c/alpha/engagements/{personas.engagement.pk}/{suffix}"


def consultation(client, personas, **data):
    return client.post(
        url(personas, "consultations/"),
        {
            "kind": "state",
            "held_on": "2027-01-20",
            "place": "Ljubljana, Ministry of Foreign Affairs",
            "organiser": "MFA",
            "attended": [personas.organisation.pk],
            "issues_raised": "Roma access to water",
            "our_input": "Our paper",
            "follow_up": "Send written comments",
            **data,
        },
    )


def meeting(client, personas, **data):
    return client.post(
        url(personas, "advocacy/"),
        {
            "state": State.objects.get(iso3="NOR").pk,
            "venue": "embassy",
            "met_on": "2027-02-03",
            "person_met": "Second secretary",
            "issues_raised": "Water and sanitation for Roma",
            **data,
        },
    )


def test_a_member_records_a_consultation_and_its_follow_up_becomes_a_task_in_their_zone(personas):
    personas.member.timezone = "America/Bogota"
    personas.member.save()
    member = personas.client_for(personas.member)
    response = consultation(member, personas, follow_up_due="2027-02-01")
    assert response.status_code == 302
    record = Consultation.objects.get()
    assert list(record.attended.all()) == [personas.organisation] and record.created_by == personas.member
    task = record.follow_up_task
    local = task.due_at.astimezone(zoneinfo.ZoneInfo("America/Bogota"))
    assert task.owner == personas.member and (local.date(), local.hour) == (dt.date(2027, 2, 1), 9)
    page = member.get(url(personas, "consultations/")).content.decode()
    assert "Roma access to water" in page and "Centre for Equal Rights" in page and "Send written comments" in page
    assert AuditEvent.objects.filter(action="consultation.create").exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"place": "", "online": ""}, "place"),
        ({"held_on": "2027-02-31"}, "held_on"),
        ({"follow_up_due": "01/02/2027x"}, "follow_up_due"),
    ],
)
def test_a_bad_consultation_is_refused_with_the_reason_and_saves_nothing(personas, change, field):
    response = consultation(personas.client_for(personas.member), personas, **change)
    assert response.status_code == 400 and field in response.context["form"].errors
    assert not Consultation.objects.exists() and not Task.objects.exists()
    assert "Roma access to water" in response.content.decode()  # what was typed is kept


def test_online_consultations_need_no_place(personas):
    assert consultation(personas.client_for(personas.member), personas, place="", online="on").status_code == 302


def test_only_the_recorder_an_editor_or_the_secretariat_change_a_record_and_its_follow_up_follows(personas):
    consultation(personas.client_for(personas.member), personas, follow_up_due="2027-02-01")
    record = Consultation.objects.get()
    edit = url(personas, f"consultations/{record.pk}/")
    observer = personas.client_for(personas.observer)
    assert observer.get(url(personas, "consultations/")).status_code == 200
    assert consultation(observer, personas).status_code == 403
    assert observer.get(edit).status_code == 403
    editor = personas.client_for(personas.editor)
    assert editor.get(edit).status_code == 200
    data = {"kind": "state", "held_on": "2027-01-20", "place": "Ljubljana", "issues_raised": "Changed"}
    assert editor.post(edit, {**data, "follow_up_due": "2027-03-01"}).status_code == 302
    task = Task.objects.get()
    assert task.due_at.astimezone(zoneinfo.ZoneInfo(task.time_zone)).date() == dt.date(2027, 3, 1)
    assert editor.post(edit, data).status_code == 302  # the follow-up date cleared: the task goes
    assert not Task.objects.exists() and Consultation.objects.get().follow_up_task is None
    assert editor.post(edit, {**data, "follow_up_due": "2027-03-02"}).status_code == 302
    assert observer.post(edit + "delete/").status_code == 403
    assert editor.post(edit + "delete/").status_code == 302
    assert not Consultation.objects.exists() and not Task.objects.exists()


def test_the_advocacy_log_records_what_was_handed_over_and_filters_by_state(personas):
    from submissions import services as document_services

    factsheet = document_services.document_create(
        coalition=personas.coalition,
        actor=personas.admin,
        engagement=personas.engagement,
        kind="factsheet",
        title="Water factsheet",
    )
    draft = DraftRecommendation.objects.create(
        coalition=personas.coalition,
        engagement=personas.engagement,
        text="Guarantee access to drinking water for Roma settlements",
    )
    water = Theme.objects.create(name="Right to water and sanitation")
    member = personas.client_for(personas.member)
    assert (
        meeting(
            member, personas, documents=[factsheet.pk], drafts=[draft.pk], themes=[water.pk], follow_up_due="2027-02-10"
        ).status_code
        == 302
    )
    assert meeting(member, personas, state=State.objects.get(iso3="FRA").pk, venue="mission").status_code == 302
    logged = AdvocacyMeeting.objects.get(state__iso3="NOR")
    assert list(logged.documents.all()) == [factsheet] and list(logged.drafts.all()) == [draft]
    assert "Norway" in logged.follow_up_task.title
    page = member.get(url(personas, "advocacy/?state=NOR")).content.decode()
    assert "Water factsheet" in page and "Permanent mission in Geneva" not in page.split('id="log-h"')[1].split('id="add-h"')[0]
    everything = member.get(url(personas, "advocacy/")).content.decode()
    assert "Permanent mission in Geneva" in everything and "Second secretary" in everything


def test_another_coalitions_documents_and_organisations_cannot_be_attached(personas):
    beta_org = MemberOrganisation.objects.get(coalition=personas.other)
    other_engagement = Engagement.objects.create(coalition=personas.other, review=personas.engagement.review)
    beta_doc = Document.objects.create(coalition=personas.other, engagement=other_engagement, kind="factsheet", title="Beta's")
    member = personas.client_for(personas.member)
    assert consultation(member, personas, attended=[beta_org.pk]).status_code == 400
    assert meeting(member, personas, documents=[beta_doc.pk]).status_code == 400
    assert not Consultation.objects.exists() and not AdvocacyMeeting.objects.exists()


def test_after_the_review_each_state_lobbied_is_set_against_what_it_recommended(personas):
    engagement, member = personas.engagement, personas.client_for(personas.member)
    water, health = Theme.objects.create(name="Water"), Theme.objects.create(name="Health")
    draft = DraftRecommendation.objects.create(coalition=personas.coalition, engagement=engagement, text="Ratify OP-ICESCR")
    nor, fra, deu, aut, ita = (State.objects.get(iso3=c) for c in ("NOR", "FRA", "DEU", "AUT", "ITA"))
    meeting(member, personas, themes=[water.pk])
    meeting(member, personas, state=fra.pk, themes=[water.pk])
    meeting(member, personas, state=deu.pk, drafts=[draft.pk])
    meeting(member, personas, state=aut.pk)
    meeting(member, personas, state=ita.pk, themes=[water.pk])
    assert {o.verdict for o in lobbying_outcome(engagement=engagement)} == {"pending"}

    on_water = RecommendationFactory(review=engagement.review, states=[nor])
    on_water.themes.set([water])
    RecommendationFactory(review=engagement.review, states=[fra]).themes.set([health])
    takes_up = RecommendationFactory(review=engagement.review, states=[deu])
    ImpactLink.objects.create(coalition=personas.coalition, draft=draft, recommendation=takes_up, decision="confirmed")
    RecommendationFactory(review=engagement.review, states=[aut])
    verdicts = {o.state.iso3: o.verdict for o in lobbying_outcome(engagement=engagement)}
    assert verdicts == {"NOR": "on_issues", "FRA": "other_issues", "DEU": "on_issues", "AUT": "not_compared", "ITA": "none"}
    page = member.get(url(personas, "advocacy/")).content.decode()
    assert "Recommended on the issues raised" in page and "Made no recommendation" in page


def test_the_secretariat_keeps_the_webcast_and_the_oral_statement_slot(personas):
    admin = personas.client_for(personas.admin)
    review = url(personas, "review/")
    page = admin.get(review).content.decode()
    assert "10 slots of 2 minutes" in page and "Adoption of the outcome" in page and "Outcome report" in page
    data = {
        "webcast_url": "https://webtv.un.org/en/asset/k1x/k1x2",
        "oral_statement": "signed_up",
        "oral_statement_by": personas.organisation.pk,
    }
    refused = admin.post(review, data)
    assert refused.status_code == 400 and "oral_statement_slot" in refused.context["form"].errors
    assert admin.post(review, {**data, "oral_statement_slot": "11"}).status_code == 400
    assert admin.post(review, {**data, "oral_statement_slot": "3"}).status_code == 302
    engagement = Engagement.objects.get(pk=personas.engagement.pk)
    assert engagement.oral_statement_slot == 3 and engagement.oral_statement_by == personas.organisation
    assert AuditEvent.objects.filter(action="engagement.update").exists()
    page = personas.client_for(personas.member).get(review).content.decode()
    assert "https://webtv.un.org/en/asset/k1x/k1x2" in page and "slot 3 of 10" in page
    assert personas.client_for(personas.editor).post(review, data).status_code == 403


def test_the_pre_session_statement_is_a_kind_of_document(personas):
    from upr.rules import DOCUMENT_KINDS

    assert "presession_statement" in DOCUMENT_KINDS


@pytest.mark.parametrize("page", ["consultations/", "advocacy/"])
def test_list_pages_cost_the_same_queries_whatever_the_number_of_records(personas, page):
    member = personas.client_for(personas.member)
    themes = [Theme.objects.create(name=f"Theme {n}") for n in range(3)]

    def add(n: int) -> None:
        for i in range(n):
            consultation(member, personas, follow_up_due="2027-02-01", place=f"Place {i}")
            meeting(
                member,
                personas,
                themes=[t.pk for t in themes],
                follow_up_due="2027-02-01",
                state=State.objects.order_by("pk")[i].pk,
            )
        for state in State.objects.filter(pk__in=AdvocacyMeeting.objects.values("state")):
            RecommendationFactory.create(review=personas.engagement.review, states=[state]).themes.set(themes[:1])

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert member.get(url(personas, page)).status_code == 200
        return len(queries)

    add(1)
    small = cost()
    add(6)
    assert cost() == small


def test_the_review_page_and_a_records_page_cost_the_same_queries_whatever_their_size(personas):
    from submissions import services as document_services

    admin = personas.client_for(personas.admin)
    consultation(admin, personas, follow_up_due="2027-02-01")
    record = Consultation.objects.get()
    pages = [url(personas, "review/"), url(personas, f"consultations/{record.pk}/")]

    def costs() -> list[int]:
        found = []
        for page in pages:
            with CaptureQueriesContext(connection) as queries:
                assert admin.get(page).status_code == 200
            found.append(len(queries))
        return found

    made = iter(range(100))

    def grow(n: int) -> None:
        for _ in range(n):
            i = next(made)
            document_services.document_create(
                coalition=personas.coalition,
                actor=personas.admin,
                engagement=personas.engagement,
                kind="oral_statement",
                title=f"Statement {i}",
            )
            record.attended.add(MemberOrganisation.objects.create(coalition=personas.coalition, name=f"Org {i}"))

    grow(1)
    small = costs()
    grow(5)
    assert costs() == small
