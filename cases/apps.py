from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases and projects")

    def ready(self) -> None:
        # households is below cases: tell it about the grants on projects and cases, and that a
        # household is visible through a case she may see.
        from cases.models import (
            CaseGroupObjectPermission,
            CaseUserObjectPermission,
            ProjectGroupObjectPermission,
            ProjectUserObjectPermission,
        )
        from cases.permissions import households_through_cases_q
        from households.permissions import (
            GrantSource,
            grant_source_add,
            household_access_path_add,
        )

        grant_source_add(
            GrantSource(
                ProjectUserObjectPermission,
                ProjectGroupObjectPermission,
                "work_in_project",
                "projects",
            )
        )
        grant_source_add(
            GrantSource(CaseUserObjectPermission, CaseGroupObjectPermission, "view_case", "cases")
        )
        household_access_path_add(households_through_cases_q)
