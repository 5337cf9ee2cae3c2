"""What referrals does when something happens in cases (cases/signals.py, connected in
ReferralsConfig.ready): each receiver calls a service; the services hold the rules."""

from cases.stages import Stage
from referrals.bridge.services import follow_up_plan_bridge_builder_fill, follow_up_plan_start
from referrals.services import checklists_start


def on_cases_opened(sender, *, cases, **kwargs) -> None:
    checklists_start(cases=cases)


def on_case_stage_changed(sender, *, case, to_stage, on, **kwargs) -> None:
    if to_stage == Stage.MOVED_PERMANENTLY:
        follow_up_plan_start(case=case, on=on)


def on_case_bridge_builder_assigned(sender, *, case, user, **kwargs) -> None:
    follow_up_plan_bridge_builder_fill(case=case, user=user)
