"""Comments through the API, as the margin script calls it (the browser's session and CSRF token):
threads with nested replies, a comment on a passage, replies, resolve and reopen, the same rules as
the page (observers read, 403 on a write; outsiders 404), bad input answered 400 with nothing saved,
the withheld organisation's name kept from observers, and queries that do not grow with the comments."""

import base64
import json

import pycrdt
import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from coalitions.models import MemberOrganisation, Membership, Role
from submissions import services
from submissions.models import Comment

from .factories import MembershipFactory, UserFactory
from .helpers import joint_submission

pytestmark = pytest.mark.django_db
JSON = "application/json"


def api(path: str, slug: str = "alpha") -> str:
    return f"/api/c/{slug}/{path}"


def yjs_anchor() -> dict[str, str]:
    """Two real Yjs relative positions in base64, as Y.encodeRelativePosition makes them."""
    doc: pycrdt.Doc = pycrdt.Doc()
    text = doc.get("t", type=pycrdt.Text)
    text += "Roma settlements without water"
    encode = lambda i: base64.b64encode(text.sticky_index(i, pycrdt.Assoc.AFTER).encode()).decode()  # noqa: E731
    return {"start": encode(0), "end": encode(16)}


@pytest.fixture
def joint(personas):
    """Its first section is the Equality group's (the editor's), the second nobody's."""
    return joint_submission(personas, title="Joint")


def sections(document):
    return list(document.sections.order_by("position")[:2])


def post(client, path: str, body: dict | None = None):
    return client.post(api(path), json.dumps(body or {}), content_type=JSON)


# --- the whole journey -----------------------------------------------------------------------------


def test_comment_on_a_passage_reply_list_resolve_and_reopen(personas, joint):
    first, second = sections(joint)
    member, editor = personas.client_for(personas.member), personas.client_for(personas.editor)
    anchor = yjs_anchor()
    made = post(member, "comments/", {"section": first.pk, "text": "Which year?", "anchor": anchor, "quote": "Roma settlements"})
    assert made.status_code == 201, made.json()
    comment = made.json()
    assert comment["document"] == joint.pk and comment["section"] == first.pk and comment["parent"] is None
    assert comment["anchor"] == anchor and comment["quote"] == "Roma settlements" and comment["replies"] == []
    assert comment["author"] == personas.member.pk and comment["author_name"] == str(personas.member)
    assert comment["author_organisation"] == "Centre for Equal Rights (CER)" and comment["can_resolve"] is True
    assert comment["resolved_at"] is None and comment["resolved_by_name"] is None
    # Replies: through comments/ with `parent`, and through the section's own address (a reply to a reply joins the thread).
    first_reply = post(editor, "comments/", {"parent": comment["id"], "text": "2023, the ombudsperson."})
    assert first_reply.status_code == 201 and first_reply.json()["parent"] == comment["id"]
    second_reply = post(member, f"sections/{first.pk}/comments/", {"parent": first_reply.json()["id"], "text": "Thanks"})
    assert second_reply.status_code == 201 and second_reply.json()["parent"] == comment["id"]
    post(member, f"sections/{second.pk}/comments/", {"text": "On the whole second section"})
    # The document's threads, for its margin: replies nested in order, filters by section and status.
    listed = member.get(api(f"documents/{joint.pk}/comments/")).json()
    assert [c["text"] for c in listed] == ["Which year?", "On the whole second section"]
    assert [r["text"] for r in listed[0]["replies"]] == ["2023, the ombudsperson.", "Thanks"]
    assert listed[1]["anchor"] == {} and listed[1]["quote"] == ""
    assert [c["id"] for c in member.get(api(f"documents/{joint.pk}/comments/?section={second.pk}")).json()] == [listed[1]["id"]]
    # The editor of the first section resolves its thread; the member reopens their own.
    resolved = post(editor, f"comments/{comment['id']}/resolve/")
    assert resolved.status_code == 200 and resolved.json()["resolved_by"] == personas.editor.pk
    assert resolved.json()["resolved_by_name"] == str(personas.editor) and len(resolved.json()["replies"]) == 2
    assert [c["id"] for c in member.get(api(f"comments/?document={joint.pk}&resolved=true")).json()["results"]] == [comment["id"]]
    assert [c["id"] for c in member.get(api(f"comments/?document={joint.pk}&resolved=false")).json()["results"]] == [
        listed[1]["id"]
    ]
    reopened = post(member, f"comments/{comment['id']}/reopen/")
    assert reopened.status_code == 200 and reopened.json()["resolved_at"] is None
    assert member.get(api(f"comments/{comment['id']}/")).json()["resolved_by"] is None
    retrieved = member.get(api(f"comments/{first_reply.json()['id']}/")).json()
    assert retrieved["parent"] == comment["id"] and retrieved["can_resolve"] is False


