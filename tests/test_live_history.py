"""The history of a section under live editing: versions kept at a write, after a pause and at a change
of status; named; who wrote in each; any two compared word by word, footnotes included; an old one
restored as a new change that open editors receive; and who may do which, with bad input said plainly."""

from __future__ import annotations

import zoneinfo

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, translation
from django.utils import timezone as dj_timezone
from django.utils.html import escape

from coalitions.models import Membership, Role
from submissions import history, services
from submissions.live import store, yhtml
from submissions.models import Document, LiveUpdate, RevisionReason, Section, SectionRevision

from .factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def first_section(document: Document) -> Section:
    section = document.sections.order_by("position").first()
    assert section is not None
    return section


def url(name: str, section: Section, *args: object) -> str:
    return reverse(f"documents:{name}", args=("alpha", section.document_id, section.pk, *args))


def write(personas, user, section: Section, html: str, title: str | None = None) -> Section:
    """A save through the services, as a form or the API makes it."""
    current = Section.objects.get(pk=section.pk)
    return services.section_save(
        section=current, membership=personas.membership(user), base_version=current.version, body=html, title=title
    )


def type_live(section: Section, html: str, author) -> int:
    """What a browser sends while someone types: a Y update stored in the text's log (no version yet)."""
    text = store.text_for_section(Section.objects.get(pk=section.pk))
    update = yhtml.html_to_update(html, current_state=store.current_state(text))
    return store.append(text_id=text.pk, update=update, author_id=author.pk)


def versions(section: Section) -> list[SectionRevision]:
    return list(SectionRevision.objects.filter(section=section).order_by("version"))


def newest(section: Section) -> SectionRevision:
    revision = SectionRevision.objects.filter(section=section).order_by("-version").first()
    assert revision is not None
    return revision


def followed_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- versions are kept ---------------------------------------------------------------------------


def test_a_write_through_a_form_keeps_a_version_with_its_writer(personas, joint):
    section = first_section(joint)
    editor = personas.client_for(personas.editor)
    saved = editor.post(
        reverse("documents:section_save", args=("alpha", joint.pk, section.pk)),
        {"body": "<p>Torture is prohibited.</p>", "base_version": section.version},
    )
    assert saved.status_code == 302
    kept = newest(section)
    assert kept.reason == RevisionReason.WRITE and kept.authors == [personas.editor.pk]
    assert kept.created_by == personas.editor
    assert store.html_at(kept) == "<p>Torture is prohibited.</p>" == Section.objects.get(pk=section.pk).body


def test_a_pause_in_live_editing_keeps_a_version_with_who_typed(personas, joint):
    section = first_section(joint)
    write(personas, personas.admin, section, "<p>The secretariat's draft.</p>")
    before = len(versions(section))
    type_live(section, "<p>The secretariat's draft.</p><p>The group's paragraph, typed live.</p>", personas.editor)
    assert len(versions(section)) == before  # typing alone keeps nothing
    text = store.text_for_section(section)
    kept = store.keep_pause_version(text.pk)
    assert kept is not None and kept.reason == RevisionReason.PAUSE and kept.created_by is None
    assert kept.authors == [personas.editor.pk]
    assert "typed live" in store.html_at(kept) and "typed live" in Section.objects.get(pk=section.pk).body
    assert store.keep_pause_version(text.pk) is None  # no change since: no new version


def test_a_change_of_status_keeps_what_was_typed_live_as_a_version(personas, joint):
    section = first_section(joint)
    write(personas, personas.admin, section, "<p>Before review.</p>")
    type_live(section, "<p>Before review, and typed just before the status changed.</p>", personas.editor)
    services.document_set_status(document=joint, membership=personas.membership(personas.editor), to="in_review")
    kept = newest(section)
    assert kept.reason == RevisionReason.STATUS and kept.created_by == personas.editor
    assert kept.authors == [personas.editor.pk]
    assert "typed just before the status changed" in store.html_at(kept)


# --- the history page ----------------------------------------------------------------------------


