"""An organisation whose name is withheld (at risk of reprisals) never leads a submission, and its
name never leaves the coalition: not on a cover, in an export or a snapshot, nor to an observer
(pages, API). The coalition's own people (secretariat, editors, members) read it."""

import io
import json

import docx
import pypdf
import pytest
from django.core import mail
from django.urls import reverse

from coalitions.models import AuditEvent, MemberOrganisation, Membership
from submissions import selectors, services
from submissions.models import Document, ExportJob, Snapshot
from workplan.models import Consultation, Task

from .helpers import joint_submission

pytestmark = pytest.mark.django_db
JSON = "application/json"
HIDDEN = "Defenders at Risk"


def url(name: str, *args) -> str:
    return reverse(f"documents:{name}", args=("alpha", *args))


def api(path: str) -> str:
    return f"/api/c/alpha/{path}"


@pytest.fixture
def at_risk(personas):
    return MemberOrganisation.objects.create(
        coalition=personas.coalition,
        name=HIDDEN,
        acronym="DAR",
        withheld=True,
        website="https://dar.example.org",
        activities="Documents torture",
    )


@pytest.fixture
def joint(personas):
    return joint_submission(personas, group_first=False)


def contact_of(personas, organisation):
    """The member persona speaks for `organisation` from now on."""
    membership = Membership.objects.get(user=personas.member)
    membership.organisation = organisation
    membership.save()
    return membership


def signed_by(personas, document, organisation, named=True):
    (sign_on,) = services.signon_request(document=document, actor=personas.admin, organisations=[organisation])
    return services.signon_answer(sign_on=sign_on, membership=contact_of(personas, organisation), sign=True, named=named)


# --- a withheld organisation cannot lead ---------------------------------------------------------