def test_the_browser_session_posts_with_its_csrf_token(personas, joint):
    """The margin script calls the API with the page's session and the CSRF token in X-CSRFToken."""
    first, _second = sections(joint)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas.member)
    page = browser.get(f"/c/alpha/documents/{joint.pk}/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    body = json.dumps({"section": first.pk, "text": "From the margin"})
    assert browser.post(api("comments/"), body, content_type=JSON).status_code == 403
    assert browser.post(api("comments/"), body, content_type=JSON, HTTP_X_CSRFTOKEN=token).status_code == 201


# --- roles, sections, coalitions -------------------------------------------------------------------


def test_observers_list_but_never_write(personas, joint):
    first, _second = sections(joint)
    comment = services.comment_add(section=first, membership=personas.membership(personas.member), text="Check")
    observer = personas.client_for(personas.observer)
    listed = observer.get(api(f"documents/{joint.pk}/comments/")).json()
    assert [c["text"] for c in listed] == ["Check"] and listed[0]["can_resolve"] is False
    assert observer.get(api(f"comments/{comment.pk}/")).status_code == 200
    for path, body in (
        ("comments/", {"section": first.pk, "text": "x"}),
        (f"sections/{first.pk}/comments/", {"text": "x"}),
        ("comments/", {"parent": comment.pk, "text": "x"}),
        (f"comments/{comment.pk}/resolve/", {}),
        (f"comments/{comment.pk}/reopen/", {}),
    ):
        assert post(observer, path, body).status_code == 403, path
    assert Comment.objects.count() == 1 and Comment.objects.get().resolved_at is None


@pytest.mark.parametrize("who, on_first, on_second", [("member", True, True), ("admin", True, True), ("editor", True, False)])
def test_resolve_by_the_author_the_sections_editors_and_admins(personas, joint, who, on_first, on_second):
    client = personas.client_for(getattr(personas, who))
    for section, allowed in zip(sections(joint), (on_first, on_second), strict=True):
        comment = services.comment_add(section=section, membership=personas.membership(personas.member), text="Check")
        listed = client.get(api(f"comments/{comment.pk}/")).json()
        assert listed["can_resolve"] is allowed
        answer = post(client, f"comments/{comment.pk}/resolve/")
        assert answer.status_code == (200 if allowed else 403), (who, section.pk)
        assert (Comment.objects.get(pk=comment.pk).resolved_at is not None) is allowed
        if allowed:
            assert post(client, f"comments/{comment.pk}/reopen/").status_code == 200
        else:
            services.comment_resolve(comment=comment, membership=personas.membership(personas.admin))
            assert post(client, f"comments/{comment.pk}/reopen/").status_code == 403


def test_outsiders_get_404_from_every_comment_endpoint(personas, joint):
    first, _second = sections(joint)
    comment = services.comment_add(section=first, membership=personas.membership(personas.member), text="Check")
    outsider = personas.client_for(personas.outsider)
    for path in (
        "comments/",
        f"comments/{comment.pk}/",
        f"documents/{joint.pk}/comments/",
        f"sections/{first.pk}/comments/",
        f"comments/?document={joint.pk}",
    ):
        assert outsider.get(api(path)).status_code == 404, path
    for path in (
        "comments/",
        f"comments/{comment.pk}/resolve/",
        f"comments/{comment.pk}/reopen/",
        f"sections/{first.pk}/comments/",
    ):
        assert post(outsider, path, {"section": first.pk, "text": "x"}).status_code == 404, path
    # In their own coalition, alpha's ids are unknown: 404 in the path, 400 in a body.
    assert outsider.get(api(f"comments/{comment.pk}/", "beta")).status_code == 404
    assert outsider.post(api(f"comments/{comment.pk}/resolve/", "beta")).status_code == 404
    assert outsider.get(api(f"documents/{joint.pk}/comments/", "beta")).status_code == 404
    for body in ({"section": first.pk, "text": "x"}, {"parent": comment.pk, "text": "x"}):
        refused = outsider.post(api("comments/", "beta"), json.dumps(body), content_type=JSON)
        assert refused.status_code == 400 and "Unknown id." in str(refused.json())
    assert outsider.get(api("comments/", "beta")).json()["results"] == []
    assert Comment.objects.count() == 1 and Comment.objects.get().resolved_at is None


# --- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, field",
    [
        ({"text": "x", "anchor": {"start": "not base64!", "end": "AAAA"}}, "anchor"),
        ({"text": "x", "anchor": {"start": "AAAA"}}, "anchor"),
        ({"text": "x", "anchor": {"start": "AAAA", "end": "AAAA", "x": "AAAA"}}, "anchor"),
        ({"text": "x", "anchor": {"start": base64.b64encode(b"x" * 513).decode(), "end": "AAAA"}}, "anchor"),
        ({"text": "x", "anchor": ["AAAA", "AAAA"]}, "anchor"),
        ({"text": "x", "anchor": {"start": {"deep": 1}, "end": "AAAA"}}, "anchor"),
        ({"text": "x", "quote": "a passage without its anchor"}, "quote"),
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"text": ["a list"]}, "text"),
        ({}, "text"),
        ({"text": "x", "parent": 2**63 + 1}, "parent"),
    ],
)
def test_bad_bodies_get_a_400_that_names_the_field_and_save_nothing(personas, joint, body, field):
    first, _second = sections(joint)
    member = personas.client_for(personas.member)
    for path, extra in (("comments/", {"section": first.pk}), (f"sections/{first.pk}/comments/", {})):
        answer = post(member, path, {**extra, **body})
        assert answer.status_code == 400, (path, body, answer.content)
        assert field in answer.json(), answer.json()
    assert not Comment.objects.exists()