def test_the_history_lists_each_version_newest_first_with_why_when_and_who(personas, joint):
    section = first_section(joint)
    write(personas, personas.admin, section, "<p>Torture is prohibited.</p>")
    type_live(section, "<p>Torture remains widespread.</p>", personas.editor)
    store.keep_pause_version(store.text_for_section(section).pk)
    # Someone who wrote and then left the coalition is not named any more.
    leaver = UserFactory(name="Leaving Person")
    MembershipFactory(coalition=personas.coalition, user=leaver, role=Role.EDITOR)
    type_live(section, "<p>Torture remains widespread in custody.</p>", leaver)
    store.keep_pause_version(store.text_for_section(section).pk)
    Membership.objects.filter(user=leaver).delete()
    services.section_version_name(
        section=section,
        membership=personas.membership(personas.admin),
        revision=versions(section)[1],
        name="After the <b>group's</b> edits",
    )
    personas.admin.timezone = "Asia/Tokyo"
    personas.admin.save(update_fields=["timezone"])

    response = personas.client_for(personas.admin).get(url("section_history", section))
    assert response.status_code == 200
    page = response.content.decode()
    first, second, third = versions(section)
    positions = [page.index(f'id="v{r.version}-h"') for r in (third, second, first)]
    assert positions == sorted(positions)  # newest first
    assert "After a pause in editing" in page and "Written through a form or the API" in page
    assert escape("After the <b>group's</b> edits") in page and "<b>group" not in page
    assert escape(str(personas.editor)) in page and escape(str(personas.admin)) in page
    assert "a former member" in page and "Leaving Person" not in page
    with translation.override("en"):
        tokyo = formats.date_format(dj_timezone.localtime(third.created_at, zoneinfo.ZoneInfo("Asia/Tokyo")), "DATETIME_FORMAT")
    assert tokyo in page
    # What changed since the version before, word by word.
    assert "<del>is prohibited.</del>" in page and "<ins>remains widespread.</ins>" in page
    assert "<del>widespread.</del>" in page and "<ins>widespread in custody.</ins>" in page
    assert "Compare version 2 with version 3 in full" in page


def test_observers_and_members_read_the_history_without_the_forms(personas, joint):
    section = first_section(joint)
    write(personas, personas.admin, section, "<p>One.</p>")
    write(personas, personas.admin, section, "<p>Two.</p>")
    for user in (personas.observer, personas.member):
        client = personas.client_for(user)
        page = client.get(url("section_history", section))
        assert page.status_code == 200
        text = page.content.decode()
        assert "Version 2" in text and "Restore version" not in text and "Name the current version" not in text
        assert client.get(url("section_compare", section)).status_code == 200
    editor_page = personas.client_for(personas.editor).get(url("section_history", section)).content.decode()
    assert "Restore version 1" in editor_page and "Restore version 2" not in editor_page  # 2 is the current text
    assert "Name the current version" in editor_page


# --- naming --------------------------------------------------------------------------------------


def test_editors_name_rename_and_unname_a_version(personas, joint):
    section = first_section(joint)
    write(personas, personas.admin, section, "<p>First draft.</p>")
    write(personas, personas.admin, section, "<p>Second draft.</p>")
    editor = personas.client_for(personas.editor)
    named = editor.post(url("section_version_name", section, 1), {"name": "  Sent to   the group  "}, follow=True)
    assert named.status_code == 200 and "Version 1 is named “Sent to the group”." in followed_messages(named)
    assert versions(section)[0].name == "Sent to the group"
    assert "Version 1: “Sent to the group”" in named.content.decode()
    editor.post(url("section_version_name", section, 1), {"name": "Sent to the secretariat"})
    assert versions(section)[0].name == "Sent to the secretariat"
    unnamed = editor.post(url("section_version_name", section, 1), {"name": ""}, follow=True)
    assert versions(section)[0].name == "" and "Version 1 has no name any more." in followed_messages(unnamed)


def test_naming_the_current_version_keeps_what_was_typed_live(personas, joint):
    section = first_section(joint)
    write(personas, personas.admin, section, "<p>Draft.</p>")
    editor = personas.client_for(personas.editor)
    # Nothing typed since the last version: that version takes the name, no copy of it is made.
    editor.post(url("section_version_keep", section), {"name": "Draft for the consultation"})
    assert [(r.version, r.name) for r in versions(section)] == [(1, "Draft for the consultation")]
    type_live(section, "<p>Draft, with what the consultation said.</p>", personas.editor)
    kept = editor.post(url("section_version_keep", section), {"name": "After the consultation"}, follow=True)
    last = newest(section)
    assert last.version == 2 and last.reason == RevisionReason.NAMED and last.name == "After the consultation"
    assert last.created_by == personas.editor and last.authors == [personas.editor.pk]
    assert "what the consultation said" in store.html_at(last)
    assert "The current text is kept as version 2, named “After the consultation”." in followed_messages(kept)


