from django.urls import path

from . import views

app_name = "coalitions"

# Mounted under c/<slug:coalition_slug>/ : CoalitionMiddleware guards every one of these.
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("settings/", views.coalition_settings, name="settings"),
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
    path("engagements/<int:engagement_id>/milestones/usual/", views.internal_deadlines_propose, name="internal_deadlines"),
    path(
        "engagements/<int:engagement_id>/milestones/<int:milestone_id>/",
        views.milestone_edit,
        name="milestone_edit",
    ),
    path("audit/", views.audit_trail, name="audit"),
]
