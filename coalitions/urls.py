from django.urls import path

from . import views
from .views import advocacy

app_name = "coalitions"

# Mounted under c/<slug:coalition_slug>/ : CoalitionMiddleware guards every one of these.
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("settings/", views.coalition_settings, name="settings"),
    path("settings/calendar-feed/", views.coalition_calendar_feed, name="calendar_feed"),
    path("members/", views.member_list, name="members"),
    path("members/<int:membership_id>/", views.member_edit, name="member_edit"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/new/", views.organisation_edit, name="organisation_new"),
    path("organisations/<int:organisation_id>/", views.organisation_edit, name="organisation_edit"),
    path("invitations/", views.invitation_list, name="invitations"),
    path("invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("groups/", views.working_group_list, name="groups"),
    path("groups/new/", views.working_group_edit, name="group_new"),
    path("groups/<int:group_id>/", views.working_group_edit, name="group_edit"),
    path("engagements/", views.engagement_list, name="engagements"),
    path("engagements/new/", views.engagement_create, name="engagement_new"),
    path("engagements/<int:engagement_id>/", views.engagement_detail, name="engagement"),
    path("engagements/<int:engagement_id>/milestones/new/", views.milestone_add, name="milestone_add"),
    path("engagements/<int:engagement_id>/milestones/usual/", views.internal_deadlines_propose, name="internal_deadlines"),
    path("engagements/<int:engagement_id>/tasks/", views.task_add, name="task_add"),
    path("engagements/<int:engagement_id>/tasks/<int:task_id>/status/", views.task_status, name="task_status"),
    path(
        "engagements/<int:engagement_id>/milestones/<int:milestone_id>/",
        views.milestone_edit,
        name="milestone_edit",
    ),
    path("engagements/<int:engagement_id>/consultations/", advocacy.consultation_list, name="consultations"),
    path("engagements/<int:engagement_id>/consultations/<int:consultation_id>/", advocacy.consultation_edit,
         name="consultation_edit"),
    path("engagements/<int:engagement_id>/consultations/<int:consultation_id>/delete/", advocacy.consultation_delete,
         name="consultation_delete"),
    path("engagements/<int:engagement_id>/advocacy/", advocacy.advocacy_log, name="advocacy"),
    path("engagements/<int:engagement_id>/advocacy/<int:meeting_id>/", advocacy.meeting_edit, name="meeting_edit"),
    path("engagements/<int:engagement_id>/advocacy/<int:meeting_id>/delete/", advocacy.meeting_delete,
         name="meeting_delete"),
    path("engagements/<int:engagement_id>/review/", advocacy.review_adoption, name="review_adoption"),
    path("audit/", views.audit_trail, name="audit"),
]
