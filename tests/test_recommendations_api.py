"""The recommendations and draft recommendations through the API, scoped by coalition.

Data: the three real OHCHR thematic lists of Slovenia (SVN-48: 254 recommendations, 217 supported and
37 noted; SVN-34; SVN-20), with the earlier-cycle suggestions computed as after an import.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

from coalitions import services as coalition_services
from coalitions.models import AuditEvent, Engagement, WorkingGroup
from recommendations import services
from recommendations.models import CoalitionRecommendation, CrossCycleLink, Recommendation, ResponseRecord, SimilarRecommendation
from recommendations.row_import import import_thematic_list
from submissions.models import DraftRecommendation, ImpactLink
from upr.models import Review, State

from .helpers import THEMATIC_LISTS, token_client

pytestmark = pytest.mark.django_db

JSON = "application/json"


@dataclass
class Slovenia:
    reviews: dict[int, Review]

    def recommendation(self, paragraph: str, session: int = 48) -> Recommendation:
        return Recommendation.objects.get(review=self.reviews[session], paragraph=paragraph)


def import_reviews(*sessions: int) -> Slovenia:
    reviews = {n: Review.objects.get(state__iso3="SVN", session__number=n) for n in sessions}
    for number, review in reviews.items():
        assert import_thematic_list(str(THEMATIC_LISTS[number]), review=review).problems == []
    services.after_import(review_ids=[r.pk for r in reviews.values()])
    return Slovenia(reviews)


@pytest.fixture
def slovenia(personas) -> Slovenia:
    return import_reviews(48, 34, 20)


def url(path: str, slug: str = "alpha") -> str:
    return f"/api/c/{slug}/{path}"


def beta_group(personas) -> WorkingGroup:
    return coalition_services.working_group_save(
        coalition=personas.other, actor=personas.outsider, name="Beta's group", theme="", lead=None, members=[]
    )


# --- reading: filters, detail ----------------------------------------------------------------------


def test_the_list_filters_with_the_html_lists_names(personas, slovenia):
    client = token_client(personas.observer)
    svn48 = slovenia.reviews[48].pk
    assert client.get(url(f"recommendations/?review={svn48}&response=noted")).json()["count"] == 37
    assert client.get(url(f"recommendations/?review={svn48}&response=supported")).json()["count"] == 217
    assert client.get(url("recommendations/?under_review=SVN&cycle=4")).json()["count"] == 254
    assert client.get(url("recommendations/?under_review=SVN")).json()["count"] == 254 + 215 + 163
    by_maldives = client.get(url(f"recommendations/?review={svn48}&state=MDV")).json()
    assert "140.7" in {row["paragraph"] for row in by_maldives["results"]}
    assert all("MDV" in {s["iso3"] for s in row["recommending_states"]} for row in by_maldives["results"])
    sdg8 = client.get(url(f"recommendations/?review={svn48}&sdg=8")).json()
    assert 0 < sdg8["count"] < 254 and "140.7" in {row["paragraph"] for row in sdg8["results"]}


def test_the_text_search_finds_stemmed_words_and_phrases(personas, slovenia):
    client = token_client(personas.member)
    found = client.get(url(f"recommendations/?review={slovenia.reviews[48].pk}&q=%22hate+speech%22")).json()
    assert 0 < found["count"] < 254
    assert all("hate speech" in row["text"].lower() for row in found["results"])
    roma = client.get(url("recommendations/?q=Roma&under_review=SVN&sort=oldest")).json()
    assert roma["count"] > 23  # three cycles
    sessions = [row["session"] for row in roma["results"]]
    assert sessions == sorted(sessions) and sessions[0] == 20


def test_an_invalid_filter_answers_400_with_the_reason_beside_its_name(personas, slovenia):
    client = token_client(personas.observer)
    response = client.get(url("recommendations/?response=maybe&under_review=XXX&cycle=9&q=Roma"))
    assert response.status_code == 400
    assert set(response.json()) == {"response", "under_review", "cycle"}
    assert "maybe" in response.json()["response"][0]
    # A working group of another coalition is not one of this coalition's choices.
    response = client.get(url(f"recommendations/?working_group={beta_group(personas).pk}"))
    assert response.status_code == 400 and "working_group" in response.json()


def test_the_detail_shows_states_history_tags_and_earlier_cycles_but_not_who_recorded(personas, slovenia):
    r = slovenia.recommendation("140.7")
    personas.editor.is_staff = True  # site staff record a shared response
    services.response_record(
        coalition=personas.coalition, actor=personas.editor, recommendation=r, response="noted", source="Mid-term report"
    )
    body = token_client(personas.observer).get(url(f"recommendations/{r.pk}/")).json()
    assert (body["paragraph"], body["session"], body["cycle"], body["under_review"]) == (
        "140.7",
        48,
        4,
        {"iso3": "SVN", "name": "Slovenia"},
    )
    assert {s["iso3"] for s in body["recommending_states"]} == {"MDV", "PRT"}
    assert body["response"] == "noted" and body["response_source"] == "Mid-term report"
    assert [h["response"] for h in body["response_history"]] == ["supported", "noted"]
    assert all(set(h) == {"response", "source", "stated_on", "recorded_at"} for h in body["response_history"])
    assert personas.editor.email not in str(body)
    assert (body["action_category"], body["action_category_status"]) == (5, "suggested")
    assert [s["number"] for s in body["sdgs"]] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert {g["name"] for g in body["affected_groups"]} == {"Public officials"}
    assert body["thematic_cluster"] == "Ratification of & accession to international instruments"
    assert body["layer"] == {
        "priority": False,
        "notes": "",
        "working_group": None,
        "reading": "",
        "reading_source": "",
        "reading_stated_on": None,
        "action_category": None,
    }
    suggested = SimilarRecommendation.objects.filter(recommendation=r).values_list("earlier_id", flat=True)
    assert suggested and {e["id"] for e in body["earlier"]} == set(suggested)
    assert all(e["session"] < 48 and e["decision"] == "" for e in body["earlier"])


# --- the coalition's own record --------------------------------------------------------------------------


def test_the_coalition_s_own_record_is_visible_to_it_only(personas, slovenia):
    r = slovenia.recommendation("140.70")
    response = token_client(personas.editor).patch(
        url(f"recommendations/{r.pk}/layer/"),
        {"priority": True, "notes": "Raise with the Ministry of Justice.", "working_group": personas.group.pk},
        content_type=JSON,
    )
    assert response.status_code == 200
    no_reading = {"reading": "", "reading_source": "", "reading_stated_on": None, "action_category": None}
    mine = {"priority": True, "notes": "Raise with the Ministry of Justice.", "working_group": personas.group.pk, **no_reading}
    assert response.json()["layer"] == mine
    alpha = token_client(personas.member)
    assert alpha.get(url(f"recommendations/{r.pk}/")).json()["layer"] == mine
    assert [row["id"] for row in alpha.get(url("recommendations/?priority=true")).json()["results"]] == [r.pk]
    assert alpha.get(url(f"recommendations/?working_group={personas.group.pk}")).json()["count"] == 1
    # Beta reads the same shared recommendation, without alpha's layer.
    beta = token_client(personas.outsider)
    untouched = {"priority": False, "notes": "", "working_group": None, **no_reading}
    assert beta.get(url(f"recommendations/{r.pk}/", "beta")).json()["layer"] == untouched
    assert beta.get(url("recommendations/?priority=true", "beta")).json()["count"] == 0
    listed = beta.get(url(f"recommendations/?review={slovenia.reviews[48].pk}&q=defamation", "beta")).json()["results"]
    assert r.pk in {row["id"] for row in listed} and "Ministry of Justice" not in str(listed)
    # A PATCH changes only what it sends.
    token_client(personas.editor).patch(url(f"recommendations/{r.pk}/layer/"), {"priority": False}, content_type=JSON)
    layer = CoalitionRecommendation.objects.get(coalition=personas.coalition, recommendation=r)
    assert (layer.priority, layer.notes, layer.working_group_id) == (
        False,
        "Raise with the Ministry of Justice.",
        personas.group.pk,
    )


def test_a_working_group_of_another_coalition_is_refused_like_an_unknown_one(personas, slovenia):
    r = slovenia.recommendation("140.1")
    client = token_client(personas.admin)
    foreign = beta_group(personas)
    refused = client.patch(url(f"recommendations/{r.pk}/layer/"), {"working_group": foreign.pk}, content_type=JSON)
    missing = client.patch(url(f"recommendations/{r.pk}/layer/"), {"working_group": 999999}, content_type=JSON)
    assert refused.status_code == missing.status_code == 400
    reason = refused.json()["working_group"][0].replace(str(foreign.pk), "N")
    assert reason == missing.json()["working_group"][0].replace("999999", "N")
    assert not CoalitionRecommendation.objects.filter(recommendation=r).exists()


# --- shared facts an editor records ----------------------------------------------------------------


def test_a_later_response_is_added_to_the_history_never_written_over(personas, slovenia):
    r = Recommendation.objects.filter(review=slovenia.reviews[48], response="noted").first()
    client = token_client(personas.editor)
    endpoint = url(f"recommendations/{r.pk}/responses/")
    # An editor's response is the coalition's reading; the shared history is untouched.
    ours = client.post(endpoint, {"response": "supported_in_part", "source": "Mid-term report"}, content_type=JSON)
    assert ours.status_code == 201 and ours.json()["layer"]["reading"] == "supported_in_part"
    assert ours.json()["response"] == "noted" and ResponseRecord.objects.filter(recommendation=r).count() == 1
    personas.editor.is_staff = True  # site staff record the shared response
    personas.editor.save(update_fields=["is_staff"])
    first = client.post(
        endpoint,
        {"response": "supported_in_part", "source": "Mid-term report", "stated_on": "2027-03-15", "shared": True},
        content_type=JSON,
    )
    assert first.status_code == 201
    second = client.post(endpoint, {"response": "supported", "source": "HRC 62 statement", "shared": True}, content_type=JSON)
    history = second.json()["response_history"]
    assert [(h["response"], h["source"], h["stated_on"]) for h in history] == [
        ("noted", history[0]["source"], None),
        ("supported_in_part", "Mid-term report", "2027-03-15"),
        ("supported", "HRC 62 statement", None),
    ]
    assert history[0]["source"] and second.json()["response"] == "supported"
    assert client.post(endpoint, {"response": "maybe", "source": "x"}, content_type=JSON).status_code == 400
    assert client.post(endpoint, {"response": "noted"}, content_type=JSON).status_code == 400  # where the State said it
    assert ResponseRecord.objects.filter(recommendation=r).count() == 3
    assert AuditEvent.objects.filter(coalition=personas.coalition, action="recommendation.shared_response").count() == 2


def test_the_action_category_is_confirmed_and_checked(personas, slovenia):
    r = slovenia.recommendation("140.7")
    client = token_client(personas.editor)
    ours = client.post(url(f"recommendations/{r.pk}/action-category/"), {"category": 3}, content_type=JSON)
    assert ours.status_code == 200 and ours.json()["layer"]["action_category"] == 3
    assert ours.json()["action_category_status"] == "suggested"  # the shared category is untouched
    assert (
        client.post(
            url(f"recommendations/{r.pk}/action-category/"), {"category": 3, "shared": True}, content_type=JSON
        ).status_code
        == 403
    )
    personas.editor.is_staff = True  # site staff confirm the shared category
    personas.editor.save(update_fields=["is_staff"])
    response = client.post(url(f"recommendations/{r.pk}/action-category/"), {"category": 3, "shared": True}, content_type=JSON)
    assert response.status_code == 200
    assert (response.json()["action_category"], response.json()["action_category_status"]) == (3, "confirmed")
    assert client.post(url(f"recommendations/{r.pk}/action-category/"), {"category": 6}, content_type=JSON).status_code == 400
    r.refresh_from_db()
    assert (r.action_category, r.action_category_status) == (3, "confirmed")


def test_an_earlier_cycle_link_is_decided_per_coalition(personas, slovenia):
    r = slovenia.recommendation("140.70")
    earlier = SimilarRecommendation.objects.filter(recommendation=r).order_by("-score").first().earlier
    client = token_client(personas.editor)
    response = client.post(
        url(f"recommendations/{r.pk}/earlier-links/"), {"earlier": earlier.pk, "decision": "confirmed"}, content_type=JSON
    )
    assert response.status_code == 200
    assert {e["id"]: e["decision"] for e in response.json()["earlier"]}[earlier.pk] == "confirmed"
    theirs = token_client(personas.outsider).get(url(f"recommendations/{r.pk}/", "beta")).json()["earlier"]
    assert {e["id"]: e["decision"] for e in theirs}[earlier.pk] == ""
    # Only a recommendation the same State received earlier can be linked as earlier.
    backwards = client.post(
        url(f"recommendations/{earlier.pk}/earlier-links/"), {"earlier": r.pk, "decision": "confirmed"}, content_type=JSON
    )
    assert backwards.status_code == 400 and "earlier session" in str(backwards.json())
    assert (
        client.post(
            url(f"recommendations/{r.pk}/earlier-links/"), {"earlier": earlier.pk, "decision": "maybe"}, content_type=JSON
        ).status_code
        == 400
    )
    assert list(CrossCycleLink.objects.values_list("coalition__slug", "decision")) == [("alpha", "confirmed")]


# --- draft recommendations -------------------------------------------------------------------------


def test_draft_recommendations_are_created_read_changed_and_deleted(personas, slovenia):
    client = token_client(personas.editor)
    follows = slovenia.recommendation("122.77", 34)
    response = client.post(
        url("draft-recommendations/"),
        {
            "engagement": personas.engagement.pk,
            "text": "Decriminalise defamation by the end of 2026.",
            "responsible_actor": "National Assembly",
            "states_to_ask": ["DEU", "FRA"],
            "follows_up": follows.pk,
            "working_group": personas.group.pk,
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.json()
    draft = response.json()
    assert (sorted(draft["states_to_ask"]), draft["follows_up"], draft["engagement"]) == (
        ["DEU", "FRA"],
        follows.pk,
        personas.engagement.pk,
    )
    changed = client.patch(
        url(f"draft-recommendations/{draft['id']}/"), {"states_to_ask": ["AUT"], "timeframe": "By 2027"}, content_type=JSON
    )
    assert changed.status_code == 200
    assert (changed.json()["states_to_ask"], changed.json()["timeframe"], changed.json()["text"]) == (
        ["AUT"],
        "By 2027",
        "Decriminalise defamation by the end of 2026.",
    )
    listed = token_client(personas.observer).get(url(f"draft-recommendations/?engagement={personas.engagement.pk}")).json()
    assert [d["id"] for d in listed["results"]] == [draft["id"]]
    assert client.delete(url(f"draft-recommendations/{draft['id']}/")).status_code == 204
    assert not DraftRecommendation.objects.exists()
    assert list(AuditEvent.objects.filter(action__startswith="draft.").order_by("pk").values_list("action", flat=True)) == [
        "draft.create",
        "draft.update",
        "draft.delete",
    ]


def test_a_draft_refuses_what_is_not_the_coalitions_or_not_earlier(personas, slovenia):
    client = token_client(personas.editor)
    beta_engagement = Engagement.objects.create(coalition=personas.other, review=slovenia.reviews[34])
    base = {"engagement": personas.engagement.pk, "text": "Adopt a law."}
    cases = {
        "engagement": {**base, "engagement": beta_engagement.pk},
        "working_group": {**base, "working_group": beta_group(personas).pk},
        "states_to_ask": {**base, "states_to_ask": ["SVN"]},  # the State under Review itself
        "follows_up": {**base, "follows_up": slovenia.recommendation("140.1").pk},  # the same review, not an earlier one
    }
    for field, body in cases.items():
        response = client.post(url("draft-recommendations/"), body, content_type=JSON)
        assert response.status_code == 400 and field in response.json(), (field, response.json())
    assert client.post(url("draft-recommendations/"), {**base, "states_to_ask": ["XXX"]}, content_type=JSON).status_code == 400
    assert not DraftRecommendation.objects.exists()
    draft = client.post(url("draft-recommendations/"), base, content_type=JSON).json()
    other = coalition_services.engagement_create(coalition=personas.coalition, actor=personas.admin, review=slovenia.reviews[34])
    moved = client.patch(url(f"draft-recommendations/{draft['id']}/"), {"engagement": other.pk}, content_type=JSON)
    assert moved.status_code == 400 and DraftRecommendation.objects.get().engagement_id == personas.engagement.pk


def test_a_drafts_matches_are_suggested_then_confirmed_and_counted_as_impact(personas, slovenia):
    taken_up = slovenia.recommendation("140.70")
    client = token_client(personas.editor)
    draft = client.post(
        url("draft-recommendations/"),
        {
            "engagement": personas.engagement.pk,
            "text": "Amend defamation legislation so that it is a civil, not a criminal, offence.",
        },
        content_type=JSON,
    ).json()
    detail = client.get(url(f"draft-recommendations/{draft['id']}/")).json()
    assert detail["suggested"][0]["recommendation"] == taken_up.pk and detail["confirmed"] == []
    assert detail["smart"] == {"action": True, "actor": False, "indicator": False, "timeframe": False, "states": False}
    matches = url(f"draft-recommendations/{draft['id']}/matches/")
    confirmed = client.post(matches, {"recommendation": taken_up.pk, "decision": "confirmed"}, content_type=JSON)
    assert confirmed.status_code == 200
    assert [m["recommendation"] for m in confirmed.json()["confirmed"]] == [taken_up.pk]
    assert taken_up.pk not in {m["recommendation"] for m in confirmed.json()["suggested"]}
    assert {s["iso3"] for s in confirmed.json()["confirmed"][0]["recommending_states"]} == {
        s.iso3 for s in taken_up.recommending_states.all()
    }
    earlier_cycle = slovenia.recommendation("122.77", 34)
    assert (
        client.post(matches, {"recommendation": earlier_cycle.pk, "decision": "confirmed"}, content_type=JSON).status_code == 400
    )
    impact = token_client(personas.observer).get(url(f"engagements/{personas.engagement.pk}/impact/")).json()
    assert (impact["asks"], impact["taken_up"], impact["by_response"]) == (1, 1, {taken_up.response: 1})
    assert {s["iso3"] for s in impact["by_state"]} == {s.iso3 for s in taken_up.recommending_states.all()}
    assert list(ImpactLink.objects.values_list("coalition__slug", "decision")) == [("alpha", "confirmed")]


# --- who may do what -------------------------------------------------------------------------------


def writes(r: Recommendation, earlier: Recommendation, draft_id: int, engagement: Engagement) -> list[tuple[str, str, dict]]:
    """Every write endpoint, as (method, path, a valid body)."""
    return [
        ("patch", f"recommendations/{r.pk}/layer/", {"priority": True}),
        ("post", f"recommendations/{r.pk}/responses/", {"response": "supported", "source": "x"}),
        ("post", f"recommendations/{r.pk}/action-category/", {"category": 1}),
        ("post", f"recommendations/{r.pk}/earlier-links/", {"earlier": earlier.pk, "decision": "confirmed"}),
        ("post", "draft-recommendations/", {"engagement": engagement.pk, "text": "Adopt a law."}),
        ("patch", f"draft-recommendations/{draft_id}/", {"text": "Changed."}),
        ("post", f"draft-recommendations/{draft_id}/matches/", {"recommendation": r.pk, "decision": "confirmed"}),
        ("delete", f"draft-recommendations/{draft_id}/", {}),
    ]


def test_members_and_observers_read_but_cannot_write(personas, slovenia):
    r = slovenia.recommendation("140.70")
    earlier = SimilarRecommendation.objects.filter(recommendation=r).first().earlier
    draft = DraftRecommendation.objects.create(coalition=personas.coalition, engagement=personas.engagement, text="Adopt a law.")
    for user in (personas.observer, personas.member):
        client = token_client(user)
        assert client.get(url(f"recommendations/{r.pk}/")).status_code == 200
        assert client.get(url(f"draft-recommendations/{draft.pk}/")).status_code == 200
        for method, path, body in writes(r, earlier, draft.pk, personas.engagement):
            assert getattr(client, method)(url(path), body, content_type=JSON).status_code == 403, (user.email, method, path)
    assert (
        not CoalitionRecommendation.objects.exists() and not CrossCycleLink.objects.exists() and not ImpactLink.objects.exists()
    )
    assert ResponseRecord.objects.filter(recommendation=r).count() == 1
    assert DraftRecommendation.objects.get().text == "Adopt a law."
    # The same requests from an editor pass (the bodies are valid).
    editor = token_client(personas.editor)
    for method, path, body in writes(r, earlier, draft.pk, personas.engagement):
        assert getattr(editor, method)(url(path), body, content_type=JSON).status_code in (200, 201, 204), (method, path)


def test_an_outsider_gets_404_on_every_endpoint_and_a_stranger_401(personas, slovenia):
    r = slovenia.recommendation("140.70")
    earlier = SimilarRecommendation.objects.filter(recommendation=r).first().earlier
    draft = DraftRecommendation.objects.create(coalition=personas.coalition, engagement=personas.engagement, text="Adopt a law.")
    paths = [
        "recommendations/",
        f"recommendations/{r.pk}/",
        "draft-recommendations/",
        f"draft-recommendations/{draft.pk}/",
        f"engagements/{personas.engagement.pk}/impact/",
    ]
    paths += [path for _method, path, _body in writes(r, earlier, draft.pk, personas.engagement)]
    outsider, stranger = token_client(personas.outsider), Client()
    for path in paths:
        for method in ("get", "post", "patch", "delete"):
            assert getattr(outsider, method)(url(path), {}, content_type=JSON).status_code == 404, (method, path)
        assert stranger.get(url(path)).status_code == 401, path
    # Alpha's draft is not reachable through beta's URLs either.
    assert outsider.get(url(f"draft-recommendations/{draft.pk}/", "beta")).status_code == 404
    assert outsider.get(url(f"engagements/{personas.engagement.pk}/impact/", "beta")).status_code == 404
    assert DraftRecommendation.objects.filter(pk=draft.pk).exists() and not CoalitionRecommendation.objects.exists()


# --- query counts and documentation ----------------------------------------------------------------


def count_queries(client: Client, path: str) -> int:
    reset_queries()  # the request clears the log it starts with: capture from an empty one
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def test_the_list_makes_the_same_queries_for_4_or_50_rows_with_any_number_of_states(personas, django_assert_max_num_queries):
    slovenia = import_reviews(48)
    client = token_client(personas.member)
    svn48 = slovenia.reviews[48].pk
    for r in Recommendation.objects.filter(review=svn48)[:60]:
        services.ours_save(
            coalition=personas.coalition, actor=personas.admin, recommendation=r, priority=True, working_group=personas.group
        )
    listing = url(f"recommendations/?review={svn48}&sort=oldest&page=")
    full, last = client.get(listing + "1").json()["results"], client.get(listing + "6").json()["results"]
    assert (len(full), len(last)) == (50, 4)
    assert max(len(row["recommending_states"]) for row in full) == 8 and full[0]["layer"]["priority"]
    with django_assert_max_num_queries(8):
        small = count_queries(client, listing + "6")
    with django_assert_max_num_queries(8):
        large = count_queries(client, listing + "1")
    assert small == large


def test_the_details_make_the_same_queries_whatever_their_size(personas, slovenia, django_assert_max_num_queries):
    client = token_client(personas.member)
    plain = slovenia.recommendation("140.9")  # one State
    rich = slovenia.recommendation("140.1")  # eight States, earlier-cycle suggestions, a layer
    services.ours_save(coalition=personas.coalition, actor=personas.admin, recommendation=rich, notes="Ours")
    with django_assert_max_num_queries(13):
        small = count_queries(client, url(f"recommendations/{plain.pk}/"))
    with django_assert_max_num_queries(13):
        large = count_queries(client, url(f"recommendations/{rich.pk}/"))
    assert small == large


def test_the_draft_list_makes_the_same_queries_for_1_or_12_drafts(personas, django_assert_max_num_queries):
    client = token_client(personas.member)
    states = list(State.objects.filter(iso3__in=["AUT", "DEU", "FRA"]))
    counts = []
    for n in (1, 12):
        while DraftRecommendation.objects.count() < n:
            draft = DraftRecommendation.objects.create(
                coalition=personas.coalition, engagement=personas.engagement, text="Adopt a law.", working_group=personas.group
            )
            draft.states_to_ask.set(states)
        with django_assert_max_num_queries(7):
            counts.append(count_queries(client, url("draft-recommendations/")))
    assert counts[0] == counts[1]


def test_the_schema_documents_these_endpoints_without_warnings(tmp_path):
    schema = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(schema), stderr=io.StringIO())
    text = schema.read_text()
    for path in (
        "recommendations/",
        "recommendations/{id}/layer/",
        "recommendations/{id}/responses/",
        "recommendations/{id}/action-category/",
        "recommendations/{id}/earlier-links/",
        "draft-recommendations/{id}/",
        "draft-recommendations/{id}/matches/",
        "engagements/{id}/impact/",
        "recommendations/import/",
        "recommendations/imports/",
        "recommendations/imports/{import_id}/undo/",
    ):
        assert f"/api/c/{{coalition_slug}}/{path}:" in text, path
    assert "recorded_by" not in text
