"""Sanitised rich text is a type (submissions.safehtml.SafeHTML), made only by the sanitiser and read
from the fields that hold its output; templates show it as it is and escape any other str.

* SafeHTML cannot be made from a str by anyone else; what is derived from it is a plain str again.
* The fields holding sanitised HTML read SafeHTML and sanitise every write of anything else.
* A section text with a script, given to the service, is stored and shown without it.
* The document page (templates/submissions/partials/section.html, which replaced the f-strings of
  submissions/page.py) writes a rich section exactly as before, byte for byte.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import pickle
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from submissions import richtext, services
from submissions.models import Document, Section, SectionRevision
from submissions.safehtml import SafeHTML

# What a browser or a paste may send: formatting to map (<b>, <i>, <h1>), a link with an event handler, a
# footnote, lists, a quotation, a table, a line break, an entity, and what must never be kept.
RICH = (
    '<h1>Rights &amp; "freedoms"</h1><p>Text with <b>bold</b>, <i>em</i>, <u>u</u> and '
    '<a href="https://example.org/?a=1&amp;b=2" onclick="steal()">a link</a>'
    '<span class="footnote">A note with <a href="https://www.ohchr.org">a link</a> &amp; &lt;angle&gt;.</span>.</p>'
    "<ul><li>one<ul><li>nested</li></ul></li><li>two</li></ul><ol><li>first</li><li>second</li></ol>"
    "<blockquote><p>Quoted</p></blockquote>"
    '<table><tr><th>Head</th><th colspan="2">Wide</th></tr><tr><td>a</td><td rowspan="2">b</td><td>c</td></tr>'
    "<tr><td>d</td><td>e</td></tr></table>"
    "<h3>Sub</h3><p>Line<br>break&nbsp;\u00e9t\u00e9.</p><script>alert(1)</script><img src=x onerror=alert(2)>"
)
# RICH as the section holds it: sanitised, then rendered from its live text (submissions.live.yhtml).
RICH_STORED = (
    '<h2>Rights &amp; "freedoms"</h2><p>Text with <strong>bold</strong>, <em>em</em>, <u>u</u> and '
    '<a href="https://example.org/?a=1&amp;b=2" rel="noopener noreferrer">a link</a><span class="footnote">A note with '
    '<a href="https://www.ohchr.org" rel="noopener noreferrer">a link</a> &amp; &lt;angle&gt;.</span>.</p>'
    "<ul><li>one<ul><li>nested</li></ul></li><li>two</li></ul><ol><li>first</li><li>second</li></ol>"
    "<blockquote>Quoted</blockquote>"
    '<table><tbody><tr><th>Head</th><th colspan="2">Wide</th></tr><tr><td>a</td><td rowspan="2">b</td><td>c</td></tr>'
    "<tr><td>d</td><td>e</td></tr></tbody></table>"
    "<h3>Sub</h3><p>Line<br>break&nbsp;\u00e9t\u00e9.</p>"
)
SAVED_AT = dt.datetime(2025, 3, 4, 10, 20, tzinfo=dt.UTC)


# --- the type ---------------------------------------------------------------------------------------


def test_safehtml_is_made_by_the_sanitiser_only() -> None:
    with pytest.raises(TypeError):
        SafeHTML("<p>trusted?</p>")
    cleaned = richtext.clean("<p>x<script>alert(1)</script></p>")
    assert type(cleaned) is SafeHTML and cleaned == "<p>x</p>"
    assert type(richtext.clean(None)) is SafeHTML  # type: ignore[arg-type]  # None on purpose: what an empty field stores
    # What is made from it afterwards is not what the sanitiser wrote: a plain str, escaped in a template.
    for derived in (
        cleaned + "<script>",
        "<b>" + cleaned,
        cleaned.replace("x", "<i>"),
        cleaned[:3],
        cleaned.strip(),
        str(cleaned),
        f"{cleaned}",
        cleaned.upper(),
    ):
        assert type(derived) is str, derived
    # mark_safe does not make one either, nor does Django's SafeString become one.
    assert not isinstance(mark_safe("<p>x</p>"), SafeHTML)
    # A cache keeps it as what it is.
    assert type(pickle.loads(pickle.dumps(cleaned))) is SafeHTML


def test_no_module_but_the_sanitiser_and_the_field_seals_html() -> None:
    """`_seal` is SafeHTML's only maker: richtext.clean and fields.SanitisedHTMLField call it, nothing else."""
    root = Path(settings.BASE_DIR)
    callers = set()
    for path in root.glob("*/**/*.py"):
        relative = path.relative_to(root).as_posix()
        if relative.split("/")[0] in {".venv", "node_modules", "tests", "frontend"}:
            continue
        tree = ast.parse(path.read_text(), relative)
        for node in ast.walk(tree):
            named = (
                (isinstance(node, ast.Name) and node.id == "_seal")
                or (isinstance(node, ast.Attribute) and node.attr == "_seal")
                or (isinstance(node, ast.alias) and node.name == "_seal")
            )
            if named:
                callers.add(relative)
    assert callers == {"submissions/safehtml.py", "submissions/richtext.py", "submissions/fields.py"}


