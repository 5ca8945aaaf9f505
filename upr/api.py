"""The UPR calendar, read-only. Shared reference data: no coalition scope."""

from django.db.models import QuerySet
from rest_framework import viewsets

from .inputs import MAX_ID, parse_int
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
            number = parse_int(session, minimum=1, maximum=MAX_ID)
            reviews = reviews.filter(session__number=number) if number is not None else reviews.none()
        return reviews
