"""Accepting or rejecting suggestions from the document page (the live editor's list calls it with
fetch and reads the JSON; the same decision is in the API)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalitions.tenancy import CoalitionRequest
from upr.inputs import MAX_ID, parse_int

from .. import services
from .common import document_of


@require_POST
def suggestions_decide(request: CoalitionRequest, coalition_slug: str, document_id: int) -> JsonResponse:
    document = document_of(request, document_id)
    if not request.membership.can_edit:  # members suggest and comment; editors decide
        return JsonResponse({"error": _("Only the editors of this text accept or reject its suggestions.")}, status=403)
    decision = request.POST.get("decision", "")
    room = request.POST.get("room", "")[:40]
    ids = [value[:80] for value in request.POST.getlist("id")[:500] if value]
    author = request.POST.get("author", "")
    author_id = parse_int(author, minimum=1, maximum=MAX_ID) if author else None
    if decision not in ("accept", "reject") or (not ids and author_id is None) or (author and author_id is None):
        return JsonResponse({"error": _("Say which suggestion to accept or reject.")}, status=400)
    try:
        result = services.suggestions_decide(
            document=document, membership=request.membership, room=room, accept=decision == "accept", ids=ids, author_id=author_id
        )
    except PermissionDenied as error:
        return JsonResponse({"error": str(error)}, status=403)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=409)
    return JsonResponse({"decided": result.decided, "accepted": result.accepted})
