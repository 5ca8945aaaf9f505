"""The secretariat runs its coalition: organisations, people, roles, working groups, the audit trail."""

import re

import pytest

from coalitions.models import AuditEvent, Coalition, MemberOrganisation, Membership, Role, WorkingGroup

pytestmark = pytest.mark.django_db


def test_a_person_creates_a_coalition_and_becomes_its_admin(personas):
    client = personas.client_for(personas.member)
    response = client.post("/coalitions/new/", {"name": "Gamma", "slug": "gamma", "description": ""})
    assert response.status_code == 302 and response["Location"] == "/c/gamma/"
    membership = Membership.objects.get(coalition__slug="gamma", user=personas.member)
    assert membership.role == Role.ADMIN
    assert AuditEvent.objects.filter(coalition=membership.coalition, action="coalition.create").exists()


def test_a_duplicate_slug_is_refused_with_a_message_and_nothing_is_created(personas):
    client = personas.client_for(personas.member)
    response = client.post("/coalitions/new/", {"name": "Another", "slug": "alpha"})
    assert response.status_code == 200 and b"already uses this address" in response.content
    assert Coalition.objects.filter(slug="alpha").count() == 1
    assert not Coalition.objects.filter(name="Another").exists()


def test_admin_adds_a_member_organisation_with_the_cover_details(personas):
    client = personas.client_for(personas.admin)
    response = client.post(
        "/c/alpha/organisations/new/",
        {
            "name": "Defenders at Risk",
            "acronym": "DAR",
            "website": "https://dar.example.org",
            "activities": "Protection of defenders",
            "established_on": "2010-03-01",
            "ecosoc_status": "special",
            "withheld": "on",
        },
    )
    assert response.status_code == 302
    org = MemberOrganisation.objects.get(coalition=personas.coalition, name="Defenders at Risk")
    assert org.withheld and org.ecosoc_status == "special" and str(org.established_on) == "2010-03-01"
    page = client.get("/c/alpha/organisations/")
    assert b"name withheld" in page.content


def test_a_malformed_date_is_explained_and_the_saved_organisation_is_untouched(personas):
    client = personas.client_for(personas.admin)
    url = f"/c/alpha/organisations/{personas.organisation.pk}/"
    response = client.post(url, {"name": "Renamed", "established_on": "31/31/2020", "ecosoc_status": "none"})
    assert response.status_code == 200 and b"Enter a real date" in response.content
    personas.organisation.refresh_from_db()
    assert personas.organisation.name == "Centre for Equal Rights"


def test_an_organisation_name_is_unique_within_the_coalition(personas):
    client = personas.client_for(personas.admin)
    response = client.post("/c/alpha/organisations/new/", {"name": "centre for equal rights", "ecosoc_status": "none"})
    assert response.status_code == 200 and b"already has an organisation" in response.content


