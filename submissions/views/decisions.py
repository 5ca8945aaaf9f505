"""The decisions of a document: a decision's own page, and the forms of the document page's panel
(open, vote, close early, cancel, ask the organisations that approved to sign). Each form comes back
to the page it was sent from (`from=detail`: the decision's page; else the document page's panel)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from coalitions.models import Membership, Role
from coalitions.tenancy import CoalitionRequest, require_role
from upr import freshness

from .. import selectors
from ..decision_forms import DecisionOpenForm, VoteForm
from ..live import store
from ..models import Decision, Document, DocumentStatus
from ..selectors.decisions import DecisionCard, decision_cards, decisions_with_votes, document_decisions
from ..selectors.documents import PageData
from ..services import decisions as services
from .common import NOT_DONE, attempt, document_of, document_url, form_problem


def _decision_of(request: CoalitionRequest, document: Document, decision_id: int) -> Decision:
    return get_object_or_404(Decision.objects.for_coalition(request.coalition), document=document, pk=decision_id)


def _back(request: HttpRequest, coalition_slug: str, document_id: int, decision_id: int) -> HttpResponse:
    if request.POST.get("from") == "detail":
        return redirect("documents:decision", coalition_slug=coalition_slug, document_id=document_id, decision_id=decision_id)
    return redirect(document_url(coalition_slug, document_id, f"decision-{decision_id}"))


def decision_forms(card: DecisionCard, membership: Membership, document: Document) -> None:
    """Attach to a card the forms this person may send: their organisation's vote (with its current
    vote), and the secretariat's close, cancel and sign-on buttons."""
    is_admin = membership.is_admin
    card.vote_form = (
        VoteForm(
            options=card.options,
            auto_id=f"vote-{card.decision.pk}-%s",
            initial={
                "option": card.my_vote.option_id,
                "reason": card.my_vote.reason,
            }
            if card.my_vote
            else None,
        )
        if card.can_vote
        else None
    )
    card.can_manage = is_admin and card.open
    card.can_ask_to_sign = (
        is_admin and card.approved and card.recorded and document.kind == "joint_submission" and document.editable
    )


def decisions_panel(membership: Membership, document: Document, page: PageData) -> dict[str, object]:
    """The document page's decisions, rendered in its cached content: the cache is read again after any
    write to a decision or a vote (upr.freshness), and expires when an open decision's time comes, from
    which the page shows it closed with its tally (computed: the closing task records it within the minute)."""
    cards = document_decisions(document=document, membership=membership, digest=selectors.text_digest(page), now=timezone.now())
    for card in cards:
        decision_forms(card, membership, document)
        if card.open:
            freshness.expire_at(card.decision.closes_at)
    can_open = membership.is_admin and document.status != DocumentStatus.SUBMITTED
    return {"decisions": cards, "decision_form": DecisionOpenForm(auto_id="decision-new-%s") if can_open else None}


@require_safe
def decision_detail(request: CoalitionRequest, coalition_slug: str, document_id: int, decision_id: int) -> HttpResponse:
    """A decision's own page (the reminders link here): its version against the text now, the votes, the tally."""
    document = document_of(request, document_id)
    decision = get_object_or_404(
        decisions_with_votes(Decision.objects.for_coalition(request.coalition)),
        document=document,
        pk=decision_id,
    )
    store.ensure_rendered(document)
    digest = selectors.text_digest(selectors.document_page(document, with_comments=False))
    (card,) = decision_cards(
        decisions=[decision], membership=request.membership, now=timezone.now(), digests={document.pk: digest}
    )
    decision_forms(card, request.membership, document)
    return render(request, "submissions/decision_detail.html", {"document": document, "card": card, "from_detail": True})


@require_POST
@require_role(Role.ADMIN)
def decision_open(request: CoalitionRequest, coalition_slug: str, document_id: int) -> HttpResponse:
    document = document_of(request, document_id)
    form = DecisionOpenForm(request.POST)
    if not form.is_valid():
        form_problem(request, form, _("The decision was not opened."))
        return redirect(document_url(coalition_slug, document_id, "decisions"))
    data = form.cleaned_data
    decision = attempt(
        request,
        lambda: services.decision_open(
            document=document,
            membership=request.membership,
            title=data["title"],
            description=data["description"],
            kind=data["kind"],
            options=data["option_lines"],
            closes_at=data["closes_at"],
        ),
        _("The decision is open: the organisations' contacts can vote until it closes."),
    )
    if decision is NOT_DONE:
        return redirect(document_url(coalition_slug, document_id, "decisions"))
    return redirect(document_url(coalition_slug, document_id, f"decision-{decision.pk}"))


@require_POST
@require_role(Role.MEMBER)
def decision_vote(request: CoalitionRequest, coalition_slug: str, document_id: int, decision_id: int) -> HttpResponse:
    document = document_of(request, document_id)
    decision = get_object_or_404(
        decisions_with_votes(Decision.objects.for_coalition(request.coalition)),
        document=document,
        pk=decision_id,
    )
    (card,) = decision_cards(decisions=[decision], membership=request.membership, now=timezone.now())
    form = VoteForm(request.POST, options=card.options)
    if form.is_valid():
        data = form.cleaned_data
        attempt(
            request,
            lambda: services.decision_vote(
                decision=decision, membership=request.membership, option_id=data["option"], reason=data["reason"]
            ),
            _("Your organisation's vote is recorded. You can change it until the decision closes."),
        )
    else:
        form_problem(request, form, _("Choose one of the options."))
    return _back(request, coalition_slug, document_id, decision_id)


@require_POST
@require_role(Role.ADMIN)
def decision_close(request: CoalitionRequest, coalition_slug: str, document_id: int, decision_id: int) -> HttpResponse:
    decision = _decision_of(request, document_of(request, document_id), decision_id)
    attempt(
        request,
        lambda: services.decision_close(decision=decision, membership=request.membership),
        _("The decision is closed: its outcome is recorded."),
    )
    return _back(request, coalition_slug, document_id, decision_id)


@require_POST
@require_role(Role.ADMIN)
def decision_cancel(request: CoalitionRequest, coalition_slug: str, document_id: int, decision_id: int) -> HttpResponse:
    decision = _decision_of(request, document_of(request, document_id), decision_id)
    attempt(
        request,
        lambda: services.decision_cancel(decision=decision, membership=request.membership),
        _("The decision is cancelled: no outcome is recorded, and no more reminders go."),
    )
    return _back(request, coalition_slug, document_id, decision_id)


@require_POST
@require_role(Role.ADMIN)
def decision_signon(request: CoalitionRequest, coalition_slug: str, document_id: int, decision_id: int) -> HttpResponse:
    """Ask the organisations that approved the text to sign it, while it is still the version they approved."""
    document = document_of(request, document_id)
    decision = _decision_of(request, document, decision_id)
    asked = attempt(request, lambda: services.decision_signon(decision=decision, membership=request.membership))
    if asked is NOT_DONE:
        return _back(request, coalition_slug, document_id, decision_id)
    messages.success(
        request,
        ngettext(
            "%(n)d organisation is asked to sign this version.", "%(n)d organisations are asked to sign this version.", len(asked)
        )
        % {"n": len(asked)},
    )
    return redirect(document_url(coalition_slug, document_id, "sign-on"))
