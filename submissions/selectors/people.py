"""The coalition's people as one reader may see them named: who made a suggestion, who wrote."""

from __future__ import annotations

from coalitions.models import Coalition, Membership
from coalitions.withheld import organisation_label

__all__ = ["mention_names", "people_labels"]


def people_labels(coalition: Coalition, reader: Membership) -> dict[str, str]:
    """{user id: "Name (Organisation)"} for every member of the coalition, in one query; a withheld
    organisation is not named to an observer (coalitions.withheld)."""
    labels = {}
    for membership in Membership.objects.for_coalition(coalition).select_related("user", "organisation"):
        organisation = organisation_label(membership.organisation, reader)
        labels[str(membership.user_id)] = f"{membership.user} ({organisation})" if organisation else str(membership.user)
    return labels


def mention_names(coalition: Coalition) -> list[str]:
    """The names a comment may mention with "@" (services.comments matches them): the coalition's
    active people, for the comment forms' suggestions as one types. Names only, never an email."""
    names = {str(m.user) for m in Membership.objects.for_coalition(coalition).filter(user__is_active=True).select_related("user")}
    return sorted(names, key=str.casefold)