def test_a_template_shows_safehtml_as_it_is_and_escapes_a_plain_str() -> None:
    def live_text(body: object) -> str:
        return render_to_string(
            "submissions/partials/live_text.html",
            {
                "room": "section-1",
                "key": "section-1",
                "body": body,
                "label": "L",
                "title": "T",
                "numbered": True,
                "editable": False,
            },
        )

    sanitised = richtext.clean('<p>A <strong>bold</strong> claim<span class="footnote">Source.</span></p>')
    assert f">{sanitised}</div>" in live_text(sanitised)
    raw = "<p>A <strong>bold</strong> claim</p><script>alert(1)</script>"
    shown = live_text(raw)
    assert "<script>" not in shown and "<strong>" not in shown
    assert f">{conditional_escape(raw)}</div>" in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in live_text(mark_safe("x") + raw)  # SafeString + str: escaped
    # The fallback form shows the HTML source, escaped, whatever its type.
    form = render_to_string(
        "submissions/partials/fallback_editor.html",
        {
            "action": "/x/",
            "version": 3,
            "key": "summary",
            "body": sanitised,
            "label": "Executive summary",
            "title": None,
            "csrf_token": "t",
        },
    )
    assert f">{conditional_escape(str(sanitised))}</textarea>" in form


# --- the fields -------------------------------------------------------------------------------------


def _document(personas) -> Document:
    return services.document_create(
        coalition=personas.coalition,
        actor=personas.admin,
        engagement=personas.engagement,
        kind="joint_submission",
        title="Joint submission",
        lead_organisation=personas.organisation,
    )


def test_the_fields_read_safehtml_and_sanitise_every_other_write(personas) -> None:
    document = _document(personas)
    section = document.sections.order_by("position").first()
    assert section is not None  # document_create gives a document its starting sections
    dirty = '<p onclick="x()">Kept<script>alert(1)</script></p>'
    Section.objects.filter(pk=section.pk).update(body=dirty)  # no service: straight to the table
    section.refresh_from_db()
    assert type(section.body) is SafeHTML and section.body == "<p>Kept</p>"
    section.body = dirty  # assigned: a str until saved, which is escaped if shown
    assert type(section.body) is str
    section.save()
    assert type(section.body) is SafeHTML and section.body == "<p>Kept</p>"  # what the row holds
    made = Section.objects.create(coalition=personas.coalition, document=document, title="Made", body=dirty)
    both = Section.objects.bulk_create(
        [Section(coalition=personas.coalition, document=document, title=f"Bulk {n}", body=dirty) for n in range(2)]
    )
    Document.objects.filter(pk=document.pk).update(summary=dirty)
    SectionRevision.objects.create(coalition=personas.coalition, section=section, version=99, title="t", body=dirty)
    assert set(Section.objects.filter(pk__in=[made.pk, *(s.pk for s in both)]).values_list("body", flat=True)) == {"<p>Kept</p>"}
    read = [
        Document.objects.get(pk=document.pk).summary,
        SectionRevision.objects.get(section=section, version=99).body,
        *Section.objects.filter(document=document).values_list("body", flat=True),
    ]
    assert all(type(value) is SafeHTML for value in read)
    assert Document.objects.get(pk=document.pk).summary == "<p>Kept</p>"


