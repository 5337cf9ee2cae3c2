from django.contrib import admin

from core.admin import ReadOnlyAdmin
from referrals.models import (
    ChecklistItem,
    Community,
    CommunityMeeting,
    CommunityMembership,
    Consent,
    ConsentWithdrawal,
    FollowUpPlan,
    FollowUpVisit,
    Partner,
    Referral,
    ReferralEvent,
)


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "municipality", "organisation", "active"]
    list_filter = ["kind", "organisation", "active"]
    search_fields = ["name"]


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["pk", "household", "partner", "partner_kind", "purpose", "given_on"]
    list_filter = ["purpose", "method"]


@admin.register(ConsentWithdrawal)
class ConsentWithdrawalAdmin(ReadOnlyAdmin):
    list_display = ["consent", "withdrawn_at"]


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = ["pk", "household", "partner", "status", "created_at"]
    list_filter = ["status", "purpose"]


@admin.register(ReferralEvent)
class ReferralEventAdmin(ReadOnlyAdmin):
    list_display = ["referral", "from_status", "to_status", "at"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["case", "section", "kind", "status"]
    list_filter = ["section", "status"]
    raw_id_fields = ["case", "updated_by"]


class FollowUpVisitInline(admin.TabularInline):
    model = FollowUpVisit
    extra = 0
    raw_id_fields = ["contact"]


@admin.register(FollowUpPlan)
class FollowUpPlanAdmin(admin.ModelAdmin):
    list_display = ["case", "bridge_builder", "started_on", "closed_on"]
    raw_id_fields = ["case", "bridge_builder"]
    inlines = [FollowUpVisitInline]


@admin.register(FollowUpVisit)
class FollowUpVisitAdmin(admin.ModelAdmin):
    list_display = ["plan", "label", "due_on", "done_on"]
    raw_id_fields = ["plan", "contact"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "area"]


@admin.register(CommunityMembership)
class CommunityMembershipAdmin(admin.ModelAdmin):
    list_display = ["community", "household", "joined_on", "left_on"]
    raw_id_fields = ["household"]


@admin.register(CommunityMeeting)
class CommunityMeetingAdmin(admin.ModelAdmin):
    list_display = ["community", "starts_at", "place"]
    raw_id_fields = ["attendees"]
