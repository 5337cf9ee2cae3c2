from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from core.admin import ReadOnlyAdmin
from households.models import (
    AccessLog,
    DuplicateDismissal,
    Estate,
    Flat,
    Household,
    HouseholdMerge,
    Municipality,
    Organisation,
    Resident,
    Stairwell,
    TenantImport,
    VulnerabilityAssessment,
)


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Organisation)
class OrganisationAdmin(GuardedModelAdmin):
    search_fields = ["name"]


@admin.register(Estate)
class EstateAdmin(GuardedModelAdmin):
    list_display = ["name", "number", "organisation", "municipality", "area"]
    list_filter = ["organisation", "municipality"]
    search_fields = ["name", "number", "area"]


@admin.register(Stairwell)
class StairwellAdmin(admin.ModelAdmin):
    list_display = ["__str__", "postcode", "city", "estate"]
    list_filter = ["estate"]
    search_fields = ["street", "postcode", "city"]


@admin.register(Flat)
class FlatAdmin(admin.ModelAdmin):
    list_display = ["__str__", "rooms", "area_m2"]
    list_filter = ["stairwell__estate"]
    list_select_related = ["stairwell"]
    search_fields = ["stairwell__street", "door"]
    raw_id_fields = ["stairwell"]


class ResidentInline(admin.TabularInline):
    model = Resident
    extra = 0


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["__str__", "flat", "moved_out_on"]
    list_select_related = ["flat__stairwell"]
    search_fields = ["residents__last_name", "flat__stairwell__street"]
    raw_id_fields = ["flat"]
    inlines = [ResidentInline]


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["full_name", "birth_year", "household"]
    search_fields = ["first_name", "last_name"]
    raw_id_fields = ["household"]


@admin.register(VulnerabilityAssessment)
class VulnerabilityAssessmentAdmin(admin.ModelAdmin):
    list_display = ["household", "level", "assessed_at", "assessed_by"]
    list_filter = ["level"]
    raw_id_fields = ["household"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    """Read only, like the log itself (a database trigger refuses UPDATE and DELETE)."""

    list_display = ["at", "username", "action", "what", "household_id", "resident_id"]
    list_filter = ["action"]
    search_fields = ["username", "what", "path"]
    date_hierarchy = "at"


@admin.register(TenantImport)
class TenantImportAdmin(ReadOnlyAdmin):
    """Who imported what when; the uploaded file (tenants' names) is not shown here."""

    list_display = ["uploaded_at", "organisation", "uploaded_by", "status", "applied_at"]
    list_filter = ["status"]
    exclude = ["content", "seen_versions"]


@admin.register(DuplicateDismissal)
class DuplicateDismissalAdmin(ReadOnlyAdmin):
    list_display = ["at", "by", "household_low_id", "household_high_id"]


@admin.register(HouseholdMerge)
class HouseholdMergeAdmin(ReadOnlyAdmin):
    list_display = ["at", "by", "kept_id", "removed_id"]
