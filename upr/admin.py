from django.contrib import admin

from .models import Review, Session, State


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    list_display = ("name", "iso3", "regional_group", "is_member_state")
    list_filter = ("regional_group", "is_member_state")
    search_fields = ("name", "iso3")


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("number", "cycle", "start_date", "end_date", "stakeholder_deadline")
    list_filter = ("cycle",)


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("state", "session", "review_date", "report_symbol")
    list_filter = ("session__cycle",)
    search_fields = ("state__name",)
    list_select_related = ("state", "session")
    filter_horizontal = ("troika",)
