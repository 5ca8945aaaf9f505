"""The coalition's people as one reader may see them named: who made a suggestion, who wrote."""
from __future__ import annotations

from coalitions.models import Coalition, Membership
from coalitions.withheld import organisation_label

__all__ = ["people_labels"]


def people_labels(coalition: Coalition, reader: Membership) -> dict[str, str]:
    """{user id: "Name (Organisation)"} for every member of the coalition, in one query; a withheld
    organisation is not named to an observer (coalitions.withheld)."""
    labels = {}
    for membership in (Membership.objects.for_coalition(coalition)  # type: ignore[attr-defined]
                       .select_related("user", "organisation")):
        organisation = organisation_label(membership.organisation, reader)
        labels[str(membership.user_id)] = f"{membership.user} ({organisation})" if organisation else str(membership.user)
    return labels
