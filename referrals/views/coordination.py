"""Every intervention of a household in one place: referrals, partners, practical help, flags,
staff and follow-up (also a section of the household page)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET

from core.http import AuthedRequest
from households.audit import log_access
from households.permissions import get_household_for_user
from referrals.selectors import household_coordination


@require_GET
def coordination_view(request: AuthedRequest, household_pk: int) -> HttpResponse:
    household = get_household_for_user(request.user, household_pk)
    context = {
        "household": household,
        "coordination": household_coordination(user=request.user, household=household),
        "full": True,
    }
    log_access(request, what=gettext_noop("coordination of a household"), households=[household.pk])
    return render(request, "referrals/coordination/coordination.html", context)
