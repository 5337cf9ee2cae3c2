"""Data in: the tenant list import (upload, preview, apply) and likely duplicates."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exports import table_response
from core.http import AuthedRequest
from core.permissions import require_perm
from households.audit import log_access
from households.imports import (
    COLUMN_KEYS,
    FileError,
    column_rows,
    example_row,
    households_touched,
)
from households.models import Organisation, TenantImport
from households.permissions import (
    get_household_for_merge,
    get_tenant_import_for_user,
    import_organisations_for_user,
)
from households.selectors import duplicate_candidates_of, duplicate_pairs
from households.services import (
    ImportRefused,
    MergeRefused,
    duplicate_keep_apart,
    households_merge,
    tenant_import_apply,
    tenant_import_plan,
    tenant_import_upload,
)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
SHOWN_PER_LIST = 300
DUPLICATES_PER_PAGE = 25


class UploadForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Housing organisation"), queryset=Organisation.objects.none()
    )
    file = forms.FileField(
        label=gettext_lazy("Tenant list (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[organisation.pk for organisation in organisations]
        )
        self.only = organisations[0] if len(organisations) == 1 else None
        if self.only is not None:
            del self.fields["organisation"]

    def clean(self):
        cleaned = super().clean() or {}
        if self.only is not None:
            cleaned["organisation"] = self.only
        return cleaned

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a CSV or an XLSX file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


def _organisations(request: AuthedRequest):
    organisations = list(import_organisations_for_user(request.user))
    if not organisations:
        raise PermissionDenied
    return organisations


@require_http_methods(["GET", "POST"])
def import_upload(request: AuthedRequest) -> HttpResponse:
    organisations = _organisations(request)
    form = UploadForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            tenant_import = tenant_import_upload(
                organisation=form.cleaned_data["organisation"],
                by=request.user,
                content=upload.read(),
                file_kind="xlsx" if upload.name.lower().endswith(".xlsx") else "csv",
            )
        except FileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("households:import_preview", pk=tenant_import.pk)
    recent = TenantImport.objects.filter(
        organisation__in=organisations, status=TenantImport.Status.APPLIED
    ).select_related("applied_by")[:10]
    context = {"form": form, "columns": column_rows(), "recent": recent}
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "households/imports/upload.html", context, status=status)


@require_GET
def import_template(request: AuthedRequest, file_kind: str) -> HttpResponse | StreamingHttpResponse:
    _organisations(request)
    return table_response(
        fmt=file_kind, filename="lejerliste-skabelon", headers=COLUMN_KEYS, rows=[example_row()]
    )


def import_template_csv(request: AuthedRequest) -> HttpResponse | StreamingHttpResponse:
    return import_template(request, "csv")


def import_template_xlsx(request: AuthedRequest) -> HttpResponse | StreamingHttpResponse:
    return import_template(request, "xlsx")


@require_GET
def import_preview(request: AuthedRequest, pk: int) -> HttpResponse:
    tenant_import = get_tenant_import_for_user(request.user, pk)
    if tenant_import.status == TenantImport.Status.APPLIED:
        return render(request, "households/imports/done.html", {"tenant_import": tenant_import})
    try:
        plan = tenant_import_plan(tenant_import=tenant_import)
    except (FileError, ImportRefused) as error:
        messages.error(request, str(error))
        return redirect("households:import")
    log_access(
        request,
        what=gettext_noop("tenant list import preview"),
        households=households_touched(plan),
    )
    return render(
        request,
        "households/imports/preview.html",
        {
            "tenant_import": tenant_import,
            "plan": plan,
            "shown": SHOWN_PER_LIST,
            "updates": plan.of("update")[:SHOWN_PER_LIST],
            "creates": plan.of("create")[:SHOWN_PER_LIST],
            "conflicts": plan.of("conflict")[:SHOWN_PER_LIST],
        },
    )


@require_POST
def import_apply(request: AuthedRequest, pk: int) -> HttpResponse:
    tenant_import = get_tenant_import_for_user(request.user, pk)
    try:
        plan = tenant_import_apply(tenant_import=tenant_import, by=request.user)
    except (FileError, ImportRefused) as error:
        messages.error(request, str(error))
        return redirect("households:import_preview", pk=tenant_import.pk)
    log_access(
        request,
        what=gettext_noop("tenant list import"),
        households=households_touched(plan),
    )
    messages.success(request, _("The tenant list is imported."))
    return render(
        request,
        "households/imports/done.html",
        {"tenant_import": tenant_import, "conflicts": plan.of("conflict")},
    )


@require_GET
def duplicates(request: AuthedRequest) -> HttpResponse:
    require_perm(request.user, "households.add_householdmerge")
    # Every pair is found (as keys: cheap); a page of them is read and shown.
    page = Paginator(duplicate_pairs(user=request.user), DUPLICATES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    candidates = duplicate_candidates_of(page.object_list)
    log_access(
        request,
        what=gettext_noop("likely duplicates"),
        households=[pk for c in candidates for pk in (c.first.pk, c.second.pk)],
    )
    return render(
        request,
        "households/imports/duplicates.html",
        {"candidates": candidates, "page": page},
    )


def _pair(request: AuthedRequest):
    # The right before the form: a role that may not merge gets 403, not a 404 for the pair.
    require_perm(request.user, "households.add_householdmerge")
    try:
        first, second = (int(request.POST.get(name, "")) for name in ("first", "second"))
    except ValueError:
        raise Http404 from None
    if first == second:  # one household is no pair (the dismissal's ordered pair refuses it)
        raise Http404
    return get_household_for_merge(request.user, first), get_household_for_merge(
        request.user, second
    )


@require_POST
def duplicate_merge(request: AuthedRequest) -> HttpResponse:
    first, second = _pair(request)
    keep, remove = (
        (second, first) if request.POST.get("keep") == str(second.pk) else (first, second)
    )
    if request.POST.get("confirm") != "on":
        messages.error(request, _("Tick that you have checked they are the same household."))
        return redirect("households:duplicates")
    removed_id = remove.pk
    try:
        households_merge(keep=keep, remove=remove, by=request.user)
    except MergeRefused as error:
        messages.error(request, str(error))
    else:
        log_access(
            request, what=gettext_noop("households merged"), households=[keep.pk, removed_id]
        )
        messages.success(request, _("The households are merged."))
    return redirect("households:duplicates")


@require_POST
def duplicate_keep_apart_view(request: AuthedRequest) -> HttpResponse:
    first, second = _pair(request)
    duplicate_keep_apart(first=first, second=second, by=request.user)
    messages.success(request, _("Kept apart: the pair is not proposed again."))
    return redirect("households:duplicates")
