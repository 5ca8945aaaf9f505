"""Suggestions (track changes) through the API and the page's endpoint: who may list and decide them
(the section's editors decide; members and observers read; outsiders 404), accepting and rejecting
one or all of one person's, the history keeping each decision, the withheld organisation's name kept
from observers, the store refusing a suggester's plain change, and queries that do not grow with the
number of suggestions."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pycrdt import Doc, XmlFragment, XmlText

from coalitions.models import MemberOrganisation, Role
from submissions import services
from submissions.live import store, yhtml
from submissions.live.yhtml import DELETION, INSERTION
from submissions.models import RevisionReason, Section, SectionRevision

from .factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def joint(personas):
    """Its first section is the Equality group's (the editor's), with two sentences."""
    document = services.document_create(
        coalition=personas.coalition,
        actor=personas.admin,
        engagement=personas.engagement,
        kind="joint_submission",
        title="Joint",
        lead_organisation=personas.organisation,
    )
    section = document.sections.order_by("position").first()
    services.section_save(
        section=section,
        membership=personas.membership(personas.admin),
        base_version=section.version,
        body="<p>Slovenia adopted a strategy.</p><p>It was never funded.</p>",
        working_group=personas.group,
    )
    return document


def first_section(document) -> Section:
    return document.sections.order_by("position").first()


def suggest(section: Section, author, *, insert: str = "", delete_words: str = "", paragraph: int = 0) -> str:
    """Stores a suggestion by `author`, as their editor would send it: inserts `insert` at the start of
    a paragraph, or marks `delete_words` (found in it) for deletion. Returns its id."""
    text = store.text_for_section(section)
    doc: Doc = Doc()
    doc.apply_update(store.current_state(text))
    vector = doc.get_state()
    runs = doc.get(yhtml.FIELD, type=XmlFragment).children[paragraph].children[0]
    assert isinstance(runs, XmlText)
    suggestion_id = f"{author.pk}-{SectionRevision.objects.count()}-{len(str(runs))}-{insert or delete_words}"
    mark = {"id": suggestion_id, "author": str(author.pk)}
    if insert:
        runs.insert(0, insert, {INSERTION: mark})
    else:
        start = str(runs).index(delete_words)  # the paragraphs' words are ASCII here: bytes = characters
        runs.format(start, start + len(delete_words), {DELETION: mark})
    store.append(text_id=text.pk, update=doc.get_update(vector), author_id=author.pk, suggest_only=True)
    store.render(text.pk)
    return suggestion_id


def api(path: str, slug: str = "alpha") -> str:
    return f"/api/c/{slug}/{path}"


def test_suggestions_are_listed_with_their_author_and_a_withheld_organisation_is_named_only_inside(personas, joint):
    section = first_section(joint)
    sid = suggest(section, personas.member, insert="Since 2021, ")
    url = api(f"sections/{section.pk}/suggestions/")
    listed = personas.client_for(personas.editor).get(url).json()
    assert listed == [
        {
            "id": sid,
            "author": personas.member.pk,
            "inserted": "Since 2021, ",
            "deleted": "",
            "author_name": f"{personas.member} (Centre for Equal Rights (CER))",
        }
    ]
    section.refresh_from_db()
    assert "Since 2021" not in section.body  # as it stands
    assert section.proposed_words == section.counted_words + 2
    count = personas.client_for(personas.member).get(api(f"documents/{joint.pk}/count/")).json()["count"]
    assert count["proposed_total"] == count["total"] + 2
    part = next(p for p in count["parts"] if p["key"] == f"section-{section.pk}")
    assert part["proposed"] == part["counted"] + 2
    MemberOrganisation.objects.filter(pk=personas.organisation.pk).update(withheld=True)
    assert personas.client_for(personas.observer).get(url).json()[0]["author_name"] == (
        f"{personas.member} (an organisation that is not named)"
    )
    assert "Centre for Equal Rights" in personas.client_for(personas.member).get(url).json()[0]["author_name"]
    for outsider in (personas.outsider,):
        assert personas.client_for(outsider).get(url).status_code == 404
        assert personas.client_for(outsider).get(api(f"sections/{section.pk}/suggestions/", "beta")).status_code == 404


def test_the_sections_editor_accepts_one_and_rejects_all_of_one_persons_and_the_history_keeps_both(personas, joint):
    section = first_section(joint)
    replaced = suggest(section, personas.member, delete_words="a strategy")
    inserted = suggest(section, personas.member, insert="Indeed, ", paragraph=1)
    theirs = suggest(section, personas.admin, insert="In 2021, ")
    editor = personas.client_for(personas.editor)
    decide = api(f"sections/{section.pk}/suggestions/decide/")
    answer = editor.post(decide, json.dumps({"verdict": "accept", "ids": [replaced]}), content_type=JSON)
    assert answer.status_code == 200 and answer.json() == {"decided": 1, "accepted": True}
    section.refresh_from_db()
    assert section.body == "<p>Slovenia adopted .</p><p>It was never funded.</p>"
    accepted = SectionRevision.objects.get(section=section, reason=RevisionReason.ACCEPT)
    assert accepted.created_by == personas.editor and str(personas.member) in accepted.note and "a strategy" in accepted.note
    # All of the member's (one left), not the admin's.
    answer = editor.post(decide, json.dumps({"verdict": "reject", "author": personas.member.pk}), content_type=JSON)
    assert answer.json() == {"decided": 1, "accepted": False}
    left = services.suggestions_of_text(joint, store.section_room(section.pk))
    assert [s.id for s in left] == [theirs] and inserted not in {s.id for s in left}
    assert SectionRevision.objects.filter(section=section, reason=RevisionReason.REJECT).count() == 1
    # Deciding what is no longer open: a clear 400, nothing changes.
    again = editor.post(decide, json.dumps({"verdict": "accept", "ids": [replaced]}), content_type=JSON)
    assert again.status_code == 400 and "no longer open" in json.dumps(again.json())


def test_who_may_decide(personas, joint):
    section = first_section(joint)
    sid = suggest(section, personas.member, insert="Since 2021, ")
    other_editor = UserFactory(email="other-editor@alpha.example.org")
    MembershipFactory(coalition=personas.coalition, user=other_editor, role=Role.EDITOR)  # not in the group
    decide = api(f"sections/{section.pk}/suggestions/decide/")
    body = json.dumps({"verdict": "accept", "ids": [sid]})
    for user, status in ((personas.observer, 403), (personas.member, 403), (other_editor, 403), (personas.outsider, 404)):
        assert personas.client_for(user).post(decide, body, content_type=JSON).status_code == status, user
    page = f"/c/alpha/documents/{joint.pk}/suggestions/"
    form = {"room": store.section_room(section.pk), "decision": "accept", "id": sid}
    for user, status in ((personas.member, 403), (other_editor, 403), (personas.outsider, 404)):
        assert personas.client_for(user).post(page, form).status_code == status, user
    assert services.suggestions_of_text(joint, store.section_room(section.pk))[0].id == sid  # nothing decided
    # Bad input: a clear 400, never a server error.
    admin = personas.client_for(personas.admin)
    for bad in (
        {"decision": "maybe", "id": sid},
        {"decision": "accept"},
        {"decision": "accept", "author": "x1"},
        {"decision": "accept", "room": "section-x", "id": sid},
    ):
        answer = admin.post(page, {"room": store.section_room(section.pk), **bad})
        assert answer.status_code in (400, 403, 409) and "error" in answer.json(), bad
    assert admin.post(decide, json.dumps({"verdict": "accept"}), content_type=JSON).status_code == 400
    assert admin.post(page, form).json() == {"decided": 1, "accepted": True}


def test_a_suggesters_plain_change_is_refused_by_the_store(personas, joint):
    section = first_section(joint)
    text = store.text_for_section(section)
    doc: Doc = Doc()
    doc.apply_update(store.current_state(text))
    vector = doc.get_state()
    doc.get(yhtml.FIELD, type=XmlFragment).children[0].children[0].insert(0, "Plainly ")
    with pytest.raises(store.NotASuggestion):
        store.append(text_id=text.pk, update=doc.get_update(vector), author_id=personas.member.pk, suggest_only=True)
    assert "Plainly" not in yhtml.state_to_html(store.current_state(text))


def test_listing_costs_the_same_queries_whatever_the_number_of_suggestions(personas, joint):
    section = first_section(joint)
    url = api(f"sections/{section.pk}/suggestions/")
    client = personas.client_for(personas.editor)
    counts = []
    for extra in (1, 12):
        for i in range(extra):
            suggest(section, personas.member if i % 2 else personas.admin, insert=f"w{i}x{extra} ")
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(url).json()) >= extra
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
