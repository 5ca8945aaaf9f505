"""Seed the benchmark database with a large, realistic dataset, then log sample users in.

Run by benchmarks/run.py in a subprocess, with the bench environment (DATABASE_URL pointing at
upr_bench, DJANGO_SETTINGS_MODULE, SECRET_KEY...). The UPR calendar must already be loaded
(`manage.py load_upr_reference`). Prints one JSON object on stdout:

    {"seconds": ..., "counts": {...}, "users": [{"email", "slug", "role", "session_key", "document"}, ...],
     "matrix": {"slug", "engagement", "session_key", "rows"}}     (the implementation matrix's page; see seed_matrix)

Everything goes in with bulk_create and a single pre-computed password hash, so 12 000 people
take a few seconds, not the minutes that 12 000 PBKDF2 hashes would.

    --sessions-only   skip seeding (the database was kept by `run.py --keep`); only create sessions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Per coalition.
ORGANISATIONS = 30
# (role, how many): 60 people.
ROLE_SPREAD = [("admin", 2), ("editor", 10), ("member", 40), ("observer", 8)]
GROUPS = 5
GROUP_SIZE = 10
AUDIT_EVENTS = 20
BATCH = 2000
# The implementation matrix (issue 6): in this coalition, Slovenia's review of session 48 with OHCHR's
# Word list of its 254 recommendations, each row assessed this many times.
MATRIX_COALITION = "bench-000"
MATRIX_STATE, MATRIX_SESSION = "SVN", 48
MATRIX_ASSESSMENTS = 5
MATRIX_LIST = ROOT / "recommendations" / "reference_data" / "upr48-slovenia-thematic-list-of-recommendatio.docx"
EMAIL = "bench-{c:03d}-{p:02d}@bench.example.org"
SLUG = "bench-{c:03d}"

AUDIT_ACTIONS = [
    ("organisation.create", "memberorganisation"),
    ("membership.update", "membership"),
    ("working_group.update", "workinggroup"),
    ("milestone.update", "milestone"),
    ("invitation.create", "invitation"),
    ("engagement.create", "engagement"),
]


def seed(n_coalitions: int) -> dict[str, int]:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from coalitions.models import (
        AuditEvent,
        Coalition,
        EcosocStatus,
        Engagement,
        MemberOrganisation,
        Membership,
        Milestone,
        WorkingGroup,
    )
    from upr.models import Review
    from upr.rules import MILESTONE_RULES

    review_ids = list(Review.objects.order_by("session__number", "position", "id").values_list("id", flat=True))
    if not review_ids:
        raise SystemExit("No reviews: run `manage.py load_upr_reference` first.")
    password = make_password("bench-password-not-secret")  # hashed once, shared by every user
    now = timezone.now()
    roles = [role for role, n in ROLE_SPREAD for _ in range(n)]
    people = len(roles)
    ecosoc = [EcosocStatus.NONE, EcosocStatus.NONE, EcosocStatus.SPECIAL, EcosocStatus.ROSTER, EcosocStatus.GENERAL]

    with transaction.atomic():
        coalitions = Coalition.objects.bulk_create(
            [
                Coalition(
                    name=f"Bench Coalition {c:03d}",
                    slug=SLUG.format(c=c),
                    description=f"Benchmark coalition number {c}: civil society for the UPR.",
                )
                for c in range(n_coalitions)
            ],
            batch_size=BATCH,
        )
        organisations = MemberOrganisation.objects.bulk_create(
            [
                MemberOrganisation(
                    coalition=coalition,
                    name=f"Organisation {o:02d} of coalition {c:03d}",
                    acronym=f"O{c:03d}{o:02d}",
                    website=f"https://org{o}.c{c}.bench.example.org/",
                    activities="Documents violations, trains defenders, writes UPR submissions.",
                    established_on=dt.date(1990 + (o % 30), 1 + (o % 12), 1 + (o % 28)),
                    ecosoc_status=ecosoc[o % len(ecosoc)],
                    withheld=o % 15 == 14,
                )
                for c, coalition in enumerate(coalitions)
                for o in range(ORGANISATIONS)
            ],
            batch_size=BATCH,
        )
        users = User.objects.bulk_create(
            [
                User(
                    email=EMAIL.format(c=c, p=p),
                    name=f"Person {p:02d} of {c:03d}" if p % 7 else "",
                    password=password,
                    timezone=["UTC", "Europe/Zurich", "Africa/Nairobi", "America/Bogota"][p % 4],
                    is_active=True,
                )
                for c in range(n_coalitions)
                for p in range(people)
            ],
            batch_size=BATCH,
        )
        memberships = Membership.objects.bulk_create(
            [
                Membership(
                    coalition=coalition,
                    user=users[c * people + p],
                    organisation=organisations[c * ORGANISATIONS + p % ORGANISATIONS],
                    role=roles[p],
                )
                for c, coalition in enumerate(coalitions)
                for p in range(people)
            ],
            batch_size=BATCH,
        )
        first_editor = ROLE_SPREAD[0][1]  # memberships are ordered admin, editor, member, observer
        first_member = first_editor + ROLE_SPREAD[1][1]
        n_members = ROLE_SPREAD[2][1]
        groups = WorkingGroup.objects.bulk_create(
            [
                WorkingGroup(
                    coalition=coalition,
                    name=f"Working group {g + 1}: " + ["Women's rights", "Land", "Detention", "Media", "Children"][g % 5],
                    theme="Drafts the section, the factsheet and the matrix rows on this theme.",
                    lead=memberships[c * people + first_editor + g],
                )
                for c, coalition in enumerate(coalitions)
                for g in range(GROUPS)
            ],
            batch_size=BATCH,
        )
        through = WorkingGroup.members.through
        links = []
        for c in range(n_coalitions):
            base = c * people
            for g in range(GROUPS):
                group = groups[c * GROUPS + g]
                # The lead, one admin (so the admins' dashboards list their groups), then members.
                picked = {first_editor + g, g % first_editor}
                k = 0
                while len(picked) < GROUP_SIZE:
                    picked.add(first_member + (g * 8 + k) % n_members)
                    k += 1
                links += [through(workinggroup_id=group.pk, membership_id=memberships[base + i].pk) for i in sorted(picked)]
        through.objects.bulk_create(links, batch_size=BATCH)
        engagements = Engagement.objects.bulk_create(
            [
                Engagement(coalition=coalition, review_id=review_ids[(c * len(review_ids)) // n_coalitions])
                for c, coalition in enumerate(coalitions)
            ],
            batch_size=BATCH,
        )
        milestones = Milestone.objects.bulk_create(
            [
                Milestone(coalition_id=engagement.coalition_id, engagement=engagement, kind=rule.kind)
                for engagement in engagements
                for rule in MILESTONE_RULES
            ],
            batch_size=BATCH,
        )
        events = []
        for c, coalition in enumerate(coalitions):
            for e in range(AUDIT_EVENTS):
                action, target_type = AUDIT_ACTIONS[e % len(AUDIT_ACTIONS)]
                actor = users[c * people + (e % first_member)]  # an admin or an editor
                events.append(
                    AuditEvent(
                        coalition=coalition,
                        actor=actor,
                        action=action,
                        target_type=target_type,
                        target_id=str(1000 + e),
                        target_label=f"{target_type} {e} of coalition {c:03d}",
                        changes={"role": ["member", "editor"]} if action == "membership.update" else {},
                        created_at=now - dt.timedelta(hours=7 * e + c % 5, minutes=e),
                    )
                )
        AuditEvent.objects.bulk_create(events, batch_size=BATCH)
    # Fresh statistics, as a long-lived database would have: the planner's choices must not depend
    # on whether autovacuum happened to analyse the new rows before the load starts.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "coalitions": len(coalitions),
        "organisations": len(organisations),
        "users": len(users),
        "memberships": len(memberships),
        "working_groups": len(groups),
        "working_group_members": len(links),
        "engagements": len(engagements),
        "milestones": len(milestones),
        "audit_events": len(events),
    }


def seed_documents() -> int:
    """One joint submission at OHCHR's maximum length in every bench coalition (issue 3's editor
    benchmark): 12 sections of 5,630 counted words with 150 footnotes (benchmarks/wordcount.py's
    document), 20 draft recommendations and an annex table of 250 rows. Made once; kept with --reuse."""
    from django.db import transaction

    from benchmarks.wordcount import build_document
    from coalitions.models import Coalition, Engagement, Membership
    from submissions.models import Document, DraftRecommendation, Section
    from submissions.wordcount import count_html

    coalitions = list(
        Coalition.objects.filter(slug__startswith="bench-")
        .exclude(pk__in=Document.objects.values("coalition_id"))
        .order_by("slug")
    )
    if not coalitions:
        return 0
    sections_html, recommendations_html, _words, _notes = build_document()
    counts = [count_html(html) for html in sections_html]
    rows = "".join(
        f"<tr><td>{r // 10 + 100}.{r % 10 + 1}</td><td>Continue efforts to combat discrimination against "
        f"minorities (recommendation {r}).</td><td>State {r % 40}</td><td>Supported</td>"
        f"<td>Partially implemented: a strategy was adopted in {2019 + r % 5}.</td></tr>"
        for r in range(250)
    )
    annex = f"<table><tbody>{rows}</tbody></table>"
    annex_count = count_html(annex)
    engagements = {e.coalition_id: e for e in Engagement.objects.filter(coalition__in=coalitions)}
    leads = {
        m.coalition_id: m
        for m in Membership.objects.filter(coalition__in=coalitions, role="admin")
        .select_related("organisation")
        .order_by("-user__email")
    }
    with transaction.atomic():
        documents = Document.objects.bulk_create(
            [
                Document(
                    coalition=c,
                    engagement=engagements[c.pk],
                    kind="joint_submission",
                    language="en",
                    title=f"Joint stakeholder submission of {c.name}",
                    lead_organisation=leads[c.pk].organisation,
                    summary="<p>The coalition's assessment of the follow-up to the previous review.</p>",
                    keywords="equality, detention, media freedom",
                    created_by_id=leads[c.pk].user_id,
                )
                for c in coalitions
            ],
            batch_size=BATCH,
        )
        Section.objects.bulk_create(
            [
                Section(
                    coalition_id=d.coalition_id,
                    document=d,
                    position=i + 1,
                    title=f"Issue {i + 1}",
                    body=html,
                    version=2,
                    counted_words=count.counted,
                    footnote_words=count.footnotes,
                )
                for d in documents
                for i, (html, count) in enumerate(zip(sections_html, counts, strict=True))
            ]
            + [
                Section(
                    coalition_id=d.coalition_id,
                    document=d,
                    position=1,
                    title="Matrix of previous recommendations",
                    body=annex,
                    annex=True,
                    version=2,
                    counted_words=annex_count.counted,
                )
                for d in documents
            ],
            batch_size=500,
        )
        DraftRecommendation.objects.bulk_create(
            [
                DraftRecommendation(
                    coalition_id=d.coalition_id,
                    engagement_id=d.engagement_id,
                    document=d,
                    position=i + 1,
                    text=html.removeprefix("<p>").removesuffix("</p>").split("</strong> ", 1)[-1],
                    responsible_actor="Ministry of Justice",
                    indicator="A law adopted",
                    timeframe="By 2027",
                )
                for d in documents
                for i, html in enumerate(recommendations_html)
            ],
            batch_size=BATCH,
        )
    return len(documents)


def seed_matrix() -> int:
    """In MATRIX_COALITION, an engagement in Slovenia's review of session 48 (its 254 recommendations
    imported from OHCHR's Word list if not there yet), its matrix in OHCHR's clusters and 5 assessments
    of every row, one of them with a linked piece of evidence: benchmarks/matrix_export.py's data, kept.
    By the coalition's first admin, the person run.py and profile_pages.py log in. Made once (skipped
    when the matrix exists); returns the assessments made."""
    from django.db import connection, transaction

    from coalitions import services as coalition_services
    from coalitions.models import Coalition, Engagement, Membership
    from implementation import services
    from implementation.models import Level, Light, Matrix, MatrixRow
    from recommendations.file_import import import_file
    from recommendations.models import Recommendation
    from upr.models import Review

    coalition = Coalition.objects.get(slug=MATRIX_COALITION)
    review = Review.objects.get(state__iso3=MATRIX_STATE, session__number=MATRIX_SESSION)
    if Matrix.objects.filter(coalition=coalition, engagement__review=review).exists():
        return 0
    membership = (
        Membership.objects.select_related("user").filter(coalition=coalition, role="admin").order_by("user__email").first()
    )
    assert membership is not None  # every seeded coalition has admins
    user = membership.user
    levels, lights = list(Level.values), [Light.RED, Light.ORANGE, Light.ORANGE, Light.GREEN, Light.GREY]
    with transaction.atomic():
        if not Recommendation.objects.filter(review=review).exists():
            with MATRIX_LIST.open("rb") as handle:
                import_file(handle, name=MATRIX_LIST.name, review=review)
        engagement = Engagement.objects.filter(
            coalition=coalition, review=review
        ).first() or coalition_services.engagement_create(coalition=coalition, actor=user, review=review)
        matrix = services.matrix_build(engagement=engagement, actor=user, scheme="ohchr")
        rows = list(MatrixRow.objects.filter(matrix=matrix).select_related("cluster").order_by("pk"))
        for n, row in enumerate(rows):
            for k in range(MATRIX_ASSESSMENTS):
                services.assessment_add(
                    row=row,
                    membership=membership,
                    data={
                        "assessed_on": dt.date(2025, 6, 1) + dt.timedelta(days=90 * k),
                        "law": levels[(n + k) % 4],
                        "policy": levels[(n + 2 * k) % 4],
                        "practice": levels[(n + 3 * k) % 4],
                        "light": lights[(n + k) % 5],
                        "narrative": "The ministry adopted an action plan; its budget is not yet allocated and the "
                        "ombudsperson reports that practice has not changed in the settlements visited.",
                    },
                    links=[
                        {
                            "title": "Ombudsperson's report",
                            "source": "Ombudsperson",
                            "dated": dt.date(2026, 3, 1),
                            "url": "https://example.org/report",
                        }
                    ]
                    if k == MATRIX_ASSESSMENTS - 1
                    else [],
                )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return len(rows) * MATRIX_ASSESSMENTS


def matrix_client(users: list[dict[str, str]]) -> dict | None:
    """The session, coalition and engagement that load the matrix page: MATRIX_COALITION's first admin
    (the session log_in made for it, or a new one)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from coalitions.models import Membership
    from implementation.models import Matrix, MatrixRow

    matrix = Matrix.objects.filter(
        coalition__slug=MATRIX_COALITION,
        engagement__review__state__iso3=MATRIX_STATE,
        engagement__review__session__number=MATRIX_SESSION,
    ).first()
    if matrix is None:
        return None
    session_key = next((u["session_key"] for u in users if u["slug"] == MATRIX_COALITION), None)
    if session_key is None:
        admin = (
            Membership.objects.select_related("user")
            .filter(coalition__slug=MATRIX_COALITION, role="admin")
            .order_by("user__email")
            .first()
        )
        assert admin is not None  # every seeded coalition has admins
        user = admin.user
        session = import_module(settings.SESSION_ENGINE).SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        session_key = session.session_key
    return {
        "slug": MATRIX_COALITION,
        "engagement": matrix.engagement_id,
        "session_key": session_key,
        "rows": MatrixRow.objects.filter(matrix=matrix).count(),
    }


