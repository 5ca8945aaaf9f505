"""What the documents' views share: the coalition's document or engagement from the URL (404 to
anyone else), its address, and running a service so that a refusal becomes a message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from coalitions.models import Engagement
from coalitions.tenancy import CoalitionRequest

from ..models import Document

NOT_DONE = object()  # what `attempt` returns when the service refused


def engagement_of(request: CoalitionRequest, engagement_id: int) -> Engagement:
    return get_object_or_404(
        Engagement.objects.for_coalition(request.coalition).select_related("review__state", "review__session"),
        pk=engagement_id,
    )


def document_of(request: CoalitionRequest, document_id: int) -> Document:
    return get_object_or_404(
        Document.objects.for_coalition(request.coalition).select_related(
            "engagement__review__state",
            "engagement__review__session",
            "lead_organisation",
        ),
        pk=document_id,
    )


def document_url(coalition_slug: str, document_id: int, anchor: str = "") -> str:
    url = reverse("documents:detail", args=[coalition_slug, document_id])
    return f"{url}#{anchor}" if anchor else url


def attempt(request: HttpRequest, action: Callable[[], Any], success: str = "") -> Any:
    """Run a service. What it refuses (not allowed, locked, over the limit...) becomes the person's
    error message, never an error page; NOT_DONE tells the view so."""
    try:
        result = action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return NOT_DONE
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You may not do that."))
        return NOT_DONE
    if success:
        messages.success(request, success)
    return result


def form_problem(request: HttpRequest, form: Any, fallback: str) -> None:
    """A form's errors as one message (the page it came from is shown again by a redirect)."""
    errors = " ".join(str(e) for errors in form.errors.values() for e in errors)
    messages.error(request, errors or fallback)
