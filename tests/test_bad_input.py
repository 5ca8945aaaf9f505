"""Bad input gets a clear 400 or the page's own message, never a server error (issue 12, finding 8).

Each request runs in a savepoint that is rolled back: a server error (which the test client raises)
is reported as "500 <exception>" beside the request, every case of a test is tried, and each meets
the same data. The cases are the classes of upr.inputs: ids and whole numbers, JSON bodies, text.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from submissions.models import Comment

from .helpers import signed_in, token_client

pytestmark = pytest.mark.django_db

SUPERSCRIPT_TWO = "²"  # str.isdigit() says yes, int() says no
PAST_BIGINT = "99999999999999999999999"  # more than 2^63: overflows the database's integers
BIGINT_PLUS_ONE = 2**63
NOT_NUMBERS = [SUPERSCRIPT_TWO, PAST_BIGINT, str(BIGINT_PLUS_ONE), "٣", " 7", "1.5", "-1", "0x10", "1" * 5000]
MISSING = 10**9  # an id no object has


def answer(client: Client, method: str, path: str, body: Any = None, content_type: str = "application/json") -> tuple[int, str]:
    """(status, text) of one request, rolled back after; a server error as (500, its exception)."""
    point = transaction.savepoint()
    try:
        if body is None:
            response = getattr(client, method)(path)
        elif content_type == "application/json":
            response = getattr(client, method)(
                path, body if isinstance(body, str) else json.dumps(body), content_type=content_type
            )
        else:
            response = getattr(client, method)(path, body)
        return response.status_code, response.content.decode(errors="replace")
    except Exception as error:  # the server error itself, named in the failure
        return 500, f"{type(error).__name__}: {error}"[:300]
    finally:
        transaction.savepoint_rollback(point)


def wrong(results: list[tuple[str, tuple[int, str]]], allowed: set[int]) -> list[str]:
    return [f"{case} -> {status} {text[:200]}" for case, (status, text) in results if status not in allowed]


def api_schema_operations(*, reads: bool = False) -> list[tuple[str, str, bool]]:
    """(method, path template, takes a JSON body) of every write operation of the API (and its reads
    with `reads`), from its schema, which drf-spectacular generates from the URL conf."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method == "parameters" or method == "get" and not reads:
                continue
            content = (operation.get("requestBody") or {}).get("content", {})
            operations.append((method, path, "application/json" in content))
    return operations


# --- ids and whole numbers ------------------------------------------------------------------------


def test_ids_and_numbers_in_api_query_strings_that_are_none_answer_without_a_server_error(world):
    client = token_client(world.people["admin"])
    filters = [
        "clusters/?matrix=",
        "matrix-rows/?matrix=",
        "matrix-rows/?cluster=",
        "consultations/?engagement=",
        "advocacy-meetings/?engagement=",
        "tasks/?engagement=",
        "documents/?engagement=",
        "sections/?document=",
        "draft-recommendations/?engagement=",
        "assessments/?row=",
        "evidence/?assessment=",
    ]
    results = [(f"{f}{v!r:.30}", answer(client, "get", f"/api/c/alpha/{f}{v}")) for f in filters for v in NOT_NUMBERS]
    results += [(f"reviews ?session={v!r:.30}", answer(client, "get", f"/api/reviews/?session={v}")) for v in NOT_NUMBERS]
    assert wrong(results, {200}) == []
    # A filter by an id that is none matches nothing where the filter is strict.
    for path in ("documents/?engagement=", "sections/?document=", "draft-recommendations/?engagement="):
        assert token_client(world.people["admin"]).get(f"/api/c/alpha/{path}{SUPERSCRIPT_TWO}").json()["results"] == []
    assert client.get(f"/api/reviews/?session={SUPERSCRIPT_TWO}").json()["results"] == []

    days = [(f"days={v!r:.30}", answer(client, "get", f"/api/me/deadlines/?days={v}")) for v in [*NOT_NUMBERS, "0", "367"]]
    assert wrong(days, {400}) == []
    assert all("A whole number of days from 1 to 366." in text for _case, (_status, text) in days)
    assert client.get("/api/me/deadlines/?days=30").status_code == 200

    pages = [
        (f"{p}{v!r:.30}", answer(client, "get", f"/api/c/alpha/{p}{v}"))
        for p in ("recommendations/?page=", "members/?page=", "recommendations/?review=")
        for v in NOT_NUMBERS
    ]
    assert wrong(pages, {200, 400, 404}) == []  # DRF's "Invalid page." (404), the filter's own 400


