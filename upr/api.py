"""The UPR calendar, read-only. Shared reference data: no coalition scope."""
from django.db.models import QuerySet
from rest_framework import viewsets

from .models import Review, Session, State
from .serializers import ReviewSerializer, SessionSerializer, StateSerializer


class StateViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = State.objects.all()
    serializer_class = StateSerializer
    lookup_field = "iso3"


class SessionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Session.objects.all()
    serializer_class = SessionSerializer
    lookup_field = "number"


class ReviewViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ReviewSerializer

    def get_queryset(self) -> QuerySet[Review]:
        reviews = Review.objects.with_related().prefetch_related("troika")
        if state := self.request.query_params.get("state"):
            reviews = reviews.filter(state__iso3=state.upper())
        if session := self.request.query_params.get("session"):
            reviews = reviews.filter(session__number=session) if session.isdigit() else reviews.none()
        return reviews
