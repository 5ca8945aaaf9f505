from django.contrib import admin

from .models import SDG, AffectedGroup, Recommendation, ResponseRecord, SharedImport, Theme


class ResponseRecordInline(admin.TabularInline):
    model = ResponseRecord
    extra = 0


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ("paragraph", "review", "response", "thematic_cluster")
    list_filter = ("response", "review__session__cycle")
    search_fields = ("text", "paragraph")
    list_select_related = ("review__state", "review__session")
    filter_horizontal = ("recommending_states", "themes", "affected_groups", "sdgs")
    inlines = [ResponseRecordInline]


admin.site.register([Theme, AffectedGroup, SDG])


@admin.register(SharedImport)
class SharedImportAdmin(admin.ModelAdmin):
    """Read-only: the record of what changed the shared recommendations (undo it from the import page)."""

    list_display = ("created_at", "file_name", "review", "status", "by_staff", "verified", "created", "updated")
    list_filter = ("status", "by_staff", "verified", "source")
    list_select_related = ("review__state", "review__session")
    exclude = ("content", "undo")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