def test_the_migration_sanitised_the_rows_written_before(personas) -> None:
    """Rows written before the columns sanitised every write (by SQL here, which bypasses the field) are
    passed through the sanitiser by migration 0008; rows already sanitised are left as they are."""
    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("submissions.migrations.0008_sanitised_html_fields")
    document = _document(personas)
    dirty, clean = document.sections.order_by("position")[:2]
    Section.objects.filter(pk=clean.pk).update(body="<p>Already clean.</p>")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE submissions_section SET body = %s WHERE id = %s", ['<p onclick="x()">Old<script>1</script></p>', dirty.pk]
        )
        cursor.execute(
            "UPDATE submissions_document SET summary = %s WHERE id = %s", ["<p>Sum<script>2</script></p>", document.pk]
        )
    migration.sanitise_existing_rows(apps, None)
    assert Section.objects.get(pk=dirty.pk).body == "<p>Old</p>"
    assert Section.objects.get(pk=clean.pk).body == "<p>Already clean.</p>"
    assert Document.objects.get(pk=document.pk).summary == "<p>Sum</p>"


# --- through the service, on the page -----------------------------------------------------------------


def _page(client, document: Document) -> str:
    response = client.get(f"/c/alpha/documents/{document.pk}/")
    assert response.status_code == 200
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


def test_a_section_text_with_a_script_is_stored_and_shown_without_it(personas) -> None:
    document = _document(personas)
    section = document.sections.order_by("position").first()
    assert section is not None  # document_create gives a document its starting sections
    admin = personas.membership(personas.admin)
    services.section_save(
        section=section,
        membership=admin,
        base_version=section.version,
        body='<p>Detention <strong>conditions</strong><script>fetch("/steal")</script><img src=x onerror="alert(1)"></p>',
    )
    services.summary_save(
        document=document,
        membership=admin,
        base_version=document.summary_version,
        summary="<p>Summary<script>alert(2)</script></p>",
    )
    section.refresh_from_db()
    document.refresh_from_db()
    assert section.body == "<p>Detention <strong>conditions</strong></p>" and type(section.body) is SafeHTML
    assert document.summary == "<p>Summary</p>"
    for user in (personas.admin, personas.member):
        page = _page(personas.client_for(user), document)
        assert "<p>Detention <strong>conditions</strong></p></div>" in page  # the text, as markup
        assert "<p>Summary</p></div>" in page
        assert "steal" not in page and "onerror" not in page and "alert(" not in page


