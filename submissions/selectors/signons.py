"""Reads of the sign-on: the submissions waiting for a person's signature (their dashboard)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from coalitions.models import Membership, Role

from ..models import DocumentStatus, SignOn, SignOnStatus

__all__ = ["awaiting_signature", "awaiting_signature_panel"]


def awaiting_signature(*, membership: Membership) -> QuerySet[SignOn]:
    """The sign-ons asked of the person's organisation and not answered, on documents still open
    for signing, oldest request first: one query."""
    if membership.organisation_id is None or not membership.has_role(Role.MEMBER):
        return SignOn.objects.none()
    return (
        SignOn.objects.for_coalition(membership.coalition)
        .filter(
            organisation_id=membership.organisation_id,
            status=SignOnStatus.REQUESTED,
            document__status__in=[DocumentStatus.DRAFT, DocumentStatus.IN_REVIEW],
        )
        .select_related("document__engagement__review__state", "document__engagement__review__session")
        .order_by("requested_at", "pk")
    )


def awaiting_signature_panel(request: HttpRequest) -> dict[str, Any]:
    """The dashboard's "waiting for your signature" (registered in upr.panels)."""
    membership = getattr(request, "membership", None)
    return {"awaiting_signature": list(awaiting_signature(membership=membership)) if membership else []}
