from django.urls import path

from .views import browse, detail, imports, insights

app_name = "recommendations"

# Mounted under c/<slug:coalition_slug>/recommendations/ : CoalitionMiddleware guards every one of these.
urlpatterns = [
    path("", browse.recommendation_list, name="list"),
    path("export.csv", browse.recommendation_export, {"fmt": "csv"}, name="export_csv"),
    path("export.xlsx", browse.recommendation_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("import/", imports.recommendation_import, name="import"),
    path("imports/<int:import_id>/undo/", imports.import_undo, name="import_undo"),
    path("template.csv", imports.template_download, name="template"),
    path("statistics/", insights.statistics, name="statistics"),
    path("lobbying/", insights.lobbying, name="lobbying"),
    path("lobbying/export.csv", insights.lobbying_export, name="lobbying_export"),
    path("<int:recommendation_id>/", detail.recommendation_detail, name="detail"),
    path("<int:recommendation_id>/priority/", browse.priority_toggle, name="priority"),
    path("<int:recommendation_id>/ours/", detail.ours_edit, name="ours"),
    path("<int:recommendation_id>/response/", detail.response_add, name="response"),
    path("<int:recommendation_id>/action-category/", detail.action_category_edit, name="action_category"),
    path("<int:recommendation_id>/earlier/<int:earlier_id>/", detail.earlier_decide, name="earlier"),
]
