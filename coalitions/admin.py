from django.contrib import admin

from .models import AuditEvent, Coalition, Engagement, Invitation, MemberOrganisation, Membership, Milestone, WorkingGroup


@admin.register(Coalition)
class CoalitionAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(MemberOrganisation)
class MemberOrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "acronym", "coalition", "ecosoc_status", "withheld")
    list_filter = ("ecosoc_status", "withheld")
    search_fields = ("name", "acronym")
    list_select_related = ("coalition",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "coalition", "role", "organisation")
    list_filter = ("role",)
    search_fields = ("user__email", "coalition__name")
    list_select_related = ("user", "coalition", "organisation")
    raw_id_fields = ("user", "organisation")


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "coalition", "lead")
    list_select_related = ("coalition", "lead__user")
    raw_id_fields = ("lead", "members")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "coalition", "role", "created_at", "expires_at", "accepted_at", "revoked_at")
    exclude = ("token_hash",)
    list_select_related = ("coalition",)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    exclude = ("coalition",)


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    list_display = ("review", "coalition", "created_at")
    list_select_related = ("review__state", "review__session", "coalition")
    inlines = [MilestoneInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is evidence, not a record to edit."""

    list_display = ("created_at", "coalition", "actor", "action", "target_label")
    list_filter = ("action",)
    list_select_related = ("coalition", "actor")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
