"""The word budgets of a document: the secretariat divides the limit among the counted sections."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from coalitions.models import Role
from coalitions.tenancy import CoalitionRequest, require_role

from .. import selectors, services
from ..budget_forms import WordBudgetsForm
from ..live import store as live_store
from .common import document_of, document_url


@require_role(Role.ADMIN)
def document_budgets(request: CoalitionRequest, coalition_slug: str, document_id: int) -> HttpResponse:
    """Admins only, as the document's settings: other members get 403, outsiders 404 (the guard)."""
    document = document_of(request, document_id)
    # "Words now" includes what was typed live in the last seconds, as on the document's page.
    live_store.ensure_rendered(document)
    budgets = selectors.document_budgets(document)
    form = WordBudgetsForm(request.POST if request.method == "POST" else None, rows=budgets.rows, locked=not document.editable)
    if form.is_bound and form.is_valid():
        try:
            services.document_budgets_set(document=document, actor=request.user, budgets=form.budgets())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The word budgets are saved."))
            return redirect(document_url(coalition_slug, document.pk, "count"))
    return render(
        request,
        "submissions/budgets.html",
        {"document": document, "budgets": budgets, "form": form},
        status=400 if form.errors else 200,
    )