def test_a_parent_elsewhere_a_missing_section_and_a_reply_resolved_alone_are_refused(personas, joint):
    first, second = sections(joint)
    member = personas.client_for(personas.member)
    comment = services.comment_add(section=first, membership=personas.membership(personas.member), text="Check")
    elsewhere = post(member, f"sections/{second.pk}/comments/", {"parent": comment.pk, "text": "x"})
    assert elsewhere.status_code == 400 and "another section" in str(elsewhere.json())
    assert post(member, "comments/", {"text": "x"}).status_code == 400  # on no section
    assert post(member, "comments/", {"section": 2**62, "text": "x"}).status_code == 400
    with_passage = post(member, "comments/", {"parent": comment.pk, "text": "x", "anchor": yjs_anchor()})
    assert with_passage.status_code == 400 and "anchor" in with_passage.json()
    reply = post(member, "comments/", {"parent": comment.pk, "text": "A reply"}).json()
    refused = post(member, f"comments/{reply['id']}/resolve/")
    assert refused.status_code == 400 and "resolved with its thread" in str(refused.json())
    assert Comment.objects.count() == 2 and not Comment.objects.filter(resolved_at__isnull=False).exists()
    # A quote longer than the limit is kept shortened, not refused (the browser sends what was selected).
    long = post(member, "comments/", {"section": first.pk, "text": "x", "anchor": yjs_anchor(), "quote": "q" * 3000})
    assert long.status_code == 201 and len(long.json()["quote"]) == 2000


# --- mentions, the withheld organisation, escaping --------------------------------------------------