def test_admin_changes_a_role_with_htmx_and_the_trail_records_it(personas):
    client = personas.client_for(personas.admin)
    membership = personas.membership(personas.member)
    response = client.post(
        f"/c/alpha/members/{membership.pk}/", {"role": Role.EDITOR, "organisation": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and b"<tr" in response.content and b"saved" in response.content
    membership.refresh_from_db()
    assert membership.role == Role.EDITOR
    event = AuditEvent.objects.filter(action="membership.update").latest("created_at")
    assert event.actor == personas.admin and event.changes["role"] == ["member", "editor"]


def test_the_last_admin_cannot_step_down_or_be_removed(personas):
    client = personas.client_for(personas.admin)
    membership = personas.membership(personas.admin)
    response = client.post(f"/c/alpha/members/{membership.pk}/", {"role": Role.MEMBER})
    assert response.status_code == 400 and b"at least one admin" in response.content
    client.post(f"/c/alpha/members/{membership.pk}/remove/")
    assert Membership.objects.filter(pk=membership.pk, role=Role.ADMIN).exists()


def test_removing_a_person_ends_their_access_at_once(personas):
    member_client = personas.client_for(personas.member)
    assert member_client.get("/c/alpha/").status_code == 200
    admin = personas.client_for(personas.admin)
    response = admin.post(f"/c/alpha/members/{personas.membership(personas.member).pk}/remove/")
    assert response.status_code == 302
    assert member_client.get("/c/alpha/").status_code == 404
    assert member_client.get("/api/c/alpha/members/").status_code == 404
    assert AuditEvent.objects.filter(action="membership.remove").exists()


@pytest.mark.parametrize("who", ["editor", "member", "observer"])
def test_only_admins_manage_people_and_invitations(personas, who):
    client = personas.client_for(getattr(personas, who))
    assert client.get("/c/alpha/invitations/").status_code == 403
    assert client.post(f"/c/alpha/members/{personas.membership(personas.member).pk}/", {"role": "admin"}).status_code == 403
    assert client.get("/c/alpha/audit/").status_code == 403
    assert client.get("/c/alpha/members/").status_code == 200  # but everyone in the coalition sees who is in it
    assert personas.membership(personas.member).role == Role.MEMBER


def test_admin_creates_a_working_group_with_a_lead_who_is_also_a_member(personas):
    client = personas.client_for(personas.admin)
    lead = personas.membership(personas.observer)
    other = personas.membership(personas.member)
    response = client.post(
        "/c/alpha/groups/new/", {"name": "Roma rights", "theme": "Housing", "lead": lead.pk, "members": [other.pk]}
    )
    assert response.status_code == 302
    group = WorkingGroup.objects.get(coalition=personas.coalition, name="Roma rights")
    assert group.lead == lead and set(group.members.all()) == {lead, other}


def test_a_working_group_cannot_take_people_of_another_coalition(personas):
    client = personas.client_for(personas.admin)
    foreigner = Membership.objects.get(user=personas.outsider)
    response = client.post("/c/alpha/groups/new/", {"name": "Sneaky", "lead": foreigner.pk})
    assert response.status_code == 200 and b"Select a valid choice" in response.content
    assert not WorkingGroup.objects.filter(name="Sneaky").exists()


def test_the_audit_trail_shows_who_changed_what_and_when(personas):
    client = personas.client_for(personas.admin)
    client.post(
        f"/c/alpha/organisations/{personas.organisation.pk}/", {"name": "CER renamed", "ecosoc_status": "none", "acronym": "CER"}
    )
    page = client.get("/c/alpha/audit/")
    assert page.status_code == 200
    assert b"changed the organisation" in page.content and b"CER renamed" in page.content
    assert personas.admin.name.encode() in page.content
    # Another coalition's trail is not there.
    assert not AuditEvent.objects.filter(coalition=personas.other).filter(target_label__contains="CER").exists()


def test_switching_between_coalitions(personas):
    from tests.factories import MembershipFactory

    MembershipFactory(coalition=personas.other, user=personas.member, role=Role.OBSERVER)
    client = personas.client_for(personas.member)
    home = client.get("/")
    assert b"/c/alpha/" in home.content and b"/c/beta/" in home.content
    assert client.get("/c/beta/").status_code == 200
    page = client.get("/c/alpha/")
    assert b'aria-current="page">Alpha Coalition' in page.content


def test_every_audited_action_has_a_readable_label(personas):
    import inspect
    import re

    from coalitions import services
    from coalitions.models import AUDIT_ACTIONS

    used = set(re.findall(r'action="([a-z_]+\.[a-z]+)"', inspect.getsource(services)))
    assert used and used <= set(AUDIT_ACTIONS), used - set(AUDIT_ACTIONS)


def test_the_dashboard_counts_the_coalitions_people_organisations_groups_and_open_invitations(personas):
    page = personas.client_for(personas.admin).get("/c/alpha/")
    text = page.content.decode()
    for figure in ("1 member organisation", "4 people", "1 working group", "1 pending invitation"):
        assert figure in text, figure
    assert "Slovenia, session 48" in text


def test_the_cached_dashboard_shows_every_change_at_once(personas):
    from coalitions import services

    client = personas.client_for(personas.admin)
    assert "1 pending invitation" in client.get("/c/alpha/").content.decode()
    services.invitation_create(coalition=personas.coalition, actor=personas.admin, email="second@example.org", role=Role.MEMBER)
    assert "2 pending invitations" in client.get("/c/alpha/").content.decode()
    services.organisation_save(coalition=personas.coalition, actor=personas.admin, data={"name": "Second Org"})
    assert "2 member organisations" in client.get("/c/alpha/").content.decode()
    # Another member's cached dashboard is theirs alone: the observer sees no invitation figures.
    observer_page = personas.client_for(personas.observer).get("/c/alpha/").content.decode()
    assert "pending invitation" not in observer_page and "2 member organisations" in observer_page


def test_the_people_list_pages_by_fifty_in_email_order_and_escapes_what_people_typed(personas):
    from accounts.models import User

    users = User.objects.bulk_create([User(email=f"zz{i:02d}@example.org", name="") for i in range(56)])
    Membership.objects.bulk_create(
        [Membership(coalition=personas.coalition, user=u, organisation=personas.organisation) for u in users]
    )
    personas.member.name = '<script>alert("x")</script>'
    personas.member.save()
    client = personas.client_for(personas.admin)
    first = client.get("/c/alpha/members/").content.decode()
    assert first.count('<tr id="member-') == 50
    assert "<script>alert" not in first and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in first
    second = client.get("/c/alpha/members/?page=2").content.decode()
    assert second.count('<tr id="member-') == 10 and "zz55@example.org" in second and "Centre for Equal Rights" in second
    emails = re.findall(r'<tr id="member-\d+"><td>(?:[^<]*<span class="muted">)?([^<]+@[^<]+)<', first)
    assert emails == sorted(emails)
    assert client.get("/c/alpha/members/?page=abc").status_code == 200
    # A member (not admin) sees the list without the admin's actions.
    member_page = personas.client_for(personas.observer).get("/c/alpha/members/").content.decode()
    assert "formaction=" not in member_page and 'id="remove-member"' not in member_page


@pytest.mark.parametrize("language", ["fr", "es"])
def test_pages_render_in_the_upr_working_languages(personas, language):
    client = personas.client_for(personas.admin)
    client.post("/i18n/language/", {"language": language, "next": "/"})  # the chooser at the foot of every page
    for url in ("/", "/c/alpha/", "/c/alpha/members/", f"/c/alpha/engagements/{personas.engagement.pk}/", "/calendar/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}" dir="ltr">' in response.content.decode(), url
