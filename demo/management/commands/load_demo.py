"""A demo coalition for a first run (`make run`), so that a newcomer sees the product working."""

import datetime as dt
from pathlib import Path

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from coalitions import services
from coalitions.models import Coalition, Role
from upr.models import Review

DEMO_EMAIL = "demo@example.org"
DEMO_PASSWORD = "demo-coalition-2026"
# The four personas of a first run, one per role, all with the demo password.
EDITOR_EMAIL = "editor@example.org"
MEMBER_EMAIL = "member@example.org"
OBSERVER_EMAIL = "observer@example.org"


SLOVENIA_FILES = [
    (20, "UPR20__Slovenia_ThematicListRecommendations_E.docx"),
    (34, "UPR34_Slovenia_Thematic_list_of_Recommendations.docx"),
    (48, "upr48-slovenia-thematic-list-of-recommendatio.docx"),
]


def verified_user(email: str, name: str, password: str) -> User:
    user = User.objects.filter(email=email).first() or User.objects.create_user(email=email, password=password, name=name)
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


class Command(BaseCommand):
    help = "Create a demo coalition with organisations, people, a working group and an engagement (Slovenia, session 48)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        admin = verified_user(DEMO_EMAIL, "Demo Secretariat", DEMO_PASSWORD)
        coalition = Coalition.objects.filter(slug="demo").first()
        engagement = None
        if coalition is None:
            coalition = services.coalition_create(
                name="Demo Human Rights Coalition",
                slug="demo",
                creator=admin,
                description="A fictional coalition to try the product with.",
            )
            orgs = [
                services.organisation_save(coalition=coalition, actor=admin, data=data)
                for data in (
                    {
                        "name": "Centre for Equal Rights",
                        "acronym": "CER",
                        "website": "https://example.org/cer",
                        "activities": "Legal aid and strategic litigation on discrimination.",
                        "established_on": dt.date(2004, 5, 1),
                        "ecosoc_status": "special",
                    },
                    {
                        "name": "Roma Youth Network",
                        "acronym": "RYN",
                        "activities": "Youth participation and education.",
                        "established_on": dt.date(2012, 9, 15),
                    },
                    {
                        "name": "Defenders at Risk",
                        "acronym": "",
                        "activities": "Protection of human rights defenders.",
                        "withheld": True,
                    },
                )
            ]
            editor = verified_user(EDITOR_EMAIL, "Working Group Editor", DEMO_PASSWORD)
            member = verified_user(MEMBER_EMAIL, "Member Contact", DEMO_PASSWORD)
            from coalitions.models import Membership

            editor_m = Membership.objects.create(coalition=coalition, user=editor, role=Role.EDITOR, organisation=orgs[0])
            member_m = Membership.objects.create(coalition=coalition, user=member, role=Role.MEMBER, organisation=orgs[1])
            services.working_group_save(
                coalition=coalition,
                actor=admin,
                name="Equality and non-discrimination",
                theme="Roma rights, gender equality, LGBTI persons",
                lead=editor_m,
                members=[member_m],
            )
            review = Review.objects.filter(state__iso3="SVN", session__number=48).first()
            if review is not None:
                engagement = services.engagement_create(coalition=coalition, actor=admin, review=review)
                self.demo_submission(coalition=coalition, admin=admin, engagement=engagement, orgs=orgs, editor_m=editor_m)
        self.ensure_observer(coalition)
        self.load_slovenia_recommendations()
        if engagement is not None:
            self.demo_advocacy(coalition=coalition, admin=admin, engagement=engagement, orgs=orgs)
            self.demo_matrix(coalition=coalition, admin=admin, engagement=engagement)
        self.stdout.write(
            self.style.SUCCESS(f"Demo coalition ready at /c/{coalition.slug}/ . Log in with password {DEMO_PASSWORD} as:")
        )
        for email, role in (
            (DEMO_EMAIL, Role.ADMIN),
            (EDITOR_EMAIL, Role.EDITOR),
            (MEMBER_EMAIL, Role.MEMBER),
            (OBSERVER_EMAIL, Role.OBSERVER),
        ):
            self.stdout.write(f"  {email:24} {role.label}")

    def ensure_observer(self, coalition: Coalition) -> None:
        """A read-only partner (a donor, a pro-bono lawyer) with no organisation. Made apart from the
        first load, so that a demo loaded before the observer existed gains it on the next run."""
        from coalitions.models import Membership

        observer = verified_user(OBSERVER_EMAIL, "Partner Observer", DEMO_PASSWORD)
        Membership.objects.get_or_create(coalition=coalition, user=observer, defaults={"role": Role.OBSERVER})

    def demo_submission(self, *, coalition, admin, engagement, orgs, editor_m) -> None:
        """A joint submission under way: two written sections, a comment, a co-signer named and one
        counted but not named, so that the editor, the count and the sign-on show something."""
        from coalitions.models import Membership
        from submissions import services as documents
        from submissions.models import DraftRecommendation
        from upr.models import State

        document = documents.document_create(
            coalition=coalition,
            actor=admin,
            engagement=engagement,
            kind="joint_submission",
            title="Joint stakeholder submission on equality and non-discrimination",
            lead_organisation=orgs[0],
        )
        admin_m = Membership.objects.get(coalition=coalition, user=admin)
        documents.summary_save(
            document=document,
            membership=admin_m,
            base_version=1,
            summary=(
                "<p>This submission assesses the follow-up to the recommendations on equality that the State supported "
                "in the third cycle, and the situation of Roma communities since 2019.</p>"
            ),
        )
        documents.document_update(
            document=document, actor=admin, data={"keywords": "equality, Roma, non-discrimination, right to water"}
        )
        first, second = list(document.sections.order_by("position")[:2])
        documents.section_save(
            section=first,
            membership=admin_m,
            base_version=1,
            body=(
                "<p>The coalition brings together 12 organisations working on equality. This submission was prepared "
                'through three consultations held between January and March.<span class="footnote">Minutes are on '
                "file with the secretariat.</span></p>"
            ),
        )
        documents.section_save(
            section=second,
            membership=admin_m,
            base_version=1,
            body=(
                "<p>Many Roma settlements still lack access to drinking water, although the State supported "
                "recommendations on the right to water in the third cycle.</p>"
            ),
        )
        second.refresh_from_db()
        second.working_group = editor_m.working_groups.first()
        second.save(update_fields=["working_group"])
        documents.comment_add(section=second, membership=admin_m, text="Add the 2024 figures of the ombudsperson.")
        draft = DraftRecommendation.objects.create(
            coalition=coalition,
            engagement=engagement,
            created_by=admin,
            document=document,
            position=1,
            text="Ensure access to safe drinking water in all Roma settlements by 2027.",
            responsible_actor="Ministry of Natural Resources and Spatial Planning",
            indicator="Share of Roma settlements connected to public water supply",
            timeframe="By 2027",
        )
        draft.states_to_ask.set(list(State.objects.filter(iso3__in=["PRT", "FIN"])))
        # Signed last, on the whole text (its recommendation included): each signature is bound to it.
        for organisation, named in ((orgs[1], True), (orgs[2], False)):
            (sign_on,) = documents.signon_request(document=document, actor=admin, organisations=[organisation])
            sign_on.status, sign_on.named = "signed", named
            sign_on.signed_digest, sign_on.signed_seqs = documents.signed_version(document)  # on the text as it is
            sign_on.save()

    def demo_advocacy(self, *, coalition, admin, engagement, orgs) -> None:
        """The usual internal deadlines, a State consultation, and two meetings in the advocacy log,
        so that the plan, the log and its outcome against the review's recommendations show something."""
        from django.db.models import Q

        from recommendations.models import Theme
        from submissions.models import Document, DraftRecommendation
        from upr.models import State
        from workplan.models import AdvocacyMeeting, Consultation

        services.internal_deadlines_propose(engagement=engagement, actor=admin)
        consultation = Consultation.objects.create(
            coalition=coalition,
            engagement=engagement,
            kind="state",
            held_on=dt.date(2024, 3, 12),
            place="Ljubljana",
            organiser="Ministry of Foreign and European Affairs",
            created_by=admin,
            issues_raised="Roma settlements without water; the equality body's resources.",
            our_input="The coalition's written comments on the draft national report.",
            follow_up="The ministry promised a second round in May.",
        )
        consultation.attended.set(orgs[:2])
        themes = list(Theme.objects.filter(Q(name__icontains="minorit") | Q(name__icontains="water"))[:2])
        draft = DraftRecommendation.objects.filter(engagement=engagement).first()
        factsheet = Document.objects.filter(engagement=engagement).first()
        for iso3, venue, day in (
            ("ESP", "embassy", dt.date(2024, 10, 2)),
            ("DEU", "mission", dt.date(2024, 12, 10)),
            ("PRT", "embassy", dt.date(2024, 10, 9)),
        ):
            meeting = AdvocacyMeeting.objects.create(
                coalition=coalition,
                engagement=engagement,
                state=State.objects.get(iso3=iso3),
                venue=venue,
                met_on=day,
                person_met="Human rights attaché",
                issues_raised="Access to water in Roma settlements.",
                outcome="Interested; asked for our factsheet.",
                created_by=admin,
            )
            meeting.themes.set(themes)
            meeting.drafts.set([draft] if draft else [])
            meeting.documents.set([factsheet] if factsheet else [])

    def demo_matrix(self, *, coalition, admin, engagement) -> None:
        """The implementation matrix of the 2025 review, in OHCHR's clusters, the minorities cluster
        owned by the working group, three rows assessed, so that the dashboard shows something."""
        from coalitions.models import Membership, WorkingGroup
        from implementation import services as matrix_services
        from implementation.models import MatrixRow

        matrix = matrix_services.matrix_build(engagement=engagement, actor=admin, scheme="ohchr")
        group = WorkingGroup.objects.filter(coalition=coalition).first()
        cluster = matrix.clusters.filter(name__icontains="minorit").first() or matrix.clusters.first()
        assert cluster is not None  # matrix_build made the scheme's clusters
        matrix_services.cluster_save(matrix=matrix, actor=admin, cluster=cluster, name=cluster.name, working_group=group)
        membership = Membership.objects.get(coalition=coalition, user=admin)
        assessments = (
            ("partial", "partial", "not", "orange", "The Roma Community Act was amended in 2025; settlements still lack water."),
            ("full", "full", "partial", "orange", "A national strategy was adopted; funding covers half of the measures."),
            ("not", "not", "not", "red", "No draft law has been tabled."),
        )
        for row, (law, policy, practice, light, narrative) in zip(
            MatrixRow.objects.filter(matrix=matrix, cluster=cluster).order_by("id")[:3], assessments, strict=False
        ):
            matrix_services.assessment_add(
                row=row,
                membership=membership,
                data={
                    "assessed_on": dt.date(2026, 6, 30),
                    "law": law,
                    "policy": policy,
                    "practice": practice,
                    "light": light,
                    "narrative": narrative,
                    "shared": True,
                },
                links=[
                    {
                        "title": "Ombudsperson's annual report 2025",
                        "source": "Human Rights Ombudsman",
                        "dated": dt.date(2026, 5, 15),
                        "url": "https://www.varuh-rs.si/en/",
                    }
                ],
            )

    def load_slovenia_recommendations(self) -> None:
        """Slovenia's three cycles of recommendations, from OHCHR's Word files shipped with the app, so
        that the demo shows search, responses and "as previously recommended" links. Shared reference
        data: imported once, like `import_recommendations` would."""
        from recommendations.file_import import import_file
        from recommendations.models import Recommendation

        data = Path(__file__).resolve().parents[3] / "recommendations" / "reference_data"
        for session, name in SLOVENIA_FILES:
            review = Review.objects.filter(state__iso3="SVN", session__number=session).first()
            if review is None or Recommendation.objects.filter(review=review).exists():
                continue
            with (data / name).open("rb") as handle:
                report = import_file(handle, name=name, review=review)
            self.stdout.write(f"Slovenia, session {session}: {report.summary()}")
