"""The register of partners: the list for staff, adding and editing for its managers."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.http import AuthedRequest
from core.permissions import require_perm
from core.versioning import ConflictError
from referrals.forms import PartnerForm
from referrals.models import Partner, PartnerKind
from referrals.permissions import get_partner_for_change, partner_organisations_for_user
from referrals.selectors import partner_list
from referrals.services import PARTNER_EDITABLE_FIELDS, partner_fingerprint, partner_save


@require_GET
def partner_list_view(request: AuthedRequest) -> HttpResponse:
    require_perm(request.user, "referrals.view_partner")
    kind = request.GET.get("kind", "")
    kind = kind if kind in PartnerKind.values else ""
    context = {
        "partners": partner_list(user=request.user, kind=kind),
        "kind": kind,
        "kinds": PartnerKind.choices,
        "can_add": partner_organisations_for_user(request.user).exists(),
        "editable": set(partner_organisations_for_user(request.user).values_list("pk", flat=True))
        if request.user.has_perm("referrals.change_partner")
        else set(),
    }
    return render(request, "referrals/partners/partner_list.html", context)


@require_http_methods(["GET", "POST"])
def partner_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    organisations = partner_organisations_for_user(request.user)
    if pk is None:
        if not organisations.exists():
            raise PermissionDenied
        partner = Partner()
    else:
        partner = get_partner_for_change(request.user, pk)
    initial = {"fingerprint": partner_fingerprint(partner)} if partner.pk else {}
    form = PartnerForm(
        request.POST or None, instance=partner, initial=initial, organisations=organisations
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in PARTNER_EDITABLE_FIELDS}
        if partner.pk is None:
            data["organisation"] = form.cleaned_data["organisation"]
        try:
            partner = partner_save(
                partner=partner,
                data=data,
                expected_fingerprint=form.cleaned_data["fingerprint"] if pk else None,
            )
        except ConflictError as error:
            rows = [
                {
                    "label": form.fields[name].label,
                    "yours": form.cleaned_data[name],
                    "saved": getattr(error.current, name),
                }
                for name in PARTNER_EDITABLE_FIELDS
                if (form.cleaned_data[name] or None) != (getattr(error.current, name) or None)
            ]
            conflict = {"current": error.current, "rows": rows}
            rebound = request.POST.copy()
            rebound["fingerprint"] = partner_fingerprint(error.current)
            form = PartnerForm(rebound, instance=error.current, organisations=organisations)
        else:
            messages.success(request, _("The partner is saved."))
            return redirect("referrals:partners")
    status = 409 if conflict else 400 if form.is_bound and form.errors else 200
    context = {"form": form, "partner": partner if pk else None, "conflict": conflict}
    return render(request, "referrals/partners/partner_form.html", context, status=status)
