from django.contrib import admin

from .models import SDG, AffectedGroup, Recommendation, ResponseRecord, Theme


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
