from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from cases.economy.models import BudgetLine, Expense
from cases.logistics.models import HousingNeed, Move, Offer, PoolFlat
from cases.models import (
    Case,
    CaseAssignment,
    DeadlineSettings,
    DistributionNotice,
    Project,
    ScheduleChange,
    StageChange,
    StairwellSchedule,
)
from cases.reports.models import ReportJob
from core.admin import ReadOnlyAdmin


class StairwellScheduleInline(admin.TabularInline):
    model = StairwellSchedule
    extra = 0
    raw_id_fields = ["stairwell"]


@admin.register(Project)
class ProjectAdmin(GuardedModelAdmin):
    list_display = ["name", "estate", "kind", "starts_on", "ends_on"]
    list_filter = ["kind", "estate"]
    inlines = [StairwellScheduleInline]


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    readonly_fields = ["from_stage", "to_stage", "changed_by", "changed_at", "note"]
    can_delete = False


class CaseAssignmentInline(admin.TabularInline):
    model = CaseAssignment
    extra = 0
    raw_id_fields = ["user", "assigned_by"]


@admin.register(StairwellSchedule)
class StairwellScheduleAdmin(admin.ModelAdmin):
    list_display = ["project", "stairwell", "notice_on", "packing_on", "move_out_on", "return_on"]
    list_filter = ["project"]
    raw_id_fields = ["stairwell"]


@admin.register(StageChange)
class StageChangeAdmin(ReadOnlyAdmin):
    """The history is written by the stage service only; here it can be read, not changed."""

    list_display = ["case", "from_stage", "to_stage", "changed_by", "changed_at"]
    list_filter = ["to_stage"]


@admin.register(DistributionNotice)
class DistributionNoticeAdmin(ReadOnlyAdmin):
    """Written by the distribution service only (planning: distribute); here it can be read."""

    list_display = ["project", "user", "by", "at", "notified_at"]


@admin.register(ScheduleChange)
class ScheduleChangeAdmin(ReadOnlyAdmin):
    """The schedule's history is written by the schedule service only; here it can be read."""

    list_display = [
        "project",
        "stairwell",
        "field",
        "old_date",
        "new_date",
        "changed_by",
        "changed_at",
    ]
    list_filter = ["field"]
    list_select_related = ["project", "stairwell", "changed_by"]


@admin.register(CaseAssignment)
class CaseAssignmentAdmin(admin.ModelAdmin):
    list_display = ["case", "user", "role", "assigned_at"]
    raw_id_fields = ["case", "user", "assigned_by"]


@admin.register(Case)
class CaseAdmin(GuardedModelAdmin):
    list_display = ["__str__", "project", "stage", "next_step_on"]
    list_filter = ["stage", "project"]
    raw_id_fields = ["household", "temporary_flat", "permanent_flat"]
    readonly_fields = ["stage", "end_reason", "stage_changed_at", "closed_at"]
    inlines = [CaseAssignmentInline, StageChangeInline]


# --- Rehousing logistics (cases/logistics/): kept for support; the pages write through services.


@admin.register(PoolFlat)
class PoolFlatAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organisation", "kind", "rent", "available_from", "is_active"]
    list_filter = ["organisation", "kind", "is_active"]
    raw_id_fields = ["flat", "updated_by"]


@admin.register(HousingNeed)
class HousingNeedAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "rooms", "step_free", "ground_floor_or_lift", "pets"]
    raw_id_fields = ["case", "updated_by"]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["case", "pool_flat", "kind", "status", "sent_on", "reply_due_on"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["case", "pool_flat", "awaited_reply", "created_by", "updated_by"]


@admin.register(Move)
class MoveAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "moves_on", "status", "movers", "movers_booked"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["case", "from_flat", "to_flat", "created_by", "updated_by"]


@admin.register(ReportJob)
class ReportJobAdmin(ReadOnlyAdmin):
    """The reports the worker made; the file itself is fetched only by the one who ordered it."""

    list_display = ["ordered_at", "kind", "named", "ordered_by", "status", "progress"]
    list_filter = ["kind", "status", "named"]
    exclude = ["file", "household_ids"]


@admin.register(DeadlineSettings)
class DeadlineSettingsAdmin(ReadOnlyAdmin):
    """An organisation's own periods are set by its manager on the deadlines page (checked
    against the law's minimum there); here they can be read."""

    list_display = [
        "organisation",
        "renovation_notice_months",
        "termination_notice_months",
        "objection_weeks",
        "updated_at",
    ]


@admin.register(Expense)
class ExpenseAdmin(ReadOnlyAdmin):
    """Expenses are entered, approved and corrected in the app (an approved amount is locked);
    here they can be read."""

    list_display = ["case", "kind", "amount", "spent_on", "entered_by", "approved_at"]
    list_filter = ["kind"]
    list_select_related = ["case", "entered_by"]


@admin.register(BudgetLine)
class BudgetLineAdmin(ReadOnlyAdmin):
    """A project's budget is set by its manager on the budget page; here it can be read."""

    list_display = ["project", "category", "amount", "updated_at"]
    list_select_related = ["project"]
