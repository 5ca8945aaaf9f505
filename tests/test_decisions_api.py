"""The decisions API (/api/c/<slug>/decisions/): the same decisions as the pages, scoped by coalition (an
outsider gets 404 everywhere), the roles' rules, the withheld organisation counted but named to the
secretariat only, and bad input answered 400 with nothing changed."""

import datetime as dt

import pytest
from django.utils import timezone

from coalitions.models import AuditEvent
from submissions.models import Decision, DecisionStatus, SignOn, Vote
from submissions.selectors.decisions import APPROVE, OBJECT
from submissions.services import decisions

from .decision_setup import open_decision, option, vote, voters

pytestmark = pytest.mark.django_db
JSON = "application/json"


def api(path: str = "") -> str:
    return f"/api/c/alpha/decisions/{path}"


def body(document_id: int, **changes) -> dict:
    return {
        "document": document_id,
        "title": "Approve the final text",
        "kind": "approve",
        "closes_at": (timezone.now() + dt.timedelta(days=2)).isoformat(),
        **changes,
    }


def test_the_secretariat_opens_a_decision_and_everyone_in_the_coalition_reads_it(personas):
    v = voters(personas)
    admin = personas.client_for(personas.admin)
    created = admin.post(api(), body(v.document.pk, closes_at="2027-01-20T15:00:00"), content_type=JSON)
    assert created.status_code == 201, created.json()
    data = created.json()
    decision = Decision.objects.get()
    # Without an offset, the closing time is read as Geneva's (15:00 CET is 14:00 UTC in January).
    assert decision.closes_at == dt.datetime(2027, 1, 20, 14, 0, tzinfo=dt.UTC)
    assert [o["label"] for o in data["options"]] == ["Approve", "Object", "Abstain"]
    assert (data["state"], data["text_unchanged"], data["text_digest"]) == ("open", True, decision.text_digest)
    for user in (personas.editor, personas.member, personas.observer):
        client = personas.client_for(user)
        assert [d["id"] for d in client.get(api(), {"document": v.document.pk}).json()["results"]] == [decision.pk]
        assert client.get(api(f"{decision.pk}/")).json()["title"] == "Approve the final text"
        assert client.post(api(), body(v.document.pk), content_type=JSON).status_code == 403
        assert client.post(api(f"{decision.pk}/close/")).status_code == 403
        assert client.post(api(f"{decision.pk}/cancel/")).status_code == 403
        assert client.post(api(f"{decision.pk}/sign-ons/")).status_code == 403
    assert Decision.objects.count() == 1 and Decision.objects.get().status == DecisionStatus.OPEN


def test_an_outsider_gets_404_on_every_decision_endpoint_and_cannot_use_alphas_document(personas):
    v = voters(personas)
    decision = open_decision(personas, v.document)
    outsider = personas.client_for(personas.outsider)
    assert outsider.get(api()).status_code == 404
    assert outsider.post(api(), body(v.document.pk), content_type=JSON).status_code == 404
    for path in (
        f"{decision.pk}/",
        f"{decision.pk}/vote/",
        f"{decision.pk}/close/",
        f"{decision.pk}/cancel/",
        f"{decision.pk}/sign-ons/",
    ):
        assert outsider.get(api(path)).status_code == 404, path
        assert outsider.post(api(path), {"option": option(decision, APPROVE)}, content_type=JSON).status_code == 404, path
    # In beta's own API, alpha's document id is refused like an id that does not exist.
    refused = outsider.post("/api/c/beta/decisions/", body(v.document.pk), content_type=JSON)
    assert refused.status_code == 400 and "document" in refused.json()
    assert outsider.get(f"/api/c/beta/decisions/{decision.pk}/").status_code == 404
    assert Decision.objects.count() == 1 and not Vote.objects.exists()


def test_a_contact_votes_for_the_organisation_and_an_observer_or_a_loner_cannot(personas):
    v = voters(personas)
    decision = open_decision(personas, v.document)
    answer = personas.client_for(v.rrw_member).post(
        api(f"{decision.pk}/vote/"), {"option": option(decision, OBJECT), "reason": "A witness is named."}, content_type=JSON
    )
    assert answer.status_code == 200
    assert answer.json()["my_vote"] == option(decision, OBJECT) and answer.json()["tally"]["voters"] == 1
    changed = personas.client_for(v.rrw_editor).post(
        api(f"{decision.pk}/vote/"), {"option": option(decision, APPROVE)}, content_type=JSON
    )
    assert changed.json()["votes"][0]["option"] == option(decision, APPROVE) and Vote.objects.count() == 1
    assert (
        personas.client_for(personas.observer)
        .post(api(f"{decision.pk}/vote/"), {"option": option(decision, APPROVE)}, content_type=JSON)
        .status_code
        == 403
    )
    loner = personas.client_for(v.loner).post(
        api(f"{decision.pk}/vote/"), {"option": option(decision, APPROVE)}, content_type=JSON
    )
    assert loner.status_code == 403 and "contact votes" in loner.json()["detail"]
    assert Vote.objects.count() == 1


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"closes_at": "2020-01-01T10:00:00Z"}, "closing time has passed"),
        ({"closes_at": "not a date"}, "closes_at"),
        ({"closes_at": "9999-12-31T23:59:59+14:00"}, "closes within a year"),
        ({"kind": "choose", "options": ["Only one"]}, "at least two options"),
        ({"kind": "choose", "options": ["A", "B"] * 11}, "options"),
        ({"kind": "referendum"}, "kind"),
        ({"title": ""}, "title"),
        ({"document": 2**62}, "document"),
    ],
)
def test_bad_openings_answer_400_and_keep_nothing(personas, changes, field):
    v = voters(personas)
    response = personas.client_for(personas.admin).post(api(), body(v.document.pk, **changes), content_type=JSON)
    assert response.status_code == 400 and field in str(response.json())
    assert not Decision.objects.exists()


