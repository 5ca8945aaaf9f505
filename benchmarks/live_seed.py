"""Seed the live benchmarks' scratch database through the app's services; print one JSON object.

Run by live_common.seed() in a subprocess with the bench environment (DATABASE_URL to upr_bench_live,
no Redis: sessions are read from the database). Everything is made once and found again by the next
run; only the sessions are new each time.

    live_seed.py maxdoc --editors 10
        Coalition "live-bench": an admin (who leads the submission's organisation), `--editors` editors
        in the working group "Drafting", and the maximum-length joint submission built section by
        section with the services as a coalition writes one: `document_create` (its 3 starting
        sections), `section_add` for the 9 others, each given its text by `section_save` (the form's
        and the API's path: sanitised, counted, turned into a CRDT update, versioned) and assigned to
        the group. The text is benchmarks/wordcount.py's: 12 sections, 5,630 counted words, 150
        footnotes. Sessions: the admin and the editors (django.test.Client().force_login).
        `--edited`: then every section saved once more with a sentence added (see edit_every_section).

    live_seed.py memory --documents 200 --per-document 2
        Coalition "live-memory": `documents` x `per-document` editors (invitation_create +
        invitation_accept), all in its working group, and `documents` maximum-length joint submissions.
        The first is built with the services as above; the others are copies of its rows (document,
        sections with their HTML and counts, live texts with the same CRDT state), since 200 x 12
        section_save calls would take minutes. Sessions: every editor.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MAXDOC_TITLE = "Live benchmark: joint submission at the maximum length"
REVIEW = ("SVN", 48)


def session_of(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def coalition_with_people(slug: str, editors: int):
    """The coalition (made by its admin), its organisation, its engagement in Slovenia's review of
    session 48, and `editors` editors in the working group "Drafting" (added when fewer are there)."""
    from allauth.account.models import EmailAddress
    from django.db import transaction

    from accounts.models import User
    from coalitions import services
    from coalitions.models import Coalition, Engagement, MemberOrganisation, Membership, Role, WorkingGroup
    from upr.models import Review

    with transaction.atomic():
        admin, created = User.objects.get_or_create(email=f"admin@{slug}.example.org", defaults={"name": f"Admin of {slug}"})
        if created:
            admin.set_unusable_password()
            admin.save()
            EmailAddress.objects.create(user=admin, email=admin.email, verified=True, primary=True)
        coalition = Coalition.objects.filter(slug=slug).first()
        if coalition is None:
            coalition = services.coalition_create(name=f"Live benchmark {slug}", slug=slug, creator=admin)
        organisation = MemberOrganisation.objects.filter(coalition=coalition).first() or services.organisation_save(
            coalition=coalition, actor=admin, data={"name": "Centre for Equal Rights", "acronym": "CER"}
        )
        admin_m = Membership.objects.get(coalition=coalition, user=admin)
        if admin_m.organisation_id is None:
            services.membership_update(membership=admin_m, actor=admin, role=Role.ADMIN, organisation=organisation)
        review = Review.objects.get(state__iso3=REVIEW[0], session__number=REVIEW[1])
        engagement = Engagement.objects.filter(coalition=coalition, review=review).first() or services.engagement_create(
            coalition=coalition, actor=admin, review=review
        )
    have = list(Membership.objects.filter(coalition=coalition, role=Role.EDITOR).select_related("user").order_by("user__email"))
    for n in range(len(have), editors):
        with transaction.atomic():
            email = f"editor-{n:04d}@{slug}.example.org"
            user = User.objects.create(email=email, name=f"Editor {n:04d}")
            user.set_unusable_password()
            user.save()
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            _invitation, token = services.invitation_create(
                coalition=coalition, actor=admin, email=email, role=Role.EDITOR, organisation=organisation
            )
            have.append(services.invitation_accept(token=token, user=user))
    have = have[:editors] if editors else have
    group = WorkingGroup.objects.filter(coalition=coalition, name="Drafting").first()
    members = list(Membership.objects.filter(coalition=coalition, role=Role.EDITOR))
    if group is None or group.members.count() != len(members):
        group = services.working_group_save(
            coalition=coalition,
            actor=admin,
            name="Drafting",
            theme="The submission",
            lead=members[0] if members else None,
            members=members,
            group=group,
        )
    return coalition, admin_m, organisation, engagement, group, have


def edit_every_section(document, admin_m) -> None:
    """One more save of every section through the form's service, with a sentence added to its first
    paragraph: the server writes it as a block-level diff (the old paragraph deleted, the new one
    inserted), so every room's CRDT now holds deletions, as any text that was edited does."""
    from submissions import services

    for section in document.sections.order_by("position"):
        body = section.body.replace("</p>", " A sentence added later.</p>", 1)
        services.section_save(section=section, membership=admin_m, base_version=section.version, body=body)


