from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals and consent")

    def ready(self) -> None:
        # The apps below referrals import nothing of it; what they need of it is handed in here.
        from cases import signals
        from households.permissions import GrantSource, grant_source_add
        from outreach.calendar import calendar_source_add
        from outreach.scan import follow_up_visits_source_add
        from referrals import receivers
        from referrals.bridge.selectors import follow_up_calendar_events
        from referrals.models import (
            FollowUpVisit,
            PartnerGroupObjectPermission,
            PartnerUserObjectPermission,
        )

        # A case opened, moved permanently, or given a bridge-builder: the checklist, the
        # follow-up plan and its bridge-builder.
        signals.cases_opened.connect(receivers.on_cases_opened, dispatch_uid="referrals.opened")
        signals.case_stage_changed.connect(
            receivers.on_case_stage_changed, dispatch_uid="referrals.stage_changed"
        )
        signals.case_bridge_builder_assigned.connect(
            receivers.on_case_bridge_builder_assigned, dispatch_uid="referrals.bridge_builder"
        )
        # The grants of a visitator: the partners she acts for.
        grant_source_add(
            GrantSource(
                PartnerUserObjectPermission,
                PartnerGroupObjectPermission,
                "act_for_partner",
                "partners",
            )
        )
        # outreach's flag scan (FOLLOW_UP_DUE) and calendar feed read the follow-up contacts.
        follow_up_visits_source_add(FollowUpVisit.objects.all)
        calendar_source_add(follow_up_calendar_events)
        # A long flat list of the visitator is a report job `reports` runs and serves.
        from referrals.visitator.services import flat_list_maker_register

        flat_list_maker_register()
