"""The history of a section: its kept versions (after a pause in live editing, at each change of
status, at each write through a form, the API, an import or a restore, or named by a person), who
wrote in each, what changed from one to the next, any two compared, and restoring an old one.

Every member reads the history (what a section said is no secret inside the coalition); the
section's editors and the secretariat name versions, and restore one while the document is
editable. The diffs are computed by `submissions.history` from each version's own HTML
(`store.html_at`) and marked up by the templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalitions.models import Coalition, Membership, Role
from coalitions.tenancy import CoalitionRequest, require_role
from upr.inputs import parse_int

from .. import history, services
from ..live import store
from ..models import RevisionReason, Section, SectionRevision
from .common import NOT_DONE, attempt
from .sections import section_of

# Versions on a page of the history: each is read from its CRDT state and compared with the one
# before, so a section edited for weeks (a version after every pause) is shown a page at a time.
PER_PAGE = 20
# The largest version number (SectionRevision.version is a PositiveIntegerField).
MAX_VERSION = 2**31 - 1
# Reasons whose version was written by the person who kept it, when it names no authors (versions
# kept before the live editor recorded them).
_WRITTEN_BY_KEEPER = frozenset({RevisionReason.WRITE, RevisionReason.IMPORT, RevisionReason.RESTORE})


def _revisions(request: CoalitionRequest, section: Section) -> Any:
    return SectionRevision.objects.for_coalition(request.coalition).filter(section=section)


def _people(coalition: Coalition, ids: set[int]) -> dict[int, str]:
    """The names of these people, in one query, among the coalition's current members: someone who
    left (or whose account was deleted) is absent, and shown as a former member."""
    if not ids:
        return {}
    members = (
        Membership.objects.for_coalition(coalition)
        .filter(user_id__in=ids)
        .select_related("user")
        .only("user_id", "user__name", "user__email")
    )
    return {m.user_id: str(m.user) for m in members}


def _writer_ids(revision: SectionRevision) -> list[int]:
    ids = [i for i in (revision.authors or []) if isinstance(i, int)]
    if not ids and revision.created_by_id and revision.reason in _WRITTEN_BY_KEEPER:
        ids = [revision.created_by_id]
    return ids


@dataclass
class VersionRow:
    """One version on the history page, with what changed since `before` (None: the first kept)."""

    revision: SectionRevision
    before: int | None
    changes: history.Comparison
    writers: list[str]
    kept_by: str | None
    current: bool


def _history_url(coalition_slug: str, document_id: int, section_id: int, anchor: str = "") -> str:
    url = reverse("documents:section_history", args=[coalition_slug, document_id, section_id])
    return f"{url}#{anchor}" if anchor else url


def section_history(request: CoalitionRequest, coalition_slug: str, document_id: int, section_id: int) -> HttpResponse:
    """Every kept version, newest first and a page at a time, each with who wrote in it and what
    changed since the version before (text, footnotes, title). The cost in queries does not grow
    with the number of versions: one page, the version before it, and the names of everyone shown."""
    section = section_of(request, document_id, section_id)
    revisions = _revisions(request, section).order_by("-version")
    page = Paginator(revisions, PER_PAGE).get_page(request.GET.get("page"))
    shown: list[SectionRevision] = list(page.object_list)
    previous = revisions.filter(version__lt=shown[-1].version).first() if shown else None
    people = _people(
        request.coalition, {i for r in shown for i in _writer_ids(r)} | {r.created_by_id for r in shown if r.created_by_id}
    )
    former = _("a former member")
    html = {r.pk: store.html_at(r) for r in [*shown, *([previous] if previous else [])]}
    rows = []
    for i, revision in enumerate(shown):
        before = shown[i + 1] if i + 1 < len(shown) else previous
        changes = history.compare(
            html[before.pk] if before else "",
            html[revision.pk],
            old_title=before.title if before else revision.title,
            new_title=revision.title,
            context=0,
        )
        rows.append(
            VersionRow(
                revision=revision,
                before=before.version if before else None,
                changes=changes,
                writers=[people.get(pk, former) for pk in _writer_ids(revision)],
                kept_by=people.get(revision.created_by_id, former) if revision.created_by_id else None,
                current=page.number == 1 and i == 0 and revision.body == section.body and revision.title == section.title,
            )
        )
    can_edit = services.can_edit_section(request.membership, section)
    return render(
        request,
        "submissions/section_history.html",
        {
            "section": section,
            "document": section.document,
            "rows": rows,
            "page": page,
            "can_name": can_edit,
            "can_restore": can_edit and section.document.editable,
            "name_limit": SectionRevision._meta.get_field("name").max_length,
            "has_versions": page.paginator.count > 1,
        },
    )


def section_compare(request: CoalitionRequest, coalition_slug: str, document_id: int, section_id: int) -> HttpResponse:
    """Any two versions of the section compared: the text and the footnotes word by word, and the
    title. Without `from` and `to`, the two newest; a number that is not one of this section's
    versions is said plainly (400), with the form to choose again."""
    section = section_of(request, document_id, section_id)
    revisions = _revisions(request, section)
    versions = list(revisions.order_by("-version").values_list("version", "name"))
    numbers = {v for v, _name in versions}
    raw = {"from": request.GET.get("from"), "to": request.GET.get("to")}
    errors: list[str] = []
    chosen: dict[str, int | None] = {}
    if raw["from"] is None and raw["to"] is None:
        chosen = {"from": versions[1][0] if len(versions) > 1 else None, "to": versions[0][0] if versions else None}
    else:
        for key, label in (("from", _("From")), ("to", _("To"))):
            given = raw[key] or ""
            number = parse_int(given.strip(), minimum=1, maximum=MAX_VERSION)
            chosen[key] = number
            if not given.strip():
                errors.append(_("%(field)s: choose a version.") % {"field": label})
            elif number is None:
                errors.append(_("%(field)s: “%(value)s” is not a version number.") % {"field": label, "value": given[:40]})
            elif number not in numbers:
                errors.append(_("%(field)s: this section has no version %(number)s.") % {"field": label, "number": number})
    changes = older = newer = None
    writers: list[str] = []
    if not errors and chosen.get("from") and chosen.get("to"):
        pair = {r.version: r for r in revisions.filter(version__in=[chosen["from"], chosen["to"]])}
        older, newer = pair[chosen["from"]], pair[chosen["to"]]
        changes = history.compare(store.html_at(older), store.html_at(newer), old_title=older.title, new_title=newer.title)
        low, high = sorted((older.version, newer.version))
        between = revisions.filter(version__gt=low, version__lte=high).order_by("version")
        ids: list[int] = []
        for revision in between.only("authors", "created_by", "reason"):
            ids += [i for i in _writer_ids(revision) if i not in ids]
        people = _people(request.coalition, set(ids))
        writers = [people.get(pk, _("a former member")) for pk in ids]
    return render(
        request,
        "submissions/section_compare.html",
        {
            "section": section,
            "document": section.document,
            "versions": versions,
            "chosen": chosen,
            "errors": errors,
            "changes": changes,
            "older": older,
            "newer": newer,
            "writers": writers,
        },
        status=400 if errors else 200,
    )


@require_POST
@require_role(Role.EDITOR)
def section_restore(
    request: CoalitionRequest, coalition_slug: str, document_id: int, section_id: int, version: int
) -> HttpResponse:
    """An old version brought back as a new change: written through the live text, so that everyone
    with the document open sees it at once; the versions in between stay in the history."""
    section = section_of(request, document_id, section_id)
    revision = get_object_or_404(_revisions(request, section), version=version)
    newest_before = _revisions(request, section).order_by("-version").values_list("version", flat=True).first()
    restored = attempt(
        request, lambda: services.section_restore(section=section, membership=request.membership, revision=revision)
    )
    if restored is NOT_DONE:
        return redirect(_history_url(coalition_slug, document_id, section.pk, f"v{version}"))
    newest = _revisions(request, section).order_by("-version").values_list("version", flat=True).first()
    if newest != newest_before:
        messages.success(request, _("Version %(old)d restored as version %(new)d.") % {"old": version, "new": newest})
        return redirect(_history_url(coalition_slug, document_id, section.pk, f"v{newest}"))
    messages.info(request, _("The section already says what version %(old)d says: nothing to restore.") % {"old": version})
    return redirect(_history_url(coalition_slug, document_id, section.pk, f"v{version}"))


@require_POST
@require_role(Role.EDITOR)
def section_version_name(
    request: CoalitionRequest, coalition_slug: str, document_id: int, section_id: int, version: int
) -> HttpResponse:
    """Name, rename or unname (an empty name) a kept version."""
    section = section_of(request, document_id, section_id)
    revision = get_object_or_404(_revisions(request, section), version=version)
    named = attempt(
        request,
        lambda: services.section_version_name(
            section=section, membership=request.membership, revision=revision, name=request.POST.get("name", "")
        ),
    )
    if named is not NOT_DONE:
        if named.name:
            messages.success(request, _("Version %(v)d is named “%(name)s”.") % {"v": version, "name": named.name})
        else:
            messages.success(request, _("Version %(v)d has no name any more.") % {"v": version})
    return redirect(_history_url(coalition_slug, document_id, section.pk, f"v{version}"))


@require_POST
@require_role(Role.EDITOR)
def section_version_keep(request: CoalitionRequest, coalition_slug: str, document_id: int, section_id: int) -> HttpResponse:
    """The section's current text (with what was typed live) kept as a named version."""
    section = section_of(request, document_id, section_id)
    kept = attempt(
        request,
        lambda: services.section_version_keep(section=section, membership=request.membership, name=request.POST.get("name", "")),
    )
    if kept is NOT_DONE:
        return redirect(_history_url(coalition_slug, document_id, section.pk, "name-current"))
    messages.success(
        request, _("The current text is kept as version %(v)d, named “%(name)s”.") % {"v": kept.version, "name": kept.name}
    )
    return redirect(_history_url(coalition_slug, document_id, section.pk, f"v{kept.version}"))
