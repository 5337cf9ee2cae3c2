"""The follow-up after a permanent move, as a section of the case page."""

from django import template
from django.utils import timezone

from cases.models import Case
from referrals.bridge.selectors import follow_up_visits, new_area_progress
from referrals.models import FollowUpPlan
from referrals.selectors import ChecklistProgress

register = template.Library()


@register.inclusion_tag("referrals/followup/case_section.html", takes_context=True)
def case_follow_up(context, case: Case) -> dict:
    user = context["request"].user
    if not user.has_perm("referrals.view_followupplan"):
        return {"plan": None}
    plan = FollowUpPlan.objects.filter(case=case).select_related("bridge_builder").first()
    if plan is None:
        return {"plan": None}
    visits = follow_up_visits(plan=plan)
    return {
        "plan": plan,
        "visits": visits,
        "next_visit": next((visit for visit in visits if visit.done_on is None), None),
        "done": sum(1 for visit in visits if visit.done_on),
        "checklist": new_area_progress(case_ids=[case.pk]).get(case.pk, ChecklistProgress()),
        "today": timezone.localdate(),
        "can_record": plan.closed_on is None
        and user.has_perm("referrals.change_followupplan")
        and user.has_perm("outreach.add_contact"),
    }