def test_a_bad_name_is_refused_with_a_clear_message_and_changes_nothing(personas, joint):
    section = first_section(joint)
    write(personas, personas.admin, section, "<p>Draft.</p>")
    admin = personas.client_for(personas.admin)
    too_long = admin.post(url("section_version_name", section, 1), {"name": "x" * 10_000}, follow=True)
    assert too_long.status_code == 200
    assert "The name of a version has at most 120 characters (this one has 10,000)." in followed_messages(too_long)
    kept = admin.post(url("section_version_keep", section), {"name": "y" * 10_000}, follow=True)
    assert kept.status_code == 200 and any("at most 120 characters" in m for m in followed_messages(kept))
    empty = admin.post(url("section_version_keep", section), {"name": "  "}, follow=True)
    assert "Give the version a name." in followed_messages(empty)
    assert [(r.version, r.name) for r in versions(section)] == [(1, "")]
    # Control characters never reach the database (a NUL would fail there): they are dropped.
    admin.post(url("section_version_name", section, 1), {"name": "Final\x00 text\x07"})
    assert versions(section)[0].name == "Final text"
    # A version that does not exist, or a number out of any range, is not found.
    assert admin.post(url("section_version_name", section, 99999), {"name": "x"}).status_code == 404
    assert admin.post(url("section_version_name", section, 99_999_999_999_999), {"name": "x"}).status_code == 404
    assert admin.get(url("section_version_name", section, 1)).status_code == 405
    assert admin.post(url("section_restore", section, 99999)).status_code == 404
    assert admin.post(url("section_restore", section, 99_999_999_999_999)).status_code == 404


# --- comparing -----------------------------------------------------------------------------------

OLDER = (
    '<p>Torture is prohibited by law.<span class="footnote">Constitution, art. 18.</span></p>'
    '<p>Prisons are overcrowded.<span class="footnote">Ombudsman report 2021.</span></p>'
    '<p>An old paragraph.<span class="footnote">A note that goes.</span></p>'
)
NEWER = (
    "<p>Torture remains widespread in police custody."
    '<span class="footnote">Constitution, art. 18; Criminal Code, art. 265.</span></p>'
    '<p>Prisons are overcrowded.<span class="footnote">Ombudsman report 2021.</span>'
    '<span class="footnote">A new source &lt;script&gt;, 2024.</span></p>'
)