def build_maxdoc(coalition, admin_m, organisation, engagement, group, *, name: str = "", fresh: bool = False):
    """The maximum-length joint submission, section by section through the services (or the one made
    before; `fresh`: the one made before is deleted and made again)."""
    from benchmarks.wordcount import build_document
    from submissions import services
    from submissions.models import Document

    title = f"{MAXDOC_TITLE} ({name})" if name else MAXDOC_TITLE
    if fresh:
        Document.objects.filter(coalition=coalition, title=title).delete()
    document = Document.objects.filter(coalition=coalition, title=title).first()
    if document is not None and document.sections.count() == 12:
        return document, 0.0
    started = time.perf_counter()
    sections_html, _recommendations, _words, _notes = build_document()
    admin = admin_m.user
    document = services.document_create(
        coalition=coalition,
        actor=admin,
        engagement=engagement,
        kind="joint_submission",
        title=title,
        lead_organisation=organisation,
    )
    starting = list(document.sections.order_by("position"))
    for i, html in enumerate(sections_html):
        section = (
            starting[i]
            if i < len(starting)
            else services.section_add(document=document, actor=admin, title=f"Issue {i + 1}", working_group=group)
        )
        services.section_save(
            section=section,
            membership=admin_m,
            base_version=section.version,
            body=html,
            title=f"Issue {i + 1}",
            working_group=group,
        )
    return document, time.perf_counter() - started


def describe(document) -> dict:
    from submissions.live import store

    sections = list(document.sections.order_by("annex", "position"))
    rooms = [store.section_room(s.pk) for s in sections] + [store.SUMMARY_ROOM]
    return {
        "document": document.pk,
        "rooms": rooms,
        "sections": len(sections),
        "counted_words": sum(s.counted_words for s in sections),
        "footnotes": sum(s.body.count('<span class="footnote">') for s in sections),
        "kib_html": round(sum(len(s.body.encode()) for s in sections) / 1024, 1),
    }


def clone_documents(document, count: int) -> int:
    """`count` copies of `document`'s rows: the document, its sections, their live texts (one CRDT
    state each, as the original's current state) and the summary's."""
    from django.db import transaction

    from submissions.live import store
    from submissions.models import Document, LiveText, Section

    store.text_for_summary(document)
    sections = list(Section.objects.filter(document=document).order_by("position"))
    texts = {t.section_id: t for t in LiveText.objects.filter(document=document)}
    states = {key: store.current_state(text) for key, text in texts.items()}
    made = 0
    with transaction.atomic():
        copies = []
        for n in range(count):
            copy = Document.objects.get(pk=document.pk)
            copy.pk = copy.id = None
            copy._state.adding = True
            copy.title = f"{MAXDOC_TITLE} (copy {n + 1})"
            copies.append(copy)
        copies = Document.objects.bulk_create(copies)
        section_copies = []
        for copy in copies:
            for section in sections:
                clone = Section.objects.get(pk=section.pk)
                clone.pk = clone.id = None
                clone._state.adding = True
                clone.document = copy
                section_copies.append((copy, section.pk, clone))
        Section.objects.bulk_create([c for _d, _o, c in section_copies], batch_size=500)
        live = [
            LiveText(coalition_id=document.coalition_id, document=copy, section=clone, state=states[original])
            for copy, original, clone in section_copies
        ]
        live += [LiveText(coalition_id=document.coalition_id, document=copy, section=None, state=states[None]) for copy in copies]
        LiveText.objects.bulk_create(live, batch_size=500)
        made = len(copies)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["maxdoc", "memory"])
    parser.add_argument("--editors", type=int, default=10)
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--per-document", type=int, default=2)
    parser.add_argument("--name", default="", help="maxdoc: which of the benchmarks' documents (each its own)")
    parser.add_argument("--fresh-document", action="store_true", help="maxdoc: delete it and build it again")
    parser.add_argument(
        "--edited", action="store_true", help="maxdoc: when built, save every section once more (its CRDT then holds deletions)"
    )
    args = parser.parse_args()
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        raise SystemExit("Set DJANGO_SETTINGS_MODULE (live_common.seed does).")
    import django

    django.setup()
    from submissions.models import Document

    started = time.perf_counter()
    out: dict = {}
    if args.what == "maxdoc":
        coalition, admin_m, organisation, engagement, group, editors = coalition_with_people("live-bench", args.editors)
        document, built = build_maxdoc(
            coalition, admin_m, organisation, engagement, group, name=args.name, fresh=args.fresh_document
        )
        if args.edited and built:
            edit_every_section(document, admin_m)
        out = {
            "slug": coalition.slug,
            **describe(document),
            "built_seconds": round(built, 2),
            "admin": session_of(admin_m.user),
            "admin_id": admin_m.user_id,
            "editors": [session_of(m.user) for m in editors],
            "editor_ids": [m.user_id for m in editors],
        }
    else:
        editors_needed = args.documents * args.per_document
        coalition, admin_m, organisation, engagement, group, editors = coalition_with_people("live-memory", editors_needed)
        first, built = build_maxdoc(coalition, admin_m, organisation, engagement, group)
        have = Document.objects.filter(coalition=coalition).count()
        cloned = clone_documents(first, args.documents - have) if have < args.documents else 0
        documents = list(Document.objects.filter(coalition=coalition).order_by("pk")[: args.documents])
        out = {
            "slug": coalition.slug,
            **describe(first),
            "built_seconds": round(built, 2),
            "cloned": cloned,
            "documents": [{"document": d.pk, "rooms": describe(d)["rooms"]} for d in documents],
            "editors": [session_of(m.user) for m in editors],
        }
    out["seconds"] = round(time.perf_counter() - started, 2)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