def test_ids_and_numbers_in_page_query_strings_that_are_none_show_the_page(world):
    client = signed_in(world.people["admin"])
    engagement = world.ours["engagement"]
    paths = [
        "/calendar/?cycle=",
        f"/c/alpha/engagements/{engagement}/matrix/?cluster=",
        "/c/alpha/recommendations/?page=",
        "/c/alpha/recommendations/?review=",
        "/c/alpha/members/?page=",
        "/c/alpha/audit/?page=",
    ]
    results = [(f"{p}{v!r:.30}", answer(client, "get", f"{p}{v}")) for p in paths for v in NOT_NUMBERS]
    assert wrong(results, {200}) == []
    statistics = [
        (f"statistics {v!r:.30}", answer(client, "get", f"/c/alpha/recommendations/statistics/?review={v}")) for v in NOT_NUMBERS
    ]
    assert wrong(statistics, {200, 400}) == []  # 400 with the page's form saying there is no such review
    # The search says what was wrong beside the filter.
    assert "Enter a whole number." in client.get(f"/c/alpha/recommendations/?review={SUPERSCRIPT_TWO}").content.decode()


def test_posted_ids_and_numbers_that_are_none_get_the_pages_message(world):
    client = signed_in(world.people["admin"])
    e, document, section = world.ours["engagement"], world.ours["document"], world.ours["section"]
    results = []
    for value in NOT_NUMBERS:
        results += [
            (
                f"move {value!r:.30}",
                answer(
                    client, "post", f"/c/alpha/engagements/{e}/matrix/move/", {"row": [value], "to": value}, content_type="form"
                ),
            ),
            (
                f"carry forward {value!r:.30}",
                answer(client, "post", f"/c/alpha/engagements/{e}/carry-forward/", {"row": [value]}, content_type="form"),
            ),
            (
                f"section base_version {value!r:.30}",
                answer(
                    client,
                    "post",
                    f"/c/alpha/documents/{document}/sections/{section}/",
                    {"base_version": value, "body": "<p>x</p>"},
                    content_type="form",
                ),
            ),
        ]
    assert wrong(results, {200, 302, 400, 409}) == []
    # The matrix's rows move only when both the rows and the cluster are named by real ids.
    moved = client.post(f"/c/alpha/engagements/{e}/matrix/move/", {"row": [SUPERSCRIPT_TWO], "to": SUPERSCRIPT_TWO}, follow=True)
    assert "Tick the rows to move and choose the cluster" in moved.content.decode()

    renamed = [
        (
            f"cluster {v!r:.30}",
            answer(
                client,
                "post",
                f"/c/alpha/engagements/{e}/matrix/clusters/",
                {"cluster": v, "name": "Renamed"},
                content_type="form",
            ),
        )
        for v in NOT_NUMBERS
    ]
    assert wrong(renamed, {404}) == []  # as an id of no cluster

    reminders = [
        (
            f"lead_days {v!r:.30}",
            answer(client, "post", "/account/reminders/", {"lead_days": v, "delivery": "single"}, content_type="form"),
        )
        for v in [*NOT_NUMBERS, "61", "7, ²"]
        if v != " 7"
    ]
    assert wrong(reminders, {200, 400}) == []
    assert all(
        "Give whole numbers of days from 0 to 60" in text or "at most 60 characters" in text
        for _case, (_status, text) in reminders
    )


def test_a_posted_id_past_2_63_is_not_a_valid_choice_in_forms(world):
    """Django 5.2's ModelChoiceField and ModelMultipleChoiceField answer this themselves (the lookups
    skip out-of-range integers): this keeps it so on both databases."""
    client = signed_in(world.people["admin"])
    e = world.ours["engagement"]
    for value in (str(BIGINT_PLUS_ONE), PAST_BIGINT):
        status, text = answer(
            client,
            "post",
            f"/c/alpha/engagements/{e}/consultations/",
            {"kind": "state", "held_on": "2024-01-01", "attended": [value]},
            content_type="form",
        )
        assert status == 400 and "Select a valid choice" in text, (value, status, text[:300])
        status, text = answer(
            token_client(world.people["admin"]),
            "post",
            "/api/c/alpha/consultations/",
            {"engagement": e, "kind": "state", "held_on": "2024-01-01", "attended": [int(value)]},
        )
        assert status == 400 and "attended" in json.loads(text), (value, status, text)