def test_compare_shows_the_text_the_footnotes_and_the_title_word_by_word(personas, joint):
    section = first_section(joint)
    write(personas, personas.admin, section, OLDER)
    write(personas, personas.editor, section, NEWER, title="Torture and ill-treatment")
    older, newer = versions(section)
    response = personas.client_for(personas.member).get(
        url("section_compare", section), {"from": older.version, "to": newer.version}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "From version 1 to version 2" in page
    assert "<del>is prohibited by law.</del>" in page and "<ins>remains widespread in police custody.</ins>" in page
    assert "Prisons are overcrowded." in page and "<del>An old paragraph.</del>" in page  # the whole text, marked
    assert "Constitution, art. 18." not in page.split("Footnotes")[0]  # footnotes are not in the text
    assert "Footnote 1 changed" in page and "<del>18.</del>" in page and "<ins>18; Criminal Code, art. 265.</ins>" in page
    assert "Footnote 3 removed" in page and "<del>A note that goes.</del>" in page
    assert "Footnote 3 added" in page and "<ins>A new source &lt;script&gt;, 2024.</ins>" in page
    assert "1 footnote unchanged." in page
    title = page.split("<h3>Title</h3>")[1].split("</p>")[0]  # "Introduction and methodology" before
    assert "<del>Introduction</del>" in title and "<ins>Torture</ins>" in title and "<ins>ill-treatment</ins>" in title
    assert f"Written in between by {escape(str(personas.editor))}." in page


def test_the_diff_of_footnotes_sees_an_inserted_footnote_not_every_later_one_changed():
    older = '<p>A.<span class="footnote">First.</span> B.<span class="footnote">Second.</span></p>'
    newer = (
        '<p>Z.<span class="footnote">New one.</span> A.<span class="footnote">First.</span> '
        'B.<span class="footnote">Second, with a page.</span></p>'
    )
    changes = history.compare(older, newer)
    assert [(f.kind, f.old_number, f.new_number) for f in changes.footnotes] == [("added", None, 1), ("changed", 2, 3)]
    assert changes.footnotes_unchanged == 1 and changes.footnotes[1].renumbered
    assert changes.footnotes[0].anchor == "Z." and changes.counts == {"added": 1, "removed": 0, "changed": 1}
    text = [(b.kind, [(p.kind, p.text) for p in b.pieces]) for b in changes.blocks]
    assert text == [("changed", [("added", "Z."), ("same", "A. B.")])]
    assert changes.words_added == 1 and changes.words_removed == 0
    same = history.compare(older, older, old_title="T", new_title="T")
    assert not same.changed and same.title == ()


def test_a_short_diff_counts_the_unchanged_paragraphs_it_leaves_out():
    older = "".join(f"<p>Paragraph {n}.</p>" for n in range(1, 8))
    newer = older.replace("<p>Paragraph 4.</p>", "<p>Paragraph four.</p>")
    blocks = history.compare(older, newer, context=0).blocks
    assert [(b.kind, b.skipped) for b in blocks] == [("skipped", 3), ("changed", 0), ("skipped", 3)]
    assert [b.kind for b in history.compare(older, newer).blocks].count("same") == 6


def test_bad_or_missing_version_numbers_are_said_plainly(personas, joint):
    section = first_section(joint)
    write(personas, personas.admin, section, "<p>One.</p>")
    write(personas, personas.admin, section, "<p>Two.</p>")
    client = personas.client_for(personas.observer)
    # Without numbers: the two newest.
    default = client.get(url("section_compare", section))
    assert default.status_code == 200 and "From version 1 to version 2" in default.content.decode()
    cases = {
        ("abc", "2"): "From: “abc” is not a version number.",
        ("99999", "2"): "From: this section has no version 99999.",
        ("1", ""): "To: choose a version.",
        ("1", None): "To: choose a version.",
        ("-1", "2"): "From: “-1” is not a version number.",
        ("1.0", "2"): "is not a version number.",
        ("99999999999999999999999", "2"): "is not a version number.",
        ("²", "2"): "is not a version number.",
    }
    for (low, high), message in cases.items():
        params = {"from": low} | ({"to": high} if high is not None else {})
        response = client.get(url("section_compare", section), params)
        assert response.status_code == 400, (low, high)
        assert escape(message) in response.content.decode() or message in response.content.decode(), (low, high)
    same = client.get(url("section_compare", section), {"from": 2, "to": 2})
    assert same.status_code == 200 and "the same version twice" in same.content.decode()


def test_compare_with_no_version_kept_yet_says_so(personas, joint):
    section = joint.sections.order_by("position")[1]
    page = personas.client_for(personas.admin).get(url("section_compare", section))
    assert page.status_code == 200 and "nothing to compare" in page.content.decode()


# --- restoring -----------------------------------------------------------------------------------


def test_restore_brings_an_old_version_back_as_a_new_change_written_live(personas, joint):
    section = first_section(joint)
    write(personas, personas.admin, section, OLDER)
    write(personas, personas.admin, section, NEWER)
    type_live(section, NEWER.replace("Prisons", "Our prisons"), personas.admin)  # typed live, not yet kept
    text = store.text_for_section(section)
    updates_before = LiveUpdate.objects.filter(text=text).count()
    old = versions(section)[0]

    response = personas.client_for(personas.editor).post(url("section_restore", section, old.version), follow=True)
    assert response.status_code == 200
    kept = versions(section)
    # What was typed live was kept first (version 3), then the restore (version 4).
    assert [(r.version, r.reason) for r in kept[2:]] == [(3, RevisionReason.PAUSE), (4, RevisionReason.RESTORE)]
    assert "Our prisons" in store.html_at(kept[2])
    assert "Version 1 restored as version 4." in followed_messages(response)
    restored = kept[3]
    assert store.html_at(restored) == store.html_at(old) == Section.objects.get(pk=section.pk).body
    assert restored.created_by == personas.editor and personas.editor.pk in restored.authors
    # It went through the live text's log, as every change that is broadcast to open editors does.
    last = LiveUpdate.objects.filter(text=text).order_by("-seq").first()
    assert LiveUpdate.objects.filter(text=text).count() == updates_before + 1 and last.author == personas.editor
    assert yhtml.state_to_html(store.current_state(text)) == store.html_at(old)
    assert "Version 4" in response.content.decode()  # the history, with the new version on top


@pytest.mark.django_db(transaction=True)
def test_a_restore_reaches_the_editors_who_have_the_section_open(personas):
    from asgiref.sync import async_to_sync
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator
    from django.test import Client

    from hub.asgi import application
    from submissions.live.client import LiveClient

    document = services.document_create(
        coalition=personas.coalition,
        actor=personas.admin,
        engagement=personas.engagement,
        kind="joint_submission",
        title="Joint submission",
        lead_organisation=personas.organisation,
    )
    section = first_section(document)
    write(personas, personas.admin, section, OLDER)
    write(personas, personas.admin, section, NEWER)
    room = store.section_room(section.pk)
    reader = Client()
    reader.force_login(personas.member)  # a member reads the section live; the admin restores
    headers = [
        (b"origin", b"http://localhost"),
        (b"host", b"localhost"),
        (b"cookie", f"sessionid={reader.cookies['sessionid'].value}".encode()),
    ]
    restorer = personas.client_for(personas.admin)

    async def drain(socket: WebsocketCommunicator, client: LiveClient) -> None:
        while not await socket.receive_nothing(timeout=0.5):
            message = await socket.receive_output()
            if message["type"] == "websocket.close":
                return
            reply = client.receive(text=message.get("text"), data=message.get("bytes"))
            if reply is not None:
                await socket.send_to(bytes_data=reply)

    async def scenario() -> tuple[LiveClient, int]:
        socket = WebsocketCommunicator(application, f"/ws/c/alpha/documents/{document.pk}/live/", headers=headers)
        connected, _ = await socket.connect()
        assert connected
        client = LiveClient()
        for frame in client.join(room):
            await (socket.send_to(text_data=frame) if isinstance(frame, str) else socket.send_to(bytes_data=frame))
        await drain(socket, client)
        assert client.rooms[room].html() == store.html_at(await database_sync_to_async(newest)(section))
        response = await database_sync_to_async(restorer.post)(url("section_restore", section, 1))
        await drain(socket, client)
        await socket.disconnect()
        return client, response.status_code

    client, status = async_to_sync(scenario)()
    assert status == 302
    assert client.rooms[room].html() == store.html_at(versions(section)[0]) == Section.objects.get(pk=section.pk).body


def test_restoring_the_current_text_changes_nothing_and_says_so(personas, joint):
    section = first_section(joint)
    write(personas, personas.admin, section, "<p>Only.</p>")
    response = personas.client_for(personas.admin).post(url("section_restore", section, 1), follow=True)
    assert "nothing to restore" in " ".join(followed_messages(response)) and len(versions(section)) == 1


def test_a_final_document_is_not_restored_but_its_versions_can_still_be_named(personas, joint):
    section = first_section(joint)
    write(personas, personas.admin, section, "<p>One.</p>")
    write(personas, personas.admin, section, "<p>Two.</p>")
    Document.objects.filter(pk=joint.pk).update(status="final")
    admin = personas.client_for(personas.admin)
    refused = admin.post(url("section_restore", section, 1), follow=True)
    assert any("can no longer be edited" in m for m in followed_messages(refused))
    assert len(versions(section)) == 2 and "Two." in Section.objects.get(pk=section.pk).body
    assert "Restore version" not in admin.get(url("section_history", section)).content.decode()
    admin.post(url("section_version_name", section, 2), {"name": "As made final"})
    assert versions(section)[1].name == "As made final"


# --- who may do what -----------------------------------------------------------------------------


def test_an_outsider_gets_404_on_every_history_address(personas, joint):
    section = first_section(joint)
    write(personas, personas.admin, section, "<p>One.</p>")
    outsider = personas.client_for(personas.outsider)
    assert outsider.get(url("section_history", section)).status_code == 404
    assert outsider.get(url("section_compare", section), {"from": 1, "to": 1}).status_code == 404
    assert outsider.post(url("section_version_name", section, 1), {"name": "Mine"}).status_code == 404
    assert outsider.post(url("section_version_keep", section), {"name": "Mine"}).status_code == 404
    assert outsider.post(url("section_restore", section, 1)).status_code == 404
    assert versions(section)[0].name == "" and len(versions(section)) == 1


def test_a_section_of_another_document_is_not_found_under_this_one(personas, joint):
    other = services.document_create(
        coalition=personas.coalition,
        actor=personas.admin,
        engagement=personas.engagement,
        kind="factsheet",
        title="Factsheet",
        theme="Water",
    )
    foreign = first_section(other)
    write(personas, personas.admin, foreign, "<p>Water.</p>")
    admin = personas.client_for(personas.admin)
    wrong = reverse("documents:section_compare", args=("alpha", joint.pk, foreign.pk))
    assert admin.get(wrong, {"from": 1, "to": 1}).status_code == 404
    assert admin.get(reverse("documents:section_history", args=("alpha", joint.pk, foreign.pk))).status_code == 404
    assert admin.post(reverse("documents:section_restore", args=("alpha", joint.pk, foreign.pk, 1))).status_code == 404
    assert (
        admin.post(reverse("documents:section_version_name", args=("alpha", joint.pk, foreign.pk, 1)), {"name": "x"}).status_code
        == 404
    )


def test_observers_and_members_cannot_name_or_restore_nor_editors_of_another_group(personas, joint):
    section = first_section(joint)
    write(personas, personas.admin, section, "<p>One.</p>")
    write(personas, personas.admin, section, "<p>Two.</p>")
    for user in (personas.observer, personas.member):
        client = personas.client_for(user)
        assert client.post(url("section_version_name", section, 1), {"name": "Mine"}).status_code == 403
        assert client.post(url("section_version_keep", section), {"name": "Mine"}).status_code == 403
        assert client.post(url("section_restore", section, 1)).status_code == 403
    # A section of no working group of the editor's: refused with a message, nothing changed.
    other = joint.sections.order_by("position")[1]
    write(personas, personas.admin, other, "<p>Elsewhere.</p>")
    refused = personas.client_for(personas.editor).post(url("section_version_name", other, 1), {"name": "Mine"}, follow=True)
    assert any("Only the editors of this section" in m for m in followed_messages(refused))
    assert [r.name for r in versions(section) + versions(other)] == ["", "", ""]
    assert len(versions(section)) == 2 and "Two." in Section.objects.get(pk=section.pk).body


# --- the API -------------------------------------------------------------------------------------


def test_the_api_lists_versions_with_name_reason_and_authors_and_names_one(personas, joint):
    section = first_section(joint)
    write(personas, personas.admin, section, "<p>One.</p>")
    type_live(section, "<p>One, and two.</p>", personas.editor)
    store.keep_pause_version(store.text_for_section(section).pk)
    api = f"/api/c/alpha/sections/{section.pk}/"
    listed = personas.client_for(personas.member).get(api + "revisions/").json()
    assert [(r["version"], r["reason"], r["authors"], r["name"]) for r in listed] == [
        (2, "pause", [personas.editor.pk], ""),
        (1, "write", [personas.admin.pk], ""),
    ]
    editor = personas.client_for(personas.editor)
    named = editor.post(api + "name/", {"version": 2, "name": "With two"}, content_type="application/json")
    assert named.status_code == 200 and named.json()["name"] == "With two"
    assert editor.post(api + "name/", {"version": 7, "name": "x"}, content_type="application/json").status_code == 400
    too_long = editor.post(api + "name/", {"version": 2, "name": "x" * 10_000}, content_type="application/json")
    assert too_long.status_code == 400 and "at most 120 characters" in too_long.content.decode()
    assert editor.post(api + "name/", {"version": 2, "name": ["x"]}, content_type="application/json").status_code == 400
    member = personas.client_for(personas.member)
    assert member.post(api + "name/", {"version": 2, "name": "x"}, content_type="application/json").status_code == 403
    assert (
        personas.client_for(personas.outsider)
        .post(api + "name/", {"version": 2, "name": "x"}, content_type="application/json")
        .status_code
        == 404
    )
    assert versions(section)[1].name == "With two"


# --- cost ----------------------------------------------------------------------------------------


def test_the_history_page_costs_the_same_queries_with_3_and_30_versions(personas, joint):
    section = first_section(joint)
    admin = personas.client_for(personas.admin)
    writers = [personas.admin, personas.editor]

    def grow(to: int) -> None:
        n = len(versions(section))
        while n < to:
            if n % 2:
                write(personas, writers[n % 2], section, f"<p>Text {n} written.</p><p>{'word ' * n}</p>")
            else:
                type_live(section, f'<p>Text {n} typed.<span class="footnote">Source {n}.</span></p>', writers[n % 2])
                store.keep_pause_version(store.text_for_section(section).pk)
            if n % 3 == 0:
                services.section_version_name(
                    section=section, membership=personas.membership(personas.admin), revision=newest(section), name=f"Named {n}"
                )
            n = len(versions(section))

    counts = []
    for size in (3, 30):
        grow(size)
        for page in (
            url("section_history", section),
            url("section_history", section) + "?page=2",
            url("section_compare", section),
        ):
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                assert admin.get(page).status_code == 200
            counts.append(len(captured.captured_queries))
    assert counts[:3] == counts[3:], counts