def test_a_withheld_organisation_cannot_lead_and_the_page_says_why_and_the_usual_route(personas, at_risk):
    admin = personas.client_for(personas.admin)
    response = admin.post(
        reverse("documents:list", args=["alpha", personas.engagement.pk]),
        {"kind": "joint_submission", "title": "Ours", "language": "en", "lead_organisation": at_risk.pk},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "cannot be the lead submitter" in page and "OHCHR publishes" in page
    assert "international partner organisation" in page and "without being named" in page
    assert not Document.objects.filter(title="Ours").exists()
    # The choice list marks it, so nobody is surprised by the refusal.
    assert (
        "Defenders at Risk (DAR) (name withheld: cannot lead)"
        in admin.get(reverse("documents:list", args=["alpha", personas.engagement.pk])).content.decode()
    )


def test_the_service_refuses_a_withheld_lead_for_every_kind(personas, at_risk):
    from django.core.exceptions import ValidationError

    for kind in ("joint_submission", "individual_submission", "factsheet"):
        with pytest.raises(ValidationError) as refused:
            services.document_create(
                coalition=personas.coalition,
                actor=personas.admin,
                engagement=personas.engagement,
                kind=kind,
                title=kind,
                lead_organisation=at_risk,
            )
        assert "lead_organisation" in refused.value.message_dict
    assert not Document.objects.exists()


def test_the_api_refuses_a_withheld_lead_with_the_services_message(personas, at_risk, joint):
    admin = personas.client_for(personas.admin)
    refused = admin.post(
        api("documents/"),
        {"engagement": personas.engagement.pk, "kind": "joint_submission", "title": "Ours", "lead_organisation": at_risk.pk},
        content_type=JSON,
    )
    assert refused.status_code == 400
    assert "cannot be the lead submitter" in refused.json()["lead_organisation"][0]
    changed = admin.patch(api(f"documents/{joint.pk}/"), {"lead_organisation": at_risk.pk}, content_type=JSON)
    assert changed.status_code == 400 and "international partner" in changed.json()["lead_organisation"][0]
    assert Document.objects.get(pk=joint.pk).lead_organisation == personas.organisation


def test_the_lead_can_be_handed_to_a_partner_in_the_settings_and_never_to_a_withheld_one(personas, at_risk, joint):
    admin = personas.client_for(personas.admin)
    partner = MemberOrganisation.objects.create(coalition=personas.coalition, name="International Partner")
    services.signon_request(document=joint, actor=personas.admin, organisations=[partner])
    settings = {"title": joint.title, "language": "en", "keywords": "", "period_covered": ""}
    admin.post(url("settings", joint.pk), {**settings, "lead_organisation": at_risk.pk})
    assert Document.objects.get(pk=joint.pk).lead_organisation == personas.organisation
    assert "cannot be the lead submitter" in admin.get(url("detail", joint.pk)).content.decode()
    admin.post(url("settings", joint.pk), {**settings, "lead_organisation": partner.pk})
    assert Document.objects.get(pk=joint.pk).lead_organisation == partner
    assert not joint.sign_ons.filter(organisation=partner).exists()  # it leads: no longer asked to sign
    admin.post(url("settings", joint.pk), {**settings, "title": "Renamed"})  # the lead left out: unchanged
    assert Document.objects.get(pk=joint.pk).lead_organisation == partner
    foreign = MemberOrganisation.objects.get(name="Beta Org")
    assert admin.patch(api(f"documents/{joint.pk}/"), {"lead_organisation": foreign.pk}, content_type=JSON).status_code == 400
    back = admin.patch(api(f"documents/{joint.pk}/"), {"lead_organisation": personas.organisation.pk}, content_type=JSON)
    assert back.status_code == 200 and back.json()["lead_organisation"] == personas.organisation.pk


def test_an_organisation_cannot_be_marked_withheld_while_it_leads_a_document_not_yet_submitted(personas, joint):
    admin = personas.client_for(personas.admin)
    lead = personas.organisation
    edit = reverse("coalitions:organisation_edit", args=["alpha", lead.pk])
    response = admin.post(edit, {"name": lead.name, "acronym": lead.acronym, "ecosoc_status": "none", "withheld": "on"})
    page = response.content.decode()
    assert response.status_code == 200 and "It is the lead submitter of" in page and "Joint submission on equality" in page
    assert not MemberOrganisation.objects.get(pk=lead.pk).withheld
    refused = admin.patch(api(f"organisations/{lead.pk}/"), {"withheld": True}, content_type=JSON)
    assert refused.status_code == 400 and "lead submitter" in refused.json()["withheld"][0]
    # Once submitted (the name is published already), the organisation can be protected from now on.
    Document.objects.filter(pk=joint.pk).update(status="submitted")
    assert admin.patch(api(f"organisations/{lead.pk}/"), {"withheld": True}, content_type=JSON).status_code == 200


# --- existing data: a lead withheld before leads were refused ------------------------------------


def test_a_document_whose_lead_is_withheld_is_flagged_cannot_be_final_and_no_export_names_it(
    personas, joint, django_capture_on_commit_callbacks
):
    partner = MemberOrganisation.objects.create(coalition=personas.coalition, name="Partner Org")
    signed_by(personas, joint, partner)
    MemberOrganisation.objects.filter(pk=personas.organisation.pk).update(withheld=True)  # as older data may have it
    admin = personas.client_for(personas.admin)
    page = selectors.document_page(Document.objects.get(pk=joint.pk))
    assert [o.name for o in page.submitters.named] == ["Partner Org"] and page.submitters.unnamed == 1
    checks = {c.label: c for c in selectors.presubmission_checks(page, deadline=None, exported_docx=False)}
    assert checks["A lead submitter OHCHR can name"].ok is False
    detail = admin.get(url("detail", joint.pk)).content.decode()
    cover = detail.split('data-count-key="cover">')[1].split("</div>")[0]
    assert "Centre for Equal Rights" not in cover and "and 1 organisation" in cover
    admin.post(url("status", joint.pk), {"to": "final"})
    assert Document.objects.get(pk=joint.pk).status == "draft"
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(url("export_create", joint.pk), {"format": "docx"})
        admin.post(url("export_create", joint.pk), {"format": "pdf"})
    jobs = {job.format: job for job in ExportJob.objects.all()}
    word = docx.Document(io.BytesIO(admin.get(url("export_download", joint.pk, jobs["docx"].pk)).content))
    text = "\n".join(p.text for p in word.paragraphs) + "\n".join(c.text for t in word.tables for r in t.rows for c in r.cells)
    assert "Partner Org" in text and "Centre for Equal Rights" not in text and "CER" not in text
    pdf = pypdf.PdfReader(io.BytesIO(admin.get(url("export_download", joint.pk, jobs["pdf"].pk)).content))
    pdf_text = "".join(p.extract_text() for p in pdf.pages)
    assert "Partner Org" in pdf_text and "Centre for Equal Rights" not in pdf_text


def test_a_co_signer_withheld_after_signing_named_is_counted_in_the_snapshot_not_named(
    personas, joint, at_risk, django_capture_on_commit_callbacks
):
    MemberOrganisation.objects.filter(pk=at_risk.pk).update(withheld=False)
    signed_by(personas, joint, MemberOrganisation.objects.get(pk=at_risk.pk), named=True)
    MemberOrganisation.objects.filter(pk=at_risk.pk).update(withheld=True)  # at risk since it signed
    admin = personas.client_for(personas.admin)
    admin.post(url("status", joint.pk), {"to": "final"})
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(url("status", joint.pk), {"to": "submitted"})
    snapshot = Snapshot.objects.get(document=joint)
    assert HIDDEN not in json.dumps(snapshot.outline) and snapshot.outline["unnamed_count"] == 1
    word = docx.Document(io.BytesIO(bytes(snapshot.docx)))
    assert HIDDEN not in "\n".join(p.text for p in word.paragraphs)
    assert HIDDEN not in "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(bytes(snapshot.pdf))).pages)
    assert "Centre for Equal Rights" in "\n".join(p.text for p in word.paragraphs)


# --- observers never read a withheld name; the coalition's people do -----------------------------


def test_observers_see_a_withheld_co_signer_counted_never_named_on_the_page_and_in_the_api(personas, joint, at_risk):
    assert signed_by(personas, joint, at_risk, named=True).named is False  # withheld: never named, whatever the box said
    observer, member = personas.client_for(personas.observer), personas.client_for(personas.member)
    page = observer.get(url("detail", joint.pk)).content.decode()
    assert HIDDEN not in page and "DAR" not in page and "An organisation that is not named" in page
    mine = member.get(url("detail", joint.pk)).content.decode()
    assert HIDDEN in mine and "counted among the submitters, never named" in mine and 'name="named"' not in mine
    listed = observer.get(api(f"documents/{joint.pk}/sign-ons/")).json()
    assert [s["organisation"] for s in listed] == [None]
    assert [s["organisation"] for s in observer.get(api("sign-ons/")).json()["results"]] == [None]
    assert [s["organisation"] for s in member.get(api("sign-ons/")).json()["results"]] == [at_risk.pk]


def test_observers_get_no_withheld_organisation_in_lists_people_consultations_tasks_or_the_api(personas, at_risk):
    contact_of(personas, at_risk)
    consultation = Consultation.objects.create(
        coalition=personas.coalition, engagement=personas.engagement, kind="state", held_on="2027-01-20", place="Ljubljana"
    )
    consultation.attended.set([at_risk, personas.organisation])
    Task.objects.create(
        coalition=personas.coalition,
        engagement=personas.engagement,
        title="Collect testimonies",
        due_at="2027-03-01T12:00:00Z",
        organisation=at_risk,
    )
    observer, member = personas.client_for(personas.observer), personas.client_for(personas.member)
    pages = {
        "organisations": reverse("coalitions:organisations", args=["alpha"]),
        "people": reverse("coalitions:members", args=["alpha"]),
        "consultations": f"/c/alpha/engagements/{personas.engagement.pk}/consultations/",
        "engagement": reverse("workplan:engagement", args=["alpha", personas.engagement.pk]),
    }
    for name, page in pages.items():
        seen = observer.get(page)
        assert seen.status_code == 200 and HIDDEN not in seen.content.decode(), name
        assert HIDDEN in member.get(page).content.decode(), name
    assert "And 1 organisation that is not named" in observer.get(pages["organisations"]).content.decode()
    names = [o["name"] for o in observer.get(api("organisations/")).json()["results"]]
    assert names == ["Centre for Equal Rights"]
    assert observer.get(api(f"organisations/{at_risk.pk}/")).status_code == 404
    assert member.get(api(f"organisations/{at_risk.pk}/")).json()["name"] == HIDDEN
    attended = observer.get(api(f"consultations/{consultation.pk}/")).json()["attended"]
    assert attended == [personas.organisation.pk]
    people = {p["email"]: p["organisation"] for p in observer.get(api("members/")).json()["results"]}
    assert people["member@alpha.example.org"] is None and people["editor@alpha.example.org"] == personas.organisation.pk
    assert [t["organisation"] for t in observer.get(api("tasks/")).json()["results"]] == [None]
    assert [t["organisation"] for t in member.get(api("tasks/")).json()["results"]] == [at_risk.pk]


def test_observers_read_no_audit_trail_and_the_trail_names_no_withheld_organisation(personas, joint, at_risk):
    services.signon_request(document=joint, actor=personas.admin, organisations=[at_risk])
    observer = personas.client_for(personas.observer)
    assert observer.get(reverse("coalitions:audit", args=["alpha"])).status_code in (403, 404)
    assert observer.get(api("audit-events/")).status_code in (403, 404)
    assert HIDDEN not in observer.get(reverse("coalitions:dashboard", args=["alpha"])).content.decode()
    assert HIDDEN not in json.dumps(list(AuditEvent.objects.values("target_label", "changes")))
    assert HIDDEN not in personas.client_for(personas.admin).get(reverse("coalitions:audit", args=["alpha"])).content.decode()


def test_the_email_asking_a_withheld_organisation_to_sign_names_nobody(
    personas, joint, at_risk, django_capture_on_commit_callbacks
):
    contact_of(personas, at_risk)
    with django_capture_on_commit_callbacks(execute=True):
        services.signon_request(document=joint, actor=personas.admin, organisations=[at_risk])
    (message,) = mail.outbox
    assert HIDDEN not in message.subject + message.body and "DAR" not in message.body
    assert joint.title not in message.body and "Centre for Equal Rights" not in message.body


def test_outsiders_get_404_for_the_withheld_rules_pages_and_api(personas, joint, at_risk):
    outsider = personas.client_for(personas.outsider)
    assert outsider.get(reverse("coalitions:organisations", args=["alpha"])).status_code == 404
    assert outsider.get(api(f"organisations/{at_risk.pk}/")).status_code == 404
    assert outsider.patch(api(f"documents/{joint.pk}/"), {"lead_organisation": at_risk.pk}, content_type=JSON).status_code == 404
    assert outsider.post(url("settings", joint.pk), {"title": "x", "lead_organisation": at_risk.pk}).status_code == 404


def test_the_pages_an_observer_reads_cost_the_same_queries_with_one_or_many_withheld_organisations(
    personas, joint, django_assert_max_num_queries
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    observer = personas.client_for(personas.observer)
    pages = [
        reverse("coalitions:organisations", args=["alpha"]),
        reverse("coalitions:members", args=["alpha"]),
        f"/c/alpha/engagements/{personas.engagement.pk}/consultations/",
        reverse("documents:list", args=["alpha", personas.engagement.pk]),
        url("detail", joint.pk),
    ]

    def withheld_signers(n: int) -> None:
        start = MemberOrganisation.objects.count()
        organisations = [
            MemberOrganisation.objects.create(coalition=personas.coalition, name=f"At risk {start + i}", withheld=True)
            for i in range(n)
        ]
        services.signon_request(document=joint, actor=personas.admin, organisations=organisations)
        consultation = Consultation.objects.create(
            coalition=personas.coalition, engagement=personas.engagement, kind="state", held_on="2027-01-20", place="Ljubljana"
        )
        consultation.attended.set(organisations)

    withheld_signers(1)
    counts = {}
    for page in pages:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert observer.get(page).status_code == 200
        counts[page] = len(captured)
    withheld_signers(10)
    for page in pages:
        cache.clear()
        with django_assert_max_num_queries(counts[page]):
            body = observer.get(page).content.decode()
        assert "At risk" not in body, page