def log_in(n_users: int) -> list[dict[str, str]]:
    """Sessions for the first admin of n_users coalitions spread over all of them, as the login view
    would leave them (Django's auth keys; allauth needs nothing more to serve pages)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from coalitions.models import Coalition, Membership
    from submissions.models import Document

    session_store = import_module(settings.SESSION_ENGINE).SessionStore
    slugs = list(Coalition.objects.filter(slug__startswith="bench-").order_by("slug").values_list("slug", flat=True))
    if len(slugs) < n_users:
        raise SystemExit(f"Only {len(slugs)} bench coalitions for {n_users} users.")
    step = len(slugs) // n_users
    chosen = [slugs[i * step] for i in range(n_users)]
    admins = {
        m.coalition.slug: m
        for m in Membership.objects.filter(coalition__slug__in=chosen, role="admin")
        .select_related("user", "coalition")
        .order_by("-user__email")  # the first admin (lowest email) wins
    }
    out = []
    for slug in chosen:
        user = admins[slug].user
        session = session_store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        document = Document.objects.filter(coalition=admins[slug].coalition).values_list("pk", flat=True).first()
        out.append(
            {
                "email": user.email,
                "slug": slug,
                "role": admins[slug].role,
                "session_key": session.session_key,
                "document": document or 0,
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--coalitions", type=int, default=200)
    parser.add_argument("--users", type=int, default=40, help="sample users to log in, each in its own coalition")
    parser.add_argument("--sessions-only", action="store_true")
    args = parser.parse_args()

    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        raise SystemExit("Set DJANGO_SETTINGS_MODULE (run.py does).")
    import django

    django.setup()
    started = time.perf_counter()
    counts = {} if args.sessions_only else seed(args.coalitions)
    documents = seed_documents()  # also into a kept database made before documents existed
    if documents:
        counts["documents"] = documents
    assessments = seed_matrix()  # also into a kept database made before the matrix existed
    if assessments:
        counts["matrix_assessments"] = assessments
    users = log_in(args.users)
    json.dump(
        {"seconds": round(time.perf_counter() - started, 2), "counts": counts, "users": users, "matrix": matrix_client(users)},
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
