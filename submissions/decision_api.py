"""The decisions API under /api/c/<slug>/decisions/: a document's decisions (`?document=`), one decision
with whether the document's text is still the version decided on, opening one (the secretariat), an
organisation's vote, closing early and cancelling (the secretariat), and asking the organisations that
approved to sign. The same services and reads as the pages; the coalition comes from the URL, every id
in a body is checked against it, and a non-member gets 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from coalitions.api import CoalitionScopedMixin
from coalitions.models import Coalition, Role
from upr.inputs import parse_id

from . import selectors
from .decision_serializers import DecisionCreateSerializer, DecisionSerializer, DecisionVoteSerializer
from .document_serializers import SignOnSerializer
from .live import store
from .models import Decision
from .selectors.decisions import DecisionCard, decision_cards, decisions_with_votes
from .services import decisions as services


class DecisionViewSet(CoalitionScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Decisions. Everyone in the coalition reads them (a withheld organisation's vote is counted, named
    to the secretariat and its own contacts only); a member organisation's contact votes for it; the
    secretariat opens, closes early and cancels them."""

    model = Decision
    write_role = Role.MEMBER  # the vote; the secretariat's actions check more below
    serializer_class = DecisionSerializer

    def queryset_for(self, coalition: Coalition) -> QuerySet:
        decisions = decisions_with_votes(Decision.objects.for_coalition(coalition)).select_related("document")
        document = self.request.query_params.get("document") if self.action == "list" else None
        if document:
            decisions = decisions.filter(document=pk) if (pk := parse_id(document)) is not None else decisions.none()
        return decisions

    def _admin(self) -> None:
        if not self.membership.is_admin:  # type: ignore[union-attr]  # set by CoalitionScopedMixin.initial before any action runs
            raise PermissionDenied

    def _cards(self, decisions: list[Decision], *, with_text: bool) -> list[DecisionCard]:
        digests = None
        if with_text:  # whether the text is still the version decided on: one document's text read (a decision's)
            (document_id,) = {d.document_id for d in decisions}
            store.ensure_rendered(document_id)
            document = decisions[0].document
            digests = {document_id: selectors.text_digest(selectors.document_page(document, with_comments=False))}
        return decision_cards(decisions=decisions, membership=self.membership, now=timezone.now(), digests=digests)  # type: ignore[arg-type]  # set by CoalitionScopedMixin.initial before any action runs

    def _one(self) -> Response:
        """The decision of the URL as it is now (read afresh after an action), with its text compared."""
        return Response(DecisionSerializer(self._cards([self.get_object()], with_text=True)[0]).data)

    @extend_schema(parameters=[OpenApiParameter("document", OpenApiTypes.INT, description="Only this document's decisions.")])
    def list(self, request: Request, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(DecisionSerializer(self._cards(list(page or []), with_text=False), many=True).data)

    def retrieve(self, request: Request, **kwargs: Any) -> Response:
        return self._one()

    @extend_schema(request=DecisionCreateSerializer, responses={201: DecisionSerializer})
    def create(self, request: Request, **kwargs: Any) -> Response:
        """Open a decision on the document's text as it is now (the secretariat)."""
        self._admin()
        body = DecisionCreateSerializer(data=request.data, context={"coalition": self.coalition})
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        decision = self.call_service(services.decision_open, membership=self.membership, **data)
        (card,) = self._cards([self.get_queryset().get(pk=decision.pk)], with_text=True)
        return Response(DecisionSerializer(card).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionVoteSerializer, responses=DecisionSerializer)
    @action(detail=True, methods=["post"])
    def vote(self, request: Request, **kwargs: Any) -> Response:
        """Your organisation's vote (or a change of it) until the decision closes."""
        decision = self.get_object()
        body = DecisionVoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # A person with no organisation is refused by the service (Django's PermissionDenied: DRF's 403, with its reason).
        self.call_service(
            services.decision_vote,
            decision=decision,
            membership=self.membership,
            option_id=body.validated_data["option"],
            reason=body.validated_data["reason"],
        )
        return self._one()

    @extend_schema(request=None, responses=DecisionSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, **kwargs: Any) -> Response:
        """Close the decision now, before its time (the secretariat): its outcome is recorded."""
        self._admin()
        decision = self.get_object()
        self.call_service(services.decision_close, decision=decision, membership=self.membership)
        return self._one()

    @extend_schema(request=None, responses=DecisionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, **kwargs: Any) -> Response:
        """Withdraw an open decision (the secretariat): no outcome, no more reminders."""
        self._admin()
        decision = self.get_object()
        self.call_service(services.decision_cancel, decision=decision, membership=self.membership)
        return self._one()

    @extend_schema(request=None, responses=SignOnSerializer(many=True))
    @action(detail=True, methods=["post"], url_path="sign-ons", url_name="signons")
    def sign_ons(self, request: Request, **kwargs: Any) -> Response:
        """Ask the organisations that approved to sign the document, while its text is the version they approved."""
        self._admin()
        decision = self.get_object()
        asked = self.call_service(services.decision_signon, decision=decision, membership=self.membership)
        return Response(SignOnSerializer(asked, many=True, context={"membership": self.membership}).data)
