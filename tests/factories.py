from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from coalitions.models import Coalition, MemberOrganisation, Membership, Role, WorkingGroup

if TYPE_CHECKING:
    from recommendations.models import Recommendation

PASSWORD = "correct-horse-battery-staple"

# Each factory names its model's type: `XFactory.create(**fields)` is typed as that model (what calling
# `XFactory(**fields)` also returns, with the create strategy, though the checker sees the factory there).


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self: User, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        if create:
            self.save()
            if extracted is not False:
                EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class CoalitionFactory(factory.django.DjangoModelFactory[Coalition]):
    class Meta:
        model = Coalition

    name = factory.Sequence(lambda n: f"Coalition {n}")
    slug = factory.Sequence(lambda n: f"coalition-{n}")


class OrganisationFactory(factory.django.DjangoModelFactory[MemberOrganisation]):
    class Meta:
        model = MemberOrganisation

    coalition = factory.SubFactory(CoalitionFactory)
    name = factory.Sequence(lambda n: f"Organisation {n}")
    acronym = factory.Sequence(lambda n: f"ORG{n}")
    established_on = dt.date(2001, 1, 1)


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    coalition = factory.SubFactory(CoalitionFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


class WorkingGroupFactory(factory.django.DjangoModelFactory[WorkingGroup]):
    class Meta:
        model = WorkingGroup

    coalition = factory.SubFactory(CoalitionFactory)
    name = factory.Sequence(lambda n: f"Working group {n}")


def aware(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, microsecond: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, microsecond, tzinfo=timezone.get_current_timezone())


def corrected_reference_data(tmp_path, filename: str, match: dict[str, str], changes: dict[str, str]):
    """A copy of the shipped reference data in which the rows of `filename` matching `match` get `changes`."""
    import csv
    import shutil

    from upr.reference import DATA_DIR

    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / filename
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for row in rows:
        if all(row[key] == value for key, value in match.items()):
            row.update(changes)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=rows[0].keys())
        writer.writeheader()
        writer.writerows(rows)
    return data


class RecommendationFactory(factory.django.DjangoModelFactory["Recommendation"]):
    """A recommendation of a review (pass `review`); `states` sets its recommending States."""

    class Meta:
        model = "recommendations.Recommendation"
        skip_postgeneration_save = True

    source = "template"
    source_key = factory.Sequence(lambda n: f"f{n}")
    paragraph = factory.Sequence(lambda n: f"150.{n + 1}")
    paragraph_major = 150
    paragraph_minor = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Take measures to protect the rights of group number {n} (Chile);")
    response = "supported"
    action_category = 4
    action_category_status = "suggested"

    @factory.post_generation
    def states(self: Recommendation, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            from recommendations.models import groups_of

            self.recommending_states.set(extracted)
            self.recommending_groups = groups_of(extracted)
            self.save(update_fields=["recommending_groups"])
