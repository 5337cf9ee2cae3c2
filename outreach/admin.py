from django.contrib import admin

from core.admin import ReadOnlyAdmin
from outreach.letters.models import (
    Letter,
    LetterBatch,
    LetterTemplate,
    LetterTemplateVersion,
    StaffContact,
)
from outreach.models import (
    AwaitedReply,
    CalendarFeed,
    Contact,
    DropInSession,
    Flag,
    FlagDigest,
    FlagThresholds,
    Invitation,
    Meeting,
    ScanRun,
    Tip,
)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["household", "occurred_at", "channel", "outcome", "staff"]
    list_filter = ["channel", "outcome"]
    raw_id_fields = ["household", "case", "staff", "drop_in_session", "meeting"]


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    raw_id_fields = ["household", "attendance_recorded_by"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["topic", "project", "held_at", "place"]
    list_filter = ["project"]
    filter_horizontal = ["stairwells"]
    inlines = [InvitationInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["meeting", "household", "invited", "attended"]
    raw_id_fields = ["meeting", "household", "attendance_recorded_by"]


@admin.register(DropInSession)
class DropInSessionAdmin(admin.ModelAdmin):
    list_display = ["name", "held_on", "estate", "place"]


@admin.register(Tip)
class TipAdmin(admin.ModelAdmin):
    list_display = ["flat", "source", "submitted_at", "handled_at"]
    raw_id_fields = ["flat", "household", "submitted_by", "handled_by"]


@admin.register(AwaitedReply)
class AwaitedReplyAdmin(admin.ModelAdmin):
    list_display = ["subject", "household", "sent_on", "due_on", "replied_on"]
    raw_id_fields = ["household", "case", "created_by"]


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["household", "kind", "raised_at", "resolved_at"]
    list_filter = ["kind"]
    raw_id_fields = ["household", "case", "resolved_by"]


@admin.register(FlagThresholds)
class FlagThresholdsAdmin(admin.ModelAdmin):
    list_display = ["project", "missed_meetings", "no_contact_days", "packing_window_days"]


@admin.register(ScanRun)
class ScanRunAdmin(admin.ModelAdmin):
    list_display = ["queued_at", "status", "households_scanned", "triggered_by"]
    list_filter = ["status"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FlagDigest)
class FlagDigestAdmin(admin.ModelAdmin):
    list_display = ["user", "sent_on", "flag_count"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Only the hash of a feed's secret is stored; deleting a feed revokes it."""

    list_display = ["user", "created_at", "last_fetched_at"]
    exclude = ["token_hash"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# Letters and their templates are made in the app (templates versioned, a sent letter kept as it
# went out); here they can be read.


@admin.register(LetterTemplate)
class LetterTemplateAdmin(ReadOnlyAdmin):
    list_display = ["name", "organisation", "kind", "active", "updated_at"]
    list_filter = ["kind"]


@admin.register(LetterTemplateVersion)
class LetterTemplateVersionAdmin(ReadOnlyAdmin):
    list_display = ["template", "language", "number", "created_by", "created_at"]
    list_select_related = ["template", "created_by"]


@admin.register(LetterBatch)
class LetterBatchAdmin(ReadOnlyAdmin):
    list_display = ["project", "stairwell", "template", "status", "letter_count", "created_at"]
    list_select_related = ["project", "stairwell", "template"]


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    list_display = ["household", "subject", "language", "sent_via", "sent_on", "received_on"]
    list_select_related = ["household"]


@admin.register(StaffContact)
class StaffContactAdmin(ReadOnlyAdmin):
    list_display = ["user", "phone"]