def test_bad_votes_answer_400(personas):
    v = voters(personas)
    decision = open_decision(personas, v.document)
    other = open_decision(personas, v.document, kind="choose", options=["A", "B"], title="Choose")
    member = personas.client_for(personas.member)
    for data in (
        {"option": option(other, 0)},
        {"option": "approve"},
        {},
        {"option": 2**63},
        {"option": option(decision, 0), "reason": "x" * 2001},
    ):
        assert member.post(api(f"{decision.pk}/vote/"), data, content_type=JSON).status_code == 400, data
    decisions.decision_close(decision=decision, membership=personas.membership(personas.admin))
    late = member.post(api(f"{decision.pk}/vote/"), {"option": option(decision, APPROVE)}, content_type=JSON)
    assert late.status_code == 400 and "has closed" in str(late.json())
    assert not Vote.objects.exists()


def test_a_withheld_organisation_is_counted_for_all_and_named_to_the_secretariat_only(personas):
    v = voters(personas)
    decision = open_decision(personas, v.document)
    vote(v.m(v.hidden_member), decision, OBJECT, reason="Our staff were threatened.")
    vote(v.m(v.rrw_member), decision, APPROVE, reason="Good text.")
    admin = personas.client_for(personas.admin).get(api(f"{decision.pk}/")).json()
    named = {vote["organisation_name"]: vote for vote in admin["votes"]}
    assert named["Safe Harbour Defenders"]["organisation"] == v.hidden.pk
    assert named["Safe Harbour Defenders"]["reason"] == "Our staff were threatened."
    for user in (personas.observer, personas.member, personas.editor):
        data = personas.client_for(user).get(api(f"{decision.pk}/")).json()
        hidden = next(vote for vote in data["votes"] if vote["option"] == option(decision, OBJECT))
        assert hidden == {**hidden, "organisation": None, "organisation_name": None, "reason": "", "cast_by": None}
        assert data["tally"]["voters"] == 2 and data["options"][1]["votes"] == 1
        listed = personas.client_for(user).get(api()).json()["results"]
        assert (
            "Safe Harbour" not in str(listed)
            and "threatened" not in str(listed)
            and str(v.hidden.pk) not in str([vote["organisation"] for d in listed for vote in d["votes"]])
        )
        assert "Roma Rights Watch" in str(data)
    own = personas.client_for(v.hidden_member).get(api(f"{decision.pk}/")).json()
    assert any(vote["organisation_name"] == "Safe Harbour Defenders" and vote["mine"] for vote in own["votes"])


def test_close_cancel_and_the_sign_on_of_the_approved_version_through_the_api(personas):
    v = voters(personas)
    decision = open_decision(personas, v.document)
    withdrawn = open_decision(personas, v.document, title="Withdrawn")
    vote(v.m(v.rrw_member), decision, APPROVE)
    admin = personas.client_for(personas.admin)
    closed = admin.post(api(f"{decision.pk}/close/"))
    assert closed.status_code == 200 and closed.json()["state"] == "closed" and closed.json()["recorded"]
    assert closed.json()["approved"] and closed.json()["tally"]["chosen"] == [option(decision, APPROVE)]
    assert admin.post(api(f"{decision.pk}/close/")).status_code == 400  # once
    assert admin.post(api(f"{withdrawn.pk}/cancel/")).json()["state"] == "cancelled"
    asked = admin.post(api(f"{decision.pk}/sign-ons/"))
    assert asked.status_code == 200 and [s["organisation"] for s in asked.json()] == [v.rrw.pk]
    assert SignOn.objects.get().status == "requested"
    assert admin.post(api(f"{withdrawn.pk}/sign-ons/")).status_code == 400
    assert list(AuditEvent.objects.filter(action__startswith="decision.").order_by("pk").values_list("action", flat=True)) == [
        "decision.open",
        "decision.open",
        "decision.vote",
        "decision.close",
        "decision.cancel",
        "decision.signon",
    ]
