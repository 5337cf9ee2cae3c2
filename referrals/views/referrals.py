"""Referrals of a household: the list, creating one, its page with the status history, and the
status changes (sending checks the consent; the page says why it cannot be sent)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import Case
from cases.stages import OPEN_STAGES
from core.http import AuthedRequest
from core.once import ALREADY_SAVED, AlreadySaved
from core.versioning import ConflictError
from households.audit import export_table, log_access
from referrals.consents.selectors import consent_check
from referrals.forms import ReferralForm, ReferralTransitionForm
from referrals.models import OPEN_REFERRAL_STATUSES, Referral, ReferralStatus
from referrals.permissions import get_household_with_perm, get_staff_referral_for_user
from referrals.selectors import household_referrals, partner_choices, referral_history
from referrals.services import REFERRAL_TRANSITIONS, referral_create, referral_transition

StrOrPromise = str | Promise

# What the button that moves a referral to each status says.
TRANSITION_LABELS: dict[str, StrOrPromise] = {
    ReferralStatus.SENT: gettext_lazy("Send"),
    ReferralStatus.ACCEPTED: gettext_lazy("Accepted"),
    ReferralStatus.IN_PROGRESS: gettext_lazy("In progress"),
    ReferralStatus.DONE: gettext_lazy("Done"),
    ReferralStatus.DECLINED: gettext_lazy("Declined"),
    ReferralStatus.WITHDRAWN: gettext_lazy("Withdraw"),
}


def _log(request: AuthedRequest, referral: Referral, what: str) -> None:
    if referral.resident_id:
        log_access(request, what=what, residents=[(referral.household_id, referral.resident_id)])
    else:
        log_access(request, what=what, households=[referral.household_id])


@require_GET
def referral_list(request: AuthedRequest, household_pk: int) -> HttpResponse:
    household = get_household_with_perm(request.user, household_pk, "referrals.view_referral")
    context = {
        "household": household,
        "referrals": household_referrals(user=request.user, household=household),
        "can_add": request.user.has_perm("referrals.add_referral"),
        "today": timezone.localdate(),
    }
    log_access(request, what=gettext_noop("referrals of a household"), households=[household.pk])
    return render(request, "referrals/referrals/referral_list.html", context)


@require_GET
def referral_export(
    request: AuthedRequest, household_pk: int, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    household = get_household_with_perm(request.user, household_pk, "referrals.view_referral")
    rows = [
        [
            referral.partner.name,
            referral.get_purpose_display(),
            referral.resident.full_name if referral.resident else _("The whole household"),
            referral.get_status_display(),
            referral.follow_up_on,
            referral.created_at,
        ]
        for referral in household_referrals(user=request.user, household=household)
    ]
    headers = [_("Partner"), _("Purpose"), _("About"), _("Status"), _("Follow up on"), _("Created")]
    return export_table(
        request,
        fmt=fmt,
        filename="henvisninger",
        what=gettext_noop("referrals of a household (export)"),
        headers=headers,
        rows=rows,
        households=[household.pk],
    )


@require_http_methods(["GET", "POST"])
def referral_create_view(request: AuthedRequest, household_pk: int) -> HttpResponse:
    household = get_household_with_perm(request.user, household_pk, "referrals.add_referral")
    cases = (
        Case.objects.for_user(request.user).filter(household=household).select_related("project")
    )
    open_case = cases.filter(stage__in=OPEN_STAGES).order_by("-opened_at").first()
    form = ReferralForm(
        request.POST or None,
        initial={"case": open_case, "partner": request.GET.get("partner")},
        household=household,
        partners=partner_choices(user=request.user, household=household),
        cases=cases,
    )
    if request.method == "POST" and form.is_valid():
        try:
            referral = referral_create(household=household, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(name if name in form.fields else None, message)
        except AlreadySaved as already:
            messages.info(request, ALREADY_SAVED)
            if already.saved is None:
                return redirect("referrals:household_referrals", household_pk=household.pk)
            return redirect("referrals:referral", pk=already.saved.pk)
        else:
            messages.success(request, _("The referral is saved as a draft."))
            return redirect("referrals:referral", pk=referral.pk)
    status = 400 if form.is_bound and form.errors else 200
    log_access(request, what=gettext_noop("referral form"), households=[household.pk])
    return render(
        request,
        "referrals/referrals/referral_form.html",
        {"household": household, "form": form},
        status=status,
    )


def _consent_url(referral: Referral) -> str:
    """The consent form, filled in with what sending this referral needs."""
    query = [
        ("partner", referral.partner_id),
        ("purpose", referral.purpose),
        *(("categories", category) for category in referral.shared),
        ("next", reverse("referrals:referral", args=[referral.pk])),
    ]
    if referral.resident_id:
        query.append(("resident", referral.resident_id))
    url = reverse("referrals:consent_create", args=[referral.household_id])
    return f"{url}?{urlencode(query)}"


@require_GET
def referral_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    referral = get_staff_referral_for_user(request.user, pk)
    check = None
    if referral.status == ReferralStatus.DRAFT and referral.shared:
        check = consent_check(
            household=referral.household,
            partner=referral.partner,
            purpose=referral.purpose,
            categories=referral.shared,
            resident=referral.resident,
        )
    can_change = request.user.has_perm("referrals.change_referral")
    context = {
        "referral": referral,
        "household": referral.household,
        "history": referral_history(referral=referral),
        "check": check,
        "consent_url": _consent_url(referral),
        "can_record_consent": request.user.has_perm("referrals.add_consent"),
        "transitions": [
            (status, TRANSITION_LABELS[status]) for status in REFERRAL_TRANSITIONS[referral.status]
        ]
        if can_change
        else [],
        "follow_up_overdue": referral.follow_up_on is not None
        and referral.follow_up_on < timezone.localdate()
        and referral.status in OPEN_REFERRAL_STATUSES,
    }
    _log(request, referral, gettext_noop("referral"))
    return render(request, "referrals/referrals/referral_detail.html", context)


@require_POST
def referral_transition_view(request: AuthedRequest, pk: int) -> HttpResponse:
    referral = get_staff_referral_for_user(request.user, pk, for_change=True)
    form = ReferralTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what happened to the referral."))
        return redirect("referrals:referral", pk=referral.pk)
    data = form.cleaned_data
    try:
        referral = referral_transition(
            referral=referral,
            to_status=data["to_status"],
            by=request.user,
            expected_status=data["expected_status"],
            note=data["note"],
            outcome=data["outcome"] or None,
        )
    except ConflictError as conflict:
        messages.warning(
            request,
            _("Someone else changed the referral to “%(status)s” meanwhile. Nothing was changed.")
            % {"status": ReferralStatus(conflict.current.status).label},
        )
    except ValidationError as error:
        if error.code == "consent_missing":
            messages.error(
                request, _("The referral was not sent: %(reason)s") % {"reason": error.message}
            )
        else:
            messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The referral is now “%(status)s”.")
            % {"status": ReferralStatus(referral.status).label},
        )
    return redirect("referrals:referral", pk=referral.pk)
