from django.urls import path

from . import views

app_name = "implementation"

# Mounted under c/<slug:coalition_slug>/ : CoalitionMiddleware guards every one of these.
urlpatterns = [
    path("documents/<int:document_id>/sections/matrix/", views.matrix_annex, name="matrix_annex"),
    path("engagements/<int:engagement_id>/matrix/", views.matrix_page, name="matrix"),
    path("engagements/<int:engagement_id>/matrix/build/", views.matrix_build, name="build"),
    path("engagements/<int:engagement_id>/matrix/clusters/", views.clusters, name="clusters"),
    path("engagements/<int:engagement_id>/matrix/move/", views.rows_move, name="move"),
    path("engagements/<int:engagement_id>/matrix/dashboard/", views.dashboard, name="dashboard"),
    path("engagements/<int:engagement_id>/matrix/rows/<int:row_id>/", views.row_page, name="row"),
    path("engagements/<int:engagement_id>/matrix/rows/<int:row_id>/assess/", views.assess, name="assess"),
    path(
        "engagements/<int:engagement_id>/matrix/rows/<int:row_id>/assessments/<int:assessment_id>/evidence/",
        views.evidence_add,
        name="evidence_add",
    ),
    path("engagements/<int:engagement_id>/matrix/export.<str:fmt>", views.export, name="export"),
    path("engagements/<int:engagement_id>/matrix/midterm/", views.midterm, name="midterm"),
    path("engagements/<int:engagement_id>/carry-forward/", views.carry_forward, name="carry_forward"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
]
