from django.urls import path

from .views import comments, documents, history, sections, workflow
from .views import decisions as decision_views
from .views.budgets import document_budgets
from .views.suggestions import suggestions_decide

app_name = "documents"

# Mounted under c/<slug:coalition_slug>/ (guarded by CoalitionMiddleware).
D = "documents/<int:document_id>/"
S = D + "sections/<int:section_id>/"
urlpatterns = [
    path("engagements/<int:engagement_id>/documents/", documents.document_list, name="list"),
    path(D, documents.document_detail, name="detail"),
    path(D + "settings/", documents.document_settings, name="settings"),
    path(D + "summary/", sections.summary_save, name="summary"),
    path(D + "sections/new/", documents.section_add, name="section_add"),
    path(D + "recommendations/", documents.recommendations_choose, name="recommendations"),
    path(D + "import/", documents.docx_import, name="import"),
    path(D + "status/", workflow.status_change, name="status"),
    path(D + "sign-on/", workflow.signon_request, name="signon_request"),
    path(D + "sign-on/<int:sign_on_id>/", workflow.signon_answer, name="signon_answer"),
    path(D + "sign-on/<int:sign_on_id>/remind/", workflow.signon_remind, name="signon_remind"),
    path(D + "exports/", workflow.export_list, name="exports"),
    path(D + "exports/new/", workflow.export_create, name="export_create"),
    path(D + "exports/<int:job_id>/download/", workflow.export_download, name="export_download"),
    path(D + "submitted.<str:format>", workflow.snapshot_download, name="snapshot"),
    path(S, sections.section_save, name="section_save"),
    path(S + "assign/", sections.section_assign, name="section_assign"),
    path(S + "delete/", sections.section_delete, name="section_delete"),
    path(S + "history/", history.section_history, name="section_history"),
    path(S + "history/compare/", history.section_compare, name="section_compare"),
    path(S + "history/name/", history.section_version_keep, name="section_version_keep"),
    path(S + "history/<int:version>/name/", history.section_version_name, name="section_version_name"),
    path(S + "history/<int:version>/restore/", history.section_restore, name="section_restore"),
    path(S + "comments/", comments.comment_add, name="comment_add"),
    path(S + "comments/<int:comment_id>/reply/", comments.comment_reply, name="comment_reply"),
    path(S + "comments/<int:comment_id>/resolve/", comments.comment_resolve, name="comment_resolve"),
    path(S + "comments/<int:comment_id>/reopen/", comments.comment_reopen, name="comment_reopen"),
    path(D + "budgets/", document_budgets, name="budgets"),
    path(D + "suggestions/", suggestions_decide, name="suggestions_decide"),
    path(D + "decisions/new/", decision_views.decision_open, name="decision_open"),
    path(D + "decisions/<int:decision_id>/", decision_views.decision_detail, name="decision"),
    path(D + "decisions/<int:decision_id>/vote/", decision_views.decision_vote, name="decision_vote"),
    path(D + "decisions/<int:decision_id>/close/", decision_views.decision_close, name="decision_close"),
    path(D + "decisions/<int:decision_id>/cancel/", decision_views.decision_cancel, name="decision_cancel"),
    path(D + "decisions/<int:decision_id>/sign-on/", decision_views.decision_signon, name="decision_signon"),
]