def test_ids_and_numbers_in_api_bodies_that_are_none_are_refused(world):
    client = token_client(world.people["admin"])
    section, e = world.ours["section"], world.ours["engagement"]
    restores = [
        (f"restore {v!r:.30}", answer(client, "post", f"/api/c/alpha/sections/{section}/restore/", {"version": v}))
        for v in [*NOT_NUMBERS, BIGINT_PLUS_ONE, [1], {"a": 1}, None, True]
    ]
    assert wrong(restores, {400}) == []
    assert all("No such version of this section." in text for _case, (_status, text) in restores)

    preferences = [
        (f"lead_days {v!r:.30}", answer(client, method, "/api/me/reminder-preferences/", {"lead_days": v, "delivery": "single"}))
        for method in ("put", "patch")
        for v in [SUPERSCRIPT_TWO, [SUPERSCRIPT_TWO], [BIGINT_PLUS_ONE], {"a": 1}, [-1]]
    ]
    assert wrong(preferences, {400}) == []
    others = [
        (
            "assessment row",
            answer(client, "post", "/api/c/alpha/assessments/", {"row": BIGINT_PLUS_ONE, "assessed_on": "2027-01-01"}),
        ),
        ("assessment row ²", answer(client, "post", "/api/c/alpha/assessments/", {"row": SUPERSCRIPT_TWO})),
        (
            "consultation engagement",
            answer(
                client,
                "post",
                "/api/c/alpha/consultations/",
                {"engagement": BIGINT_PLUS_ONE, "kind": "state", "held_on": "2024-01-01"},
            ),
        ),
        (
            "consultation engagement ²",
            answer(
                client,
                "post",
                "/api/c/alpha/consultations/",
                {"engagement": SUPERSCRIPT_TWO, "kind": "state", "held_on": "2024-01-01"},
            ),
        ),
        (
            "task owner",
            answer(
                client,
                "post",
                "/api/c/alpha/tasks/",
                {"engagement": e, "title": "t", "due_date": "2027-01-01", "owner": BIGINT_PLUS_ONE},
            ),
        ),
        (
            "task engagement",
            answer(
                client, "post", "/api/c/alpha/tasks/", {"engagement": BIGINT_PLUS_ONE, "title": "t", "due_date": "2027-01-01"}
            ),
        ),
        (
            "sign-on organisations",
            answer(
                client, "post", f"/api/c/alpha/documents/{world.ours['document']}/sign-ons/", {"organisations": [BIGINT_PLUS_ONE]}
            ),
        ),
    ]
    assert wrong(others, {400}) == []


# --- JSON bodies ----------------------------------------------------------------------------------

NOT_OBJECTS = ["[1, 2]", '"s"', "123", "null", "true"]


def test_json_bodies_that_are_not_objects_are_refused_where_an_object_is_expected(world):
    client = token_client(world.people["admin"])
    ours = world.ours
    named = [
        ("post", "/api/c/alpha/assessments/"),
        ("post", f"/api/c/alpha/sections/{ours['section']}/comments/"),
        ("post", f"/api/c/alpha/sections/{ours['section']}/restore/"),
        ("patch", f"/api/c/alpha/engagements/{ours['engagement']}/review-adoption/"),
        ("put", "/api/me/reminder-preferences/"),
        ("patch", "/api/me/reminder-preferences/"),
        ("post", "/api/c/alpha/consultations/"),
        ("patch", f"/api/c/alpha/consultations/{ours['consultation']}/"),
        ("post", "/api/c/alpha/advocacy-meetings/"),
        ("patch", f"/api/c/alpha/advocacy-meetings/{ours['advocacy_meeting']}/"),
    ]
    every = [(method, world.fill(path)) for method, path, takes_json in api_schema_operations() if takes_json]
    assert len(every) > 40
    results = [
        (f"{method} {path} {body}", answer(client, method, path, body))
        for method, path in [*named, *every]
        for body in NOT_OBJECTS
    ]
    assert wrong(results, {400}) == []
    assert all("must be a JSON object" in text for _case, (_status, text) in results)
    # Nothing was saved on the way.
    assert Comment.objects.filter(section_id=ours["section"]).count() == 1


def test_json_nested_2000_levels_deep_is_refused_on_every_write_endpoint(world):
    client = token_client(world.people["admin"])
    deep = {"list": "[" * 2000 + "]" * 2000, "object": '{"a": ' * 2000 + "1" + "}" * 2000}
    operations = api_schema_operations()
    assert len(operations) > 60
    results, refused = [], []
    for method, template, takes_json in operations:
        for name, body in deep.items():
            status, text = answer(client, method, world.fill(template), body)
            # Endpoints that read no body (a revoke, a delete) ignore it; every other one refuses it.
            results.append((f"{method} {template} {name}", (status, text)))
            if takes_json and status not in (400, 415):
                results.append((f"{method} {template} {name}: expected 400", (status, text)))
            elif takes_json and status == 400:
                refused.append(f"{method} {template} {name}: {text}")
    assert wrong(results, {200, 201, 204, 400, 415}) == []  # 415: the Word import takes a multipart upload only
    assert [text for text in refused if "nested" not in text] == []


