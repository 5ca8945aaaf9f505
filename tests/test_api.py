"""The JSON API: token and session authentication, scoped by coalition, documented."""

import datetime as dt

import pytest
from django.test import Client

from coalitions.models import Invitation, Membership, Milestone, Role

from .helpers import token_client

pytestmark = pytest.mark.django_db


def test_token_authentication_lists_only_my_coalitions_with_my_role(personas):
    response = token_client(personas.editor).get("/api/coalitions/")
    assert response.status_code == 200
    assert [(c["slug"], c["role"]) for c in response.json()["results"]] == [("alpha", "editor")]


def test_a_bad_token_is_refused():
    assert Client(HTTP_AUTHORIZATION="Token nope").get("/api/coalitions/").status_code == 401


def test_members_read_people_organisations_groups_engagements(personas):
    client = token_client(personas.observer)
    assert {m["email"] for m in client.get("/api/c/alpha/members/").json()["results"]} >= {personas.admin.email}
    assert client.get("/api/c/alpha/organisations/").json()["results"][0]["acronym"] == "CER"
    assert client.get("/api/c/alpha/working-groups/").json()["results"][0]["name"] == "Equality"
    engagement = client.get("/api/c/alpha/engagements/").json()["results"][0]
    assert engagement["state"] == "Slovenia" and engagement["session"] == 48
    timeline = client.get(f"/api/c/alpha/engagements/{engagement['id']}/timeline/").json()
    assert {"kind": "review", "date": "2025-01-28"}.items() <= next(t for t in timeline if t["kind"] == "review").items()


def test_admin_invites_changes_a_role_and_removes_a_person_through_the_api(personas):
    client = token_client(personas.admin)
    response = client.post(
        "/api/c/alpha/invitations/",
        {"email": "api.person@example.org", "role": "editor", "organisation": personas.organisation.pk},
        content_type="application/json",
    )
    assert response.status_code == 201 and "token" not in response.json()
    assert Invitation.objects.get(email="api.person@example.org").role == Role.EDITOR
    member = personas.membership(personas.member)
    response = client.patch(f"/api/c/alpha/members/{member.pk}/", {"role": "editor"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["role"] == "editor"
    assert client.delete(f"/api/c/alpha/members/{member.pk}/").status_code == 204
    assert not Membership.objects.filter(pk=member.pk).exists()
    events = client.get("/api/c/alpha/audit-events/").json()["results"]
    assert [e["action"] for e in events[:3]] == ["membership.remove", "membership.update", "invitation.create"]


def test_api_errors_are_clear_and_save_nothing(personas):
    client = token_client(personas.admin)
    response = client.post(
        "/api/c/alpha/invitations/", {"email": personas.member.email, "role": "member"}, content_type="application/json"
    )
    assert response.status_code == 400 and "already a member" in str(response.json())
    response = client.post(
        "/api/c/alpha/organisations/", {"name": "X", "established_on": "2020-13-45"}, content_type="application/json"
    )
    assert response.status_code == 400 and "established_on" in response.json()
    response = client.post("/api/coalitions/", {"name": "Dup", "slug": "alpha"}, content_type="application/json")
    assert response.status_code == 400
    last_admin = personas.membership(personas.admin)
    response = client.patch(f"/api/c/alpha/members/{last_admin.pk}/", {"role": "member"}, content_type="application/json")
    assert response.status_code == 400 and "at least one admin" in str(response.json())


def test_milestone_date_override_through_the_api(personas):
    client = token_client(personas.admin)
    milestone = Milestone.objects.get(engagement=personas.engagement, kind="adoption")
    url = f"/api/c/alpha/engagements/{personas.engagement.pk}/milestones/{milestone.pk}/"
    response = client.patch(url, {"date": "2025-07-07"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["date"] == "2025-07-07" and response.json()["overridden"]
    assert client.patch(url, {"date": "7 July"}, content_type="application/json").status_code == 400
    milestone.refresh_from_db()
    assert milestone.override_date == dt.date(2025, 7, 7)


def test_read_only_roles_cannot_write(personas):
    client = token_client(personas.member)
    assert client.post("/api/c/alpha/organisations/", {"name": "Mine"}, content_type="application/json").status_code == 403
    assert client.get("/api/c/alpha/invitations/").status_code == 403


def test_a_foreign_organisation_id_is_refused_as_unknown(personas):
    client = token_client(personas.admin)
    foreign = personas.other
    from coalitions.models import MemberOrganisation

    beta_org = MemberOrganisation.objects.get(coalition=foreign)
    member = personas.membership(personas.member)
    response = client.patch(f"/api/c/alpha/members/{member.pk}/", {"organisation": beta_org.pk}, content_type="application/json")
    assert response.status_code == 400
    member.refresh_from_db()
    assert member.organisation_id != beta_org.pk


def test_reference_data_endpoints(personas):
    client = token_client(personas.observer)
    assert client.get("/api/states/SVN/").json()["name"] == "Slovenia"
    reviews = client.get("/api/reviews/?state=svn").json()["results"]
    assert [r["session"] for r in reviews] == [7, 20, 34, 48]
    assert client.get("/api/sessions/48/").json()["start_date"] == "2025-01-20"
    assert client.get("/api/reviews/?session=abc").json()["results"] == []


def test_schema_and_docs_are_served(personas):
    client = personas.client_for(personas.admin)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/c/{coalition_slug}/members/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn.jsdelivr" not in docs.content and b"/static/drf_spectacular_sidecar/" in docs.content


def test_schema_generates_without_warnings():
    import io

    from django.core.management import call_command

    err = io.StringIO()
    call_command("spectacular", "--fail-on-warn", "--validate", stdout=io.StringIO(), stderr=err)
