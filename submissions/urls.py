from django.urls import path

from . import views

app_name = "submissions"

# Mounted under c/<slug:coalition_slug>/engagements/<int:engagement_id>/asks/ (guarded by CoalitionMiddleware).
urlpatterns = [
    path("", views.draft_list, name="drafts"),
    path("<int:draft_id>/", views.draft_edit, name="draft_edit"),
    path("<int:draft_id>/delete/", views.draft_delete, name="draft_delete"),
    path("<int:draft_id>/matches/<int:recommendation_id>/", views.impact_decide, name="impact_decide"),
]
