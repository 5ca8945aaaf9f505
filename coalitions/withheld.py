"""Organisations whose name is withheld (at risk of reprisals): who may read their names, and the hook
that stops an organisation being marked withheld while a document would still publish its name.

Who reads a withheld name: the coalition's secretariat, editors and members (the coalition's own
people, who work with the organisation). Never an observer (a partner, a pro-bono lawyer, a donor:
outsiders let in to read), never an export, an email or anything that leaves the coalition. Where
an observer would meet one, the organisation is counted or shown as "an organisation that is not
named", and its id is left out of the API.

OHCHR publishes every stakeholder submission with its lead submitter's name and accepts no
anonymous one: an organisation at risk cannot lead. The documents app (higher in the layers, which
this app does not import) registers in `WITHHOLD_CHECKS` why an organisation cannot be withheld
yet (it leads a document not yet submitted).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .models import MemberOrganisation, Membership, Role

# Each returns the reasons (sentences) why this organisation cannot be marked withheld now.
WITHHOLD_CHECKS: list[Callable[[MemberOrganisation], list[str]]] = []


def sees_withheld(membership: Membership | None) -> bool:
    """Whether this person may read the names of the coalition's withheld organisations."""
    return membership is not None and membership.has_role(Role.MEMBER)


def visible_organisations(organisations: QuerySet[MemberOrganisation], membership: Membership | None) -> QuerySet:
    """The organisations this person may see by name: an observer sees no withheld one."""
    return organisations if sees_withheld(membership) else organisations.filter(withheld=False)


def unnamed_label() -> str:
    return _("an organisation that is not named")


def organisation_label(organisation: Any, membership: Membership | None) -> str:
    """The organisation's name, or "an organisation that is not named" for an observer and a withheld one."""
    if organisation is None:
        return ""
    if organisation.withheld and not sees_withheld(membership):
        return unnamed_label()
    return str(organisation)


def organisation_id_for(organisation: Any, membership: Membership | None) -> int | None:
    """An organisation's id as the API gives it to this person: none for an observer and a withheld one."""
    if organisation is None or (organisation.withheld and not sees_withheld(membership)):
        return None
    return organisation.pk


def withhold_problems(organisation: MemberOrganisation) -> list[str]:
    """Why `organisation` cannot be marked withheld now (empty: it can)."""
    return [reason for check in WITHHOLD_CHECKS for reason in check(organisation)]
