from django.contrib import admin

from team.models import Handover, HandoverItem, Invitation


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "invited_by", "invited_at", "sent_at", "accepted_at"]
    raw_id_fields = ["user", "invited_by"]


class HandoverItemInline(admin.TabularInline):
    model = HandoverItem
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "object_id"]


@admin.register(Handover)
class HandoverAdmin(admin.ModelAdmin):
    """The record of a handover: read only, it is history."""

    list_display = ["at", "organisation", "from_user", "to_user", "by", "deactivated"]
    readonly_fields = [
        "organisation", "from_user", "to_user", "by", "at", "deactivated", "counts", "notified_at",
    ]  # fmt: skip
    inlines = [HandoverItemInline]

    def has_add_permission(self, request) -> bool:
        return False
