from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from core.http import AuthedRequest
from core.roles import Role
from referrals.visitator.permissions import visitator_partners


@require_GET
def home(request: AuthedRequest) -> HttpResponse:
    if request.user.groups.filter(name=Role.BRIDGE_BUILDER).exists():
        return redirect("referrals:follow_up_list")  # her households after the move
    if request.user.has_perm("cases.view_case"):
        return redirect("cases:caseload")
    outreach = {perm for perm in request.user.get_all_permissions() if perm.startswith("outreach.")}
    if outreach == {"outreach.add_tip"}:  # the caretaker: the tip form is all she has
        return redirect("outreach:tip_create")
    if visitator_partners(request.user):
        return redirect("referrals:visitator_flats")
    return render(request, "home.html")


@require_GET
@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """For the load balancer and docker compose: the app answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