def test_a_mention_through_the_api_emails_once_with_no_text(personas, joint, django_capture_on_commit_callbacks):
    first, _second = sections(joint)
    with django_capture_on_commit_callbacks(execute=True):
        made = post(
            personas.client_for(personas.member),
            "comments/",
            {"section": first.pk, "text": "Secret detail for @editor@alpha.example.org and @EDITOR@alpha.example.org"},
        )
    assert made.status_code == 201 and made.json()["mentions"] == [{"id": personas.editor.pk, "name": str(personas.editor)}]
    assert len(mail.outbox) == 1 and "Secret detail" not in mail.outbox[0].subject + mail.outbox[0].body
    assert f"#comment-{made.json()['id']}" in mail.outbox[0].body


def test_an_observer_never_reads_a_withheld_organisations_name_in_the_api(personas, joint):
    first, _second = sections(joint)
    at_risk = MemberOrganisation.objects.create(coalition=personas.coalition, name="Roma Rights Watch", withheld=True)
    Membership.objects.filter(user=personas.member).update(organisation=at_risk)
    comment = services.comment_add(section=first, membership=personas.membership(personas.member), text="Check")
    services.comment_reply(parent=comment, membership=personas.membership(personas.member), text="More")
    for path in (
        f"documents/{joint.pk}/comments/",
        f"comments/?document={joint.pk}",
        f"comments/{comment.pk}/",
        f"sections/{first.pk}/comments/",
    ):
        seen = personas.client_for(personas.observer).get(api(path)).content.decode()
        assert "Roma Rights Watch" not in seen and seen.count("an organisation that is not named") == 2, path
        assert personas.client_for(personas.member).get(api(path)).content.decode().count("Roma Rights Watch") == 2


def test_comment_text_comes_back_as_data_never_as_markup(personas, joint):
    first, _second = sections(joint)
    made = post(personas.client_for(personas.member), "comments/", {"section": first.pk, "text": "<script>alert(1)</script>"})
    assert made.status_code == 201 and made["Content-Type"] == "application/json"
    assert made.json()["text"] == "<script>alert(1)</script>"  # JSON: the script reads it with textContent


# --- queries ---------------------------------------------------------------------------------------


def test_every_comment_endpoint_costs_the_same_queries_whatever_the_number_of_comments(personas, joint):
    first, second = sections(joint)
    organisations = [
        MemberOrganisation.objects.create(coalition=personas.coalition, name=f"Org {n}", withheld=n == 0) for n in range(4)
    ]
    people = [
        MembershipFactory(
            coalition=personas.coalition,
            role=Role.MEMBER,
            organisation=organisations[n],
            user=UserFactory(email=f"p{n}@alpha.example.org", name=f"Person {n}"),
        )
        for n in range(4)
    ]
    comment = services.comment_add(section=first, membership=people[0], text="@Person 1 first", anchor=yjs_anchor(), quote="q")
    services.comment_reply(parent=comment, membership=people[1], text="@Person 2 reply")
    paths = [
        f"documents/{joint.pk}/comments/",
        f"comments/?document={joint.pk}",
        "comments/",
        f"sections/{first.pk}/comments/",
        f"comments/{comment.pk}/",
    ]

    def counts(client: Client) -> list[int]:
        found = []
        for path in paths:
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                assert client.get(api(path)).status_code == 200, path
            found.append(len(captured))
        return found

    clients = {who: personas.client_for(getattr(personas, who)) for who in ("admin", "editor", "observer")}
    few = {who: counts(client) for who, client in clients.items()}
    for n in range(15):
        more = services.comment_add(section=(first, second)[n % 2], membership=people[n % 4], text=f"@Person {(n + 1) % 4}")
        for m in range(3):
            services.comment_reply(parent=more, membership=people[(n + m) % 4], text=f"@Person {m} and @Person {m + 1}")
        services.comment_reply(parent=comment, membership=people[n % 4], text=f"@Person {n % 4}")
    many = {who: counts(client) for who, client in clients.items()}
    assert many == few
