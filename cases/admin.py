from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from cases.models import Case, CaseAssignment, Project, StageChange, StairwellSchedule


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


@admin.register(Case)
class CaseAdmin(GuardedModelAdmin):
    list_display = ["__str__", "project", "stage", "next_step_on"]
    list_filter = ["stage", "project"]
    raw_id_fields = ["household", "temporary_flat", "permanent_flat"]
    readonly_fields = ["stage", "end_reason", "stage_changed_at", "closed_at"]
    inlines = [CaseAssignmentInline, StageChangeInline]
