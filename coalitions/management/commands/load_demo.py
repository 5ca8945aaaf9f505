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
        if coalition is None:
            coalition = services.coalition_create(
                name="Demo Human Rights Coalition", slug="demo", creator=admin,
                description="A fictional coalition to try the product with.",
            )
            orgs = [
                services.organisation_save(coalition=coalition, actor=admin, data=data)
                for data in (
                    {"name": "Centre for Equal Rights", "acronym": "CER", "website": "https://example.org/cer",
                     "activities": "Legal aid and strategic litigation on discrimination.", "established_on": dt.date(2004, 5, 1),
                     "ecosoc_status": "special"},
                    {"name": "Roma Youth Network", "acronym": "RYN", "activities": "Youth participation and education.",
                     "established_on": dt.date(2012, 9, 15)},
                    {"name": "Defenders at Risk", "acronym": "", "activities": "Protection of human rights defenders.",
                     "withheld": True},
                )
            ]
            editor = verified_user("editor@example.org", "Working Group Editor", DEMO_PASSWORD)
            member = verified_user("member@example.org", "Member Contact", DEMO_PASSWORD)
            from coalitions.models import Membership

            editor_m = Membership.objects.create(coalition=coalition, user=editor, role=Role.EDITOR, organisation=orgs[0])
            member_m = Membership.objects.create(coalition=coalition, user=member, role=Role.MEMBER, organisation=orgs[1])
            services.working_group_save(
                coalition=coalition, actor=admin, name="Equality and non-discrimination",
                theme="Roma rights, gender equality, LGBTI persons", lead=editor_m, members=[member_m],
            )
            review = Review.objects.filter(state__iso3="SVN", session__number=48).first()
            if review is not None:
                services.engagement_create(coalition=coalition, actor=admin, review=review)
        self.load_slovenia_recommendations()
        self.stdout.write(self.style.SUCCESS(
            f"Demo coalition ready at /c/{coalition.slug}/ . Log in as {DEMO_EMAIL} with password {DEMO_PASSWORD}"
        ))

    def load_slovenia_recommendations(self) -> None:
        """Slovenia's three cycles of recommendations, from OHCHR's Word files shipped with the app, so
        that the demo shows search, responses and "as previously recommended" links. Shared reference
        data: imported once, like `import_recommendations` would."""
        from recommendations.imports import import_file
        from recommendations.models import Recommendation

        data = Path(__file__).resolve().parents[3] / "recommendations" / "reference_data"
        for session, name in SLOVENIA_FILES:
            review = Review.objects.filter(state__iso3="SVN", session__number=session).first()
            if review is None or Recommendation.objects.filter(review=review).exists():
                continue
            with (data / name).open("rb") as handle:
                report = import_file(handle, name=name, review=review)
            self.stdout.write(f"Slovenia, session {session}: {report.summary()}")
