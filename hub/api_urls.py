"""The JSON API. Coalition endpoints live under c/<coalition_slug>/ and are scoped by CoalitionScopedMixin."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from coalitions import api as coalition_api
from implementation import api as implementation_api
from recommendations import api as recommendation_api
from submissions import decision_api, document_api, suggestion_api
from submissions import drafts_api as submission_api
from upr import api
from workplan import api as engagement_api
from workplan import my_api

reference = DefaultRouter()
reference.register("states", api.StateViewSet, basename="state")
reference.register("sessions", api.SessionViewSet, basename="session")
reference.register("reviews", api.ReviewViewSet, basename="review")
reference.register("coalitions", coalition_api.CoalitionViewSet, basename="coalition")

scoped = DefaultRouter(trailing_slash=True)
scoped.include_root_view = False
scoped.register("organisations", coalition_api.OrganisationViewSet, basename="organisation")
scoped.register("members", coalition_api.MembershipViewSet, basename="membership")
scoped.register("working-groups", coalition_api.WorkingGroupViewSet, basename="working-group")
scoped.register("invitations", coalition_api.InvitationViewSet, basename="invitation")
scoped.register("engagements", coalition_api.EngagementViewSet, basename="engagement")
scoped.register("tasks", engagement_api.TaskViewSet, basename="task")
scoped.register("consultations", engagement_api.ConsultationViewSet, basename="consultation")
scoped.register("advocacy-meetings", engagement_api.AdvocacyMeetingViewSet, basename="advocacy-meeting")
scoped.register("engagements", engagement_api.EngagementPlanViewSet, basename="engagement-plan")
scoped.register("matrices", implementation_api.MatrixViewSet, basename="matrix")
scoped.register("clusters", implementation_api.ClusterViewSet, basename="cluster")
scoped.register("matrix-rows", implementation_api.RowViewSet, basename="matrix-row")
scoped.register("assessments", implementation_api.AssessmentViewSet, basename="assessment")
scoped.register("evidence", implementation_api.EvidenceViewSet, basename="evidence")
scoped.register("engagements", implementation_api.CarryForwardViewSet, basename="engagement-carry")
scoped.register("audit-events", coalition_api.AuditEventViewSet, basename="audit-event")
scoped.register("recommendations", recommendation_api.RecommendationViewSet, basename="recommendation")
scoped.register("draft-recommendations", submission_api.DraftRecommendationViewSet, basename="draft-recommendation")
scoped.register("engagements", submission_api.EngagementImpactViewSet, basename="engagement-impact")
scoped.register("documents", document_api.DocumentViewSet, basename="document")
scoped.register("sections", document_api.SectionViewSet, basename="section")
scoped.register("sections", suggestion_api.SectionSuggestionViewSet, basename="section-suggestions")
scoped.register("comments", document_api.CommentViewSet, basename="comment")
scoped.register("sign-ons", document_api.SignOnViewSet, basename="sign-on")
scoped.register("export-jobs", document_api.ExportJobViewSet, basename="export-job")
scoped.register("decisions", decision_api.DecisionViewSet, basename="decision")

app_name = "api"
urlpatterns = [
    path("", include(reference.urls)),
    path("c/<slug:coalition_slug>/", include(scoped.urls)),
    path(
        "c/<slug:coalition_slug>/calendar-feed/",
        engagement_api.CoalitionFeedViewSet.as_view({"post": "create", "delete": "revoke"}),
        name="coalition-calendar-feed",
    ),
    path("me/deadlines/", my_api.MyDeadlines.as_view(), name="my-deadlines"),
    path("me/reminder-preferences/", my_api.MyReminderPreferences.as_view(), name="my-reminder-preferences"),
    path("me/calendar-feed/", my_api.MyCalendarFeed.as_view(), name="my-calendar-feed"),
]