def test_the_page_writes_a_rich_section_and_annex_as_page_py_did(personas) -> None:
    """The HTML of a section and of an annex, as submissions/page.py wrote them with f-strings, byte for
    byte (but the line breaks between elements): the live editor (frontend/src/) reads these ids, classes
    and data attributes."""
    document = _document(personas)
    admin = personas.membership(personas.admin)
    first = document.sections.order_by("position").first()
    assert first is not None  # document_create gives a document its starting sections
    services.section_save(
        section=first,
        membership=admin,
        base_version=first.version,
        body=RICH,
        title='Rights & "freedoms" <now>',
        working_group=personas.group,
    )
    annex = services.section_add(
        document=document,
        actor=personas.admin,
        title="Sources <&>",
        annex=True,
        body='<p>Annex text<span class="footnote">A note.</span></p>',
    )
    Section.objects.filter(document=document).update(updated_at=SAVED_AT)
    first.refresh_from_db()
    assert first.body == RICH_STORED
    page = _page(personas.client_for(personas.admin), document)

    def block(section: Section) -> str:
        start = page.index(f'<section id="section-{section.pk}"')
        return page[start : page.index('<div class="comments"', start)].replace("\n", "")

    f, a, admin_name = first.pk, annex.pk, conditional_escape(str(personas.admin))
    url = f"/c/alpha/documents/{document.pk}/sections/"
    token = page[page.index('name="csrfmiddlewaretoken" value="') + 34 :].split('"', 1)[0]
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
    options = page[page.index(f'<select id="who-{f}" name="assignee">') + len(f'<select id="who-{f}" name="assignee">') :]
    people = options[: options.index("</select>")]
    groups_html = page[
        page.index(f'<select id="wg-{f}" name="working_group">') + len(f'<select id="wg-{f}" name="working_group">') :
    ]
    groups_html = groups_html[: groups_html.index("</select>")]
    assert groups_html == f'<option value="">—</option><option value="{personas.group.pk}" selected>Equality</option>'
    assert people.startswith('<option value="">—</option>') and people.count("<option") == 5 and " selected" not in people
    assert f'<option value="{personas.admin.pk}">{admin_name}</option>' in people
    title = "Rights &amp; &quot;freedoms&quot; &lt;now&gt;"
    escaped_body = (
        RICH_STORED.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#x27;")
    )
    assert block(first) == (
        f'<section id="section-{f}" aria-labelledby="section-{f}-h" class="card doc-part"><h2 id="section-{f}-h">{title}</h2>'
        f'<p class="muted">Working group: Equality · version 2, saved by {admin_name} on 4 March 2025, 10:20 · '
        f'<a href="{url}{f}/history/">1 revision</a></p>'
        f'<div class="live-text doc-text numbered" data-room="section-{f}" data-count-key="section-{f}" data-label="{title}" '
        f'data-numbered="1" data-editable="1" data-title="{title}">{RICH_STORED}</div>'
        f'<details class="rename"><summary>Rename the section</summary><form method="post" action="{url}{f}/">{csrf}'
        f'<input type="hidden" name="base_version" value="2"><div class="field"><label for="rename-section-{f}">Section title'
        f'</label><input id="rename-section-{f}" name="title" value="{title}" maxlength="300" required></div>'
        f'<button type="submit">Rename</button></form></details>'
        f'<noscript><form method="post" action="{url}{f}/">{csrf}<input type="hidden" name="base_version" value="2">'
        f'<div class="field"><label for="title-section-{f}">Section title</label><input id="title-section-{f}" name="title" '
        f'value="{title}" maxlength="300" required></div><div class="field"><label for="body-section-{f}">{title} (HTML)</label>'
        f'<textarea name="body" id="body-section-{f}" rows="8">{escaped_body}</textarea></div>'
        f'<button type="submit">Save</button></form></noscript>'
        f'<details><summary>Assign, or delete the section</summary><form method="post" action="{url}{f}/assign/">{csrf}'
        f'<div class="field"><label for="wg-{f}">Working group</label><select id="wg-{f}" name="working_group">{groups_html}'
        f'</select></div><div class="field"><label for="who-{f}">Person</label><select id="who-{f}" name="assignee">{people}'
        f'</select></div><button type="submit">Assign</button></form><form method="post" action="{url}{f}/delete/">{csrf}'
        f'<button type="submit" class="danger">Delete this section</button></form></details>'
    )
    annex_body = '<p>Annex text<span class="footnote">A note.</span></p>'
    annex_title = "Sources &lt;&amp;&gt;"
    assert block(annex).startswith(
        f'<section id="section-{a}" aria-labelledby="section-{a}-h" class="card doc-part annex"><h2 id="section-{a}-h">'
        f'Annex 1: {annex_title}</h2><p class="muted">Does not count toward the limit.</p>'
        f'<p class="muted">Not assigned yet (the secretariat edits it). · version 2, saved by {admin_name} on 4 March 2025, '
        f'10:20 · <a href="{url}{a}/history/">1 revision</a></p>'
        f'<div class="live-text doc-text" data-room="section-{a}" data-count-key="annex-{a}" data-label="{annex_title}" '
        f'data-numbered="0" data-editable="1" data-title="{annex_title}">{annex_body}</div>'
        f'<details class="rename">'
    )
    # The executive summary: its live text, and the form without JavaScript (no title field).
    assert (
        '<div class="live-text doc-text" data-room="summary" data-count-key="summary" data-label="Executive summary" '
        'data-numbered="0" data-editable="1"></div>'
    ) in page.replace("\n", "")
    assert (
        f'<noscript><form method="post" action="/c/alpha/documents/{document.pk}/summary/">{csrf}'
        f'<input type="hidden" name="base_version" value="1"><div class="field"><label for="body-summary">'
        'Executive summary (HTML)</label><textarea name="body" id="body-summary" rows="8"></textarea></div>'
        '<button type="submit">Save</button></form></noscript>'
    ) in page.replace("\n", "")