def test_json_nested_within_the_bound_is_read(world):
    """The bound is on depth, not on size: a comment's ordinary body is read."""
    client = token_client(world.people["admin"])
    made = client.post(
        f"/api/c/alpha/sections/{world.ours['section']}/comments/", {"text": "Fine"}, content_type="application/json"
    )
    assert made.status_code == 201


# --- text -----------------------------------------------------------------------------------------


def test_a_lone_surrogate_in_text_is_refused_in_api_fields_and_in_the_forms_behind_them(world):
    client = token_client(world.people["admin"])
    ours = world.ours
    cases = [
        ("comment text", "post", f"/api/c/alpha/sections/{ours['section']}/comments/", {"text": "a\ud800b"}),
        ("organisation name", "post", "/api/c/alpha/organisations/", {"name": "\ud800"}),
        ("section body", "patch", f"/api/c/alpha/sections/{ours['section']}/", {"base_version": 1, "body": "<p>\udfff</p>"}),
        # ConsultationForm and ReminderPreferenceForm, fed by the API
        (
            "consultation place",
            "post",
            "/api/c/alpha/consultations/",
            {"engagement": ours["engagement"], "kind": "state", "held_on": "2024-01-01", "place": "\ud800"},
        ),
        ("reminder lead_days", "put", "/api/me/reminder-preferences/", {"lead_days": "\ud800", "delivery": "single"}),
        ("a key", "post", "/api/c/alpha/organisations/", {"name": "Fine", "\ud800": 1}),
        ("in a list", "post", f"/api/c/alpha/documents/{ours['document']}/sign-ons/", {"organisations": ["\ud800"]}),
    ]
    results = []
    for label, method, path, body in cases:
        # json.dumps writes the surrogate as the escape \ud800, as a client's JSON would carry it.
        results.append((label, answer(client, method, path, json.dumps(body))))
    assert wrong(results, {400}) == []
    assert all("not valid Unicode" in text for _case, (_status, text) in results)
    assert Comment.objects.filter(section_id=ours["section"]).count() == 1


