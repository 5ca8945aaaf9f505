"""The sections of the document page, rendered in Python.

The editor page shows a whole submission: at OHCHR's maximum, 5,630 words in a dozen sections with
150 footnotes, each section with its editor, its assignment and its comments. Through the template
engine (an include per section, a select of every member per section) the page cost 70 ms of
server time; here each section is one f-string. Every value interpolated goes through `escape`,
except the section's body, which `richtext.clean` sanitised when it was rendered. Each text is a
`.live-text` that the live editor (static/editor/live-editor.js) takes over from its room's CRDT; the
server's HTML in it is what a reader sees until then, and without JavaScript an editor gets a form.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Section


def _e(value: object) -> str:
    return escape(str(value))


@dataclass
class PageContext:
    """What every section of one page shares: computed once per request."""

    document_url: str
    csrf: str
    admin: bool
    can_comment: bool
    groups_options: str  # <option>s of the coalition's working groups
    people_options: str  # <option>s of its members (by user id)

    def section_url(self, section: Section, suffix: str = "") -> str:
        # documents/<id>/sections/<id>/<suffix>, as document_urls.py declares (tested against reverse()).
        return f"{self.document_url}sections/{section.pk}/{suffix}"


def options(choices: list[tuple[int, str]]) -> str:
    return '<option value="">—</option>' + "".join(f'<option value="{pk}">{_e(label)}</option>' for pk, label in choices)


def _selected(options_html: str, value: int | None) -> str:
    if value is None:
        return options_html
    needle = f'<option value="{value}">'
    return options_html.replace(needle, f'<option value="{value}" selected>', 1)


def page_context(request, document_url: str, groups: list[tuple[int, str]], people: list[tuple[int, str]]) -> PageContext:  # type: ignore[no-untyped-def]
    membership = request.membership
    return PageContext(
        document_url=document_url, csrf=get_token(request), admin=membership.is_admin,
        can_comment=membership.role != "observer", groups_options=options(groups) if membership.is_admin else "",
        people_options=options(people) if membership.is_admin else "",
    )


def _csrf(ctx: PageContext) -> str:
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{_e(ctx.csrf)}">'


def _meta(ctx: PageContext, section: Section) -> str:
    parts = []
    if section.working_group_id:
        parts.append(_("Working group: %(g)s") % {"g": section.working_group.name})
    if section.assignee_id:
        parts.append(_("Assigned to %(p)s") % {"p": section.assignee})
    if not parts:
        parts.append(_("Not assigned yet (the secretariat edits it)."))
    saved = _("version %(v)d") % {"v": section.version}
    if section.updated_by_id:
        saved += ", " + _("saved by %(who)s on %(when)s") % {
            "who": section.updated_by, "when": formats.date_format(section.updated_at, "DATETIME_FORMAT")}
    count = section.revision_count  # type: ignore[attr-defined]
    history = ngettext("%(n)d revision", "%(n)d revisions", count) % {"n": count}
    # Marked where its working group writes, so that it sees it (never blocking the writing). The page sets
    # `words` and `over_budget_by` from the section's row of the count: the number the panel shows.
    over = ""
    if getattr(section, "over_budget_by", 0):
        text = _("Over its budget: %(n)s of %(m)s words") % {"n": section.words, "m": section.word_budget}  # type: ignore[attr-defined]
        over = f' · <strong class="budget-over">{_e(text)}</strong>'
    return (f'<p class="muted">{_e(" · ".join(parts))} · {_e(saved)} · '
            f'<a href="{ctx.section_url(section, "history/")}">{_e(history)}</a>{over}</p>')


def _assign(ctx: PageContext, section: Section) -> str:
    if not ctx.admin or not getattr(section, "editable", False):
        return ""
    pk = section.pk
    return (
        f'<details><summary>{_e(_("Assign, or delete the section"))}</summary>'
        f'<form method="post" action="{ctx.section_url(section, "assign/")}">{_csrf(ctx)}'
        f'<div class="field"><label for="wg-{pk}">{_e(_("Working group"))}</label><select id="wg-{pk}" name="working_group">'
        f'{_selected(ctx.groups_options, section.working_group_id)}</select></div>'
        f'<div class="field"><label for="who-{pk}">{_e(_("Person"))}</label><select id="who-{pk}" name="assignee">'
        f'{_selected(ctx.people_options, section.assignee_id)}</select></div>'
        f'<button type="submit">{_e(_("Assign"))}</button></form>'
        f'<form method="post" action="{ctx.section_url(section, "delete/")}">{_csrf(ctx)}'
        f'<button type="submit" class="danger">{_e(_("Delete this section"))}</button></form></details>'
    )


def _comments(ctx: PageContext, section: Section) -> str:
    """The section's comments, from a template (submissions/partials/comments.html): threads with
    replies, quoted passages, forms and the margin's data attributes read better there than in an
    f-string, and the template engine escapes every value. The view sets `open_comments` and
    `resolved_comments` (selectors.comments.section_threads)."""
    return render_to_string("submissions/partials/comments.html", {
        "section": section, "open": getattr(section, "open_comments", []),
        "resolved": getattr(section, "resolved_comments", []), "can_comment": ctx.can_comment,
        "base": ctx.section_url(section), "csrf_token": ctx.csrf,
    })


def live_text(*, room: str, key: str, body: str, label: str, title: str | None, numbered: bool, editable: bool) -> str:
    """A text the live editor takes over (static/editor/live-editor.js, PROTOCOL.md): until it has
    synchronised, and without JavaScript, it shows the server's HTML (sanitised when rendered)."""
    numbered_class = " numbered" if numbered else ""
    title_attr = f' data-title="{_e(title)}"' if title is not None else ""
    return (f'<div class="live-text doc-text{numbered_class}" data-room="{_e(room)}" data-count-key="{_e(key)}"'
            f' data-label="{_e(label)}" data-numbered="{1 if numbered else 0}" data-editable="{1 if editable else 0}"'
            f'{title_attr}>{body}</div>')


