from django.urls import path

from . import views
from .views import advocacy, mine

app_name = "workplan"

# Mounted under c/<slug:coalition_slug>/ : CoalitionMiddleware guards every one of these.
urlpatterns = [
    path("settings/calendar-feed/", mine.coalition_calendar_feed, name="calendar_feed"),
    path("engagements/<int:engagement_id>/", views.engagement_detail, name="engagement"),
    path("engagements/<int:engagement_id>/milestones/new/", views.milestone_add, name="milestone_add"),
    path("engagements/<int:engagement_id>/tasks/", views.task_add, name="task_add"),
    path("engagements/<int:engagement_id>/tasks/<int:task_id>/status/", views.task_status, name="task_status"),
    path("engagements/<int:engagement_id>/consultations/", advocacy.consultation_list, name="consultations"),
    path(
        "engagements/<int:engagement_id>/consultations/<int:consultation_id>/",
        advocacy.consultation_edit,
        name="consultation_edit",
    ),
    path(
        "engagements/<int:engagement_id>/consultations/<int:consultation_id>/delete/",
        advocacy.consultation_delete,
        name="consultation_delete",
    ),
    path("engagements/<int:engagement_id>/advocacy/", advocacy.advocacy_log, name="advocacy"),
    path("engagements/<int:engagement_id>/advocacy/<int:meeting_id>/", advocacy.meeting_edit, name="meeting_edit"),
    path("engagements/<int:engagement_id>/advocacy/<int:meeting_id>/delete/", advocacy.meeting_delete, name="meeting_delete"),
    path("engagements/<int:engagement_id>/review/", advocacy.review_adoption, name="review_adoption"),
]