def test_a_surrogate_in_a_page_form_is_read_as_a_replacement_character(world):
    """Form posts cannot carry a lone surrogate: its UTF-8-like bytes decode to U+FFFD. The comment is
    saved, and the page answers as usual."""
    client = signed_in(world.people["admin"])
    path = f"/c/alpha/documents/{world.ours['document']}/sections/{world.ours['section']}/comments/"
    response = client.generic("POST", path, b"text=a%ED%A0%80b", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302
    text = Comment.objects.filter(section_id=world.ours["section"]).latest("pk").text
    assert text.startswith("a") and text.endswith("b") and "\ufffd" in text


# --- the matrix row's version ---------------------------------------------------------------------


def test_a_matrix_row_patch_without_base_version_is_refused(world):
    client = token_client(world.people["admin"])
    path = f"/api/c/alpha/matrix-rows/{world.ours['matrix_row']}/"
    for method in ("patch", "put"):
        status, text = answer(client, method, path, {"lead_body": "Ministry of Justice"})
        assert status == 400 and "base_version" in json.loads(text), (method, status, text)
    saved = client.patch(path, {"lead_body": "Ministry of Justice", "base_version": 1}, content_type="application/json")
    assert saved.status_code == 200 and saved.json()["version"] == 2


# --- another coalition's ids ----------------------------------------------------------------------


def _normalised(text: str, pk: int) -> str:
    return re.sub(rf"\b{pk}\b", "<id>", text)


def test_another_coalitions_ids_are_answered_like_ids_that_do_not_exist(world):
    """Every related id an API body names: one of beta's objects and an id of nothing get the same
    answer from alpha's API, so that the answer tells nothing about beta."""
    client = token_client(world.people["admin"])
    ours = world.ours
    e = ours["engagement"]
    writes: list[tuple[str, str, str, Any]] = [
        # (method, path, world key of the id, body with the id)
        ("post", "/api/c/alpha/matrices/", "engagement", lambda pk: {"engagement": pk, "scheme": "ohchr"}),
        ("patch", f"/api/c/alpha/clusters/{ours['cluster']}/", "working_group", lambda pk: {"working_group": pk}),
        ("patch", f"/api/c/alpha/matrix-rows/{ours['matrix_row']}/", "cluster", lambda pk: {"base_version": 1, "cluster": pk}),
        (
            "post",
            "/api/c/alpha/assessments/",
            "matrix_row",
            lambda pk: {"row": pk, "assessed_on": "2027-01-01", "law": "full", "policy": "full", "practice": "full"},
        ),
        ("patch", f"/api/c/alpha/members/{ours['membership']}/", "organisation", lambda pk: {"organisation": pk}),
        ("post", "/api/c/alpha/working-groups/", "membership", lambda pk: {"name": "New", "lead": pk}),
        ("post", "/api/c/alpha/working-groups/", "membership", lambda pk: {"name": "New", "members": [pk]}),
        ("post", "/api/c/alpha/invitations/", "organisation", lambda pk: {"email": "x@example.org", "organisation": pk}),
        ("post", "/api/c/alpha/documents/", "engagement", lambda pk: {"engagement": pk, "kind": "factsheet", "title": "T"}),
        (
            "post",
            "/api/c/alpha/documents/",
            "organisation",
            lambda pk: {"engagement": e, "kind": "joint_submission", "title": "T", "lead_organisation": pk},
        ),
        ("post", "/api/c/alpha/sections/", "document", lambda pk: {"document": pk, "title": "T"}),
        ("post", f"/api/c/alpha/documents/{ours['document']}/sign-ons/", "organisation", lambda pk: {"organisations": [pk]}),
        ("post", "/api/c/alpha/draft-recommendations/", "engagement", lambda pk: {"engagement": pk, "text": "Ensure x."}),
        (
            "post",
            "/api/c/alpha/draft-recommendations/",
            "working_group",
            lambda pk: {"engagement": e, "text": "Ensure x.", "working_group": pk},
        ),
        ("post", "/api/c/alpha/tasks/", "engagement", lambda pk: {"engagement": pk, "title": "T", "due_date": "2027-01-01"}),
        *[
            (
                "post",
                "/api/c/alpha/tasks/",
                key,
                lambda pk, field=field: {"engagement": e, "title": "T", "due_date": "2027-01-01", field: pk},
            )
            for field, key in (
                ("owner", "membership"),
                ("organisation", "organisation"),
                ("working_group", "working_group"),
                ("milestone", "milestone"),
                ("document", "document"),
            )
        ],
        (
            "post",
            "/api/c/alpha/consultations/",
            "engagement",
            lambda pk: {"engagement": pk, "kind": "state", "held_on": "2024-01-01"},
        ),
        (
            "post",
            "/api/c/alpha/consultations/",
            "organisation",
            lambda pk: {"engagement": e, "kind": "state", "held_on": "2024-01-01", "attended": [pk]},
        ),
        (
            "post",
            "/api/c/alpha/advocacy-meetings/",
            "engagement",
            lambda pk: {"engagement": pk, "state": "ESP", "venue": "embassy", "met_on": "2024-10-02"},
        ),
        *[
            (
                "post",
                "/api/c/alpha/advocacy-meetings/",
                key,
                lambda pk, field=field: {"engagement": e, "state": 1, "venue": "embassy", "met_on": "2024-10-02", field: [pk]},
            )
            for field, key in (("documents", "document"), ("drafts", "draft"))
        ],
        ("patch", f"/api/c/alpha/engagements/{e}/review-adoption/", "organisation", lambda pk: {"oral_statement_by": pk}),
        (
            "patch",
            f"/api/c/alpha/recommendations/{ours['recommendation']}/layer/",
            "working_group",
            lambda pk: {"working_group": pk},
        ),
        ("post", f"/api/c/alpha/engagements/{e}/carry-forward/", "matrix_row", lambda pk: {"rows": [pk]}),
    ]
    differences = []
    for method, path, key, body in writes:
        theirs = world.theirs[key]
        answered = answer(client, method, path, body(theirs))
        missing = answer(client, method, path, body(MISSING))
        if (answered[0], _normalised(answered[1], theirs)) != (missing[0], _normalised(missing[1], MISSING)) or answered[
            0
        ] >= 500:
            differences.append(f"{method} {path} {key}: theirs {answered} / none {missing}")
    assert differences == []

    # Their ids in a path: answered like an id of nothing (404, or the body's 400 where it is read first).
    reads = [
        (method, template)
        for method, template, _json in api_schema_operations(reads=True)
        if "{id}" in template and template.startswith("/api/c/") and "/recommendations/" not in template
    ]
    paths = []
    for method, template in reads:
        body = None if method == "get" else {}
        theirs, missing = (answer(client, method, world.fill(template, ids), body) for ids in (world.theirs, {}))
        if theirs[0] not in (400, 404) or theirs != missing:
            paths.append(f"{method} {template}: theirs {theirs} / none {missing}")
    assert paths == [], "\n".join(paths)