def fallback_editor(ctx: PageContext, *, key: str, action: str, version: int, body: str, label: str,
                    title: str | None) -> str:
    """Without JavaScript the text is edited as HTML in a form (saved as one change to the live text)."""
    title_field = (
        f'<div class="field"><label for="title-{key}">{_e(_("Section title"))}</label>'
        f'<input id="title-{key}" name="title" value="{_e(title)}" maxlength="300" required></div>'
        if title is not None else ""
    )
    return (
        f'<noscript><form method="post" action="{action}">{_csrf(ctx)}<input type="hidden" name="base_version" value="{version}">'
        f'{title_field}<div class="field"><label for="body-{key}">{_e(label)} {_e(_("(HTML)"))}</label>'
        f'<textarea name="body" id="body-{key}" rows="8">{_e(body)}</textarea></div>'
        f'<button type="submit">{_e(_("Save"))}</button></form></noscript>'
    )


def title_form(ctx: PageContext, section: Section, key: str) -> str:
    """Renaming a section (its title is not part of the live text: one person renames it at a time)."""
    return (
        f'<details class="rename"><summary>{_e(_("Rename the section"))}</summary>'
        f'<form method="post" action="{ctx.section_url(section)}">{_csrf(ctx)}'
        f'<input type="hidden" name="base_version" value="{section.version}">'
        f'<div class="field"><label for="rename-{key}">{_e(_("Section title"))}</label>'
        f'<input id="rename-{key}" name="title" value="{_e(section.title)}" maxlength="300" required></div>'
        f'<button type="submit">{_e(_("Rename"))}</button></form></details>'
    )


def section_block(ctx: PageContext, section: Section, *, annex_number: int = 0) -> SafeString:
    """One section (or annex) of the page: its title, who writes it, its text or editor, comments."""
    pk, key = section.pk, f"{'annex' if section.annex else 'section'}-{section.pk}"
    title = (_("Annex %(n)d: %(t)s") % {"n": annex_number, "t": section.title}) if section.annex else section.title
    can_edit = getattr(section, "can_edit", False)
    text = live_text(room=f"section-{pk}", key=key, body=section.body, label=section.title,  # sanitised when rendered
                     title=section.title, numbered=not section.annex, editable=can_edit)
    if can_edit:
        text += title_form(ctx, section, key) + fallback_editor(
            ctx, key=key, action=ctx.section_url(section), version=section.version, body=section.body,
            label=section.title, title=section.title)
    annex_note = f'<p class="muted">{_e(_("Does not count toward the limit."))}</p>' if section.annex else ""
    return mark_safe(  # every value escaped above; bodies were sanitised by richtext.clean when saved
        f'<section id="section-{pk}" aria-labelledby="section-{pk}-h" class="card doc-part{" annex" if section.annex else ""}">'
        f'<h2 id="section-{pk}-h">{_e(title)}</h2>{annex_note}{_meta(ctx, section)}{text}{_assign(ctx, section)}'
        f'{_comments(ctx, section)}</section>'
    )
