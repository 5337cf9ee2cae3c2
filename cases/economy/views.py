"""Pages of the rehousing economy: a case's expenses (a section of the case page), changing,
approving and correcting an expense, its receipt, the managers' approval queue, and a project's
budget with its file, its exports and its chart."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.charts import budget_chart
from cases.economy import selectors, services
from cases.economy.budget_file import read_budget_file
from cases.economy.forms import (
    BudgetForm,
    BudgetUploadForm,
    CorrectionForm,
    ExpenseEditForm,
    ExpenseForm,
)
from cases.economy.models import BudgetCategory, BudgetLine, Expense
from cases.economy.permissions import (
    can_approve,
    get_case_for_expenses,
    get_expense_for_user,
    get_project_for_budget,
)
from cases.models import Case, Project
from core.http import AuthedRequest
from core.once import ALREADY_SAVED, AlreadySaved
from core.permissions import require_perm
from core.uploads import private_file_response
from core.versioning import ConflictError
from households.audit import export_table, log_access
from households.imports import FileError
from households.models import AccessAction

APPROVALS_PAGE_SIZE = 50


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error)


# --- A case's expenses --------------------------------------------------------------------------


def expenses_context(user, case: Case, form=None) -> dict:
    """The case page's section (cases/templatetags/economy.py shows it too)."""
    expenses = selectors.case_expenses(case=case)
    can_add = user.has_perm("cases.add_expense") and not case.is_closed
    return {
        "case": case,
        "expenses": expenses,
        "totals": selectors.case_expense_totals(expenses=expenses),
        "form": form if form is not None else (ExpenseForm() if can_add else None),
        "can_change": user.has_perm("cases.change_expense") and not case.is_closed,
        "can_approve": can_approve(user, case.project),
    }


@require_http_methods(["GET", "POST"])
def case_expenses(request: AuthedRequest, pk: int) -> HttpResponse:
    """The expenses of a case and the form for a new one (htmx swaps the section)."""
    case = get_case_for_expenses(request.user, pk, for_change=request.method == "POST")
    form = None
    status = 200
    if request.method == "POST":
        form = ExpenseForm(request.POST, request.FILES)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in services.EXPENSE_FIELDS}
            try:
                services.expense_create(
                    case=case,
                    by=request.user,
                    data=data,
                    receipt=form.cleaned_data["receipt"],
                    once_key=form.cleaned_data["once_key"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            except AlreadySaved:
                messages.info(request, ALREADY_SAVED)
                form = None
            else:
                messages.success(request, _("The expense is recorded and awaits approval."))
                form = None
                if not request.htmx:
                    return redirect(reverse("cases:detail", args=[case.pk]) + "#expenses")
        # htmx swaps no 4xx answer: the section comes back with the form's errors as a 200
        status = 400 if form is not None and form.errors and not request.htmx else 200
    else:
        log_access(request, what=gettext_noop("expenses"), households=[case.household_id])
    context = expenses_context(request.user, case, form)
    template = "cases/economy/case_expenses.html"
    if request.htmx:
        template += "#section"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def expense_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change an expense before it is approved; an approved one shows what was approved."""
    expense = get_expense_for_user(request.user, pk, for_change=True)
    form = ExpenseEditForm(request.POST or None, request.FILES or None, instance=expense)
    conflict = False
    if request.method == "POST" and expense.is_approved:
        form.add_error(None, _("The expense is approved and can no longer be changed."))
    elif request.method == "POST" and form.is_valid():
        data = {
            name: form.cleaned_data[name]
            for name in services.EXPENSE_FIELDS
            if name in form.cleaned_data
        }
        try:
            services.expense_update(
                expense=expense,
                by=request.user,
                expected_version=form.cleaned_data["version"] or expense.version,
                data=data,
                receipt=form.cleaned_data["receipt"],
            )
        except ConflictError:
            conflict = True
            form.add_error(
                None, _("Someone else saved the expense meanwhile. Check and save again.")
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The expense is saved."))
            return redirect(reverse("cases:detail", args=[expense.case_id]) + "#expenses")
    status = 409 if conflict else 400 if form.is_bound and form.errors else 200
    context = {"expense": expense, "case": expense.case, "form": form}
    log_access(request, what=gettext_noop("expense form"), households=[expense.case.household_id])
    return render(request, "cases/economy/expense_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def expense_correct(request: AuthedRequest, pk: int) -> HttpResponse:
    """A correction of an approved expense: a new row pointing to it, awaiting approval."""
    expense = get_expense_for_user(request.user, pk, for_change=True)
    require_perm(request.user, "cases.add_expense")
    form = CorrectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.expense_correct(
                expense=expense,
                by=request.user,
                amount=form.cleaned_data["amount"],
                spent_on=form.cleaned_data["spent_on"],
                note=form.cleaned_data["note"],
                receipt=form.cleaned_data["receipt"],
                once_key=form.cleaned_data["once_key"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        except AlreadySaved:
            messages.info(request, ALREADY_SAVED)
            return redirect(reverse("cases:detail", args=[expense.case_id]) + "#expenses")
        else:
            messages.success(request, _("The correction is recorded and awaits approval."))
            return redirect(reverse("cases:detail", args=[expense.case_id]) + "#expenses")
    status = 400 if form.is_bound and form.errors else 200
    context = {"expense": expense, "case": expense.case, "form": form}
    log_access(
        request,
        what=gettext_noop("expense correction form"),
        households=[expense.case.household_id],
    )
    return render(request, "cases/economy/correction_form.html", context, status=status)


@require_POST
def expense_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    expense = get_expense_for_user(request.user, pk, for_approval=True)
    try:
        services.expense_approve(expense=expense, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Approved: %(kind)s, %(amount)s kr.")
            % {
                "kind": expense.get_kind_display(),
                "amount": number_format(expense.amount, 2, force_grouping=True),
            },
        )
    if request.POST.get("back") == "queue":
        return redirect("economy:approvals")
    return redirect(reverse("cases:detail", args=[expense.case_id]) + "#expenses")


@require_GET
def expense_receipt(request: AuthedRequest, pk: int) -> FileResponse:
    expense = get_expense_for_user(request.user, pk)
    response = private_file_response(expense.receipt, filename=f"kvittering-{expense.pk}")
    log_access(
        request,
        what=gettext_noop("receipt of an expense"),
        action=AccessAction.DOWNLOAD,
        households=[expense.case.household_id],
    )
    return response


# --- The managers' approval queue ---------------------------------------------------------------


@require_GET
def approvals(request: AuthedRequest) -> HttpResponse:
    require_perm(request.user, "cases.approve_expense")
    queue = selectors.approval_queue(user=request.user)
    page = Paginator(queue, APPROVALS_PAGE_SIZE).get_page(request.GET.get("page"))
    households = sorted({expense.case.household_id for expense in page.object_list})
    log_access(request, what=gettext_noop("expenses awaiting approval"), households=households)
    return render(request, "cases/economy/approvals.html", {"page": page})


# --- A project's budget -------------------------------------------------------------------------


def _chart(budget: selectors.Budget):
    return budget_chart(selectors.chart_rows(budget))


@require_GET
def budget(request: AuthedRequest, pk: int) -> HttpResponse:
    project = get_project_for_budget(request.user, pk)
    numbers = selectors.project_budget(project=project)
    context = {
        "project": project,
        "budget": numbers,
        "chart": _chart(numbers),
        "can_change": request.user.has_perm("cases.change_budgetline")
        and project.closed_at is None,
    }
    return render(request, "cases/economy/budget.html", context)


def _budget_current(project: Project) -> dict:
    return dict(BudgetLine.objects.filter(project=project).values_list("category", "amount"))


def _budget_page(request, project: Project, form: BudgetForm, upload_form=None, **extra):
    context = {
        "project": project,
        "form": form,
        "upload_form": upload_form or BudgetUploadForm(),
        **extra,
    }
    bad = form.errors or (upload_form is not None and upload_form.errors) or extra.get("errors")
    return render(request, "cases/economy/budget_form.html", context, status=400 if bad else 200)


def _budget_preview(request, project: Project, form: BudgetForm) -> HttpResponse:
    current = _budget_current(project)
    changes = [
        {"label": category.label, "now": current.get(category.value), "new": amount}
        for category, amount in zip(BudgetCategory, form.amounts().values(), strict=True)
        if current.get(category.value) != amount
    ]
    if not changes:
        messages.info(request, _("Nothing changes: this is the saved budget."))
        return _budget_page(request, project, BudgetForm(current=current))
    hidden = [form[name] for name in form.fields]
    return _budget_page(request, project, form, preview=changes, hidden=hidden)


@require_http_methods(["GET", "POST"])
def budget_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """The budget per category; saving first shows what changes, then applies (as the schedule)."""
    project = get_project_for_budget(request.user, pk, for_change=True)
    form = BudgetForm(request.POST or None, current=_budget_current(project))
    action = request.POST.get("action", "preview")
    if request.method == "POST" and form.is_valid() and action != "edit":
        if action != "apply":
            return _budget_preview(request, project, form)
        try:
            services.budget_set(project=project, by=request.user, amounts=form.amounts())
        except ValidationError as error:
            _add_errors(form, error)
            return _budget_page(request, project, form)
        messages.success(request, _("The budget is saved."))
        return redirect("economy:budget", pk=project.pk)
    return _budget_page(request, project, form)


@require_POST
def budget_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    """A budget file goes through the same look before saving as the form."""
    project = get_project_for_budget(request.user, pk, for_change=True)
    current = _budget_current(project)
    upload_form = BudgetUploadForm(request.POST, request.FILES)
    if not upload_form.is_valid():
        return _budget_page(request, project, BudgetForm(current=current), upload_form)
    upload = upload_form.cleaned_data["file"]
    try:
        read = read_budget_file(
            content=upload.read(),
            file_kind="xlsx" if upload.name.lower().endswith(".xlsx") else "csv",
        )
    except FileError as error:
        upload_form.add_error("file", str(error))
        return _budget_page(request, project, BudgetForm(current=current), upload_form)
    if read.errors:
        return _budget_page(request, project, BudgetForm(current=current), errors=read.errors)
    merged = {category: current.get(category) for category in BudgetCategory.values}
    merged.update(read.amounts)
    form = BudgetForm(BudgetForm.data_from(merged), current=current)
    if not form.is_valid():
        return _budget_page(request, project, form)
    return _budget_preview(request, project, form)


@require_GET
def budget_export(
    request: AuthedRequest, pk: int, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    project = get_project_for_budget(request.user, pk)
    numbers = selectors.project_budget(project=project)
    rows = [
        [
            row.label,
            row.budget,
            row.approved,
            row.awaiting,
            row.committed,
            row.forecast,
            row.left,
        ]
        for row in [*numbers.rows, numbers.total]
    ]
    rows[-1][0] = _("Total")
    headers = [
        _("Category"),
        _("Budget (kr.)"),
        _("Approved (kr.)"),
        _("Awaiting approval (kr.)"),
        _("Committed (kr.)"),
        _("Forecast (kr.)"),
        _("Left (kr.)"),
    ]
    return export_table(
        request,
        fmt=fmt,
        filename=f"budget-{project.pk}",
        what=gettext_noop("project budget (export)"),
        headers=headers,
        rows=rows,
    )


@require_GET
def expenses_export(
    request: AuthedRequest, pk: int, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    """Every approved expense of the project, with its receipt's reference."""
    project = get_project_for_budget(request.user, pk)
    expenses = selectors.approved_expenses(project=project)
    households = expenses.values_list("case__household_id", flat=True).distinct()

    def rows():
        for expense in expenses.iterator(chunk_size=2000):
            yield [
                expense.pk,
                _("Case #%(id)s") % {"id": expense.case_id},
                expense.case.household.flat.address,
                expense.get_kind_display(),
                expense.spent_on,
                expense.amount,
                expense.supplier,
                expense.storage_until,
                expense.corrects_id,
                _receipt_reference(expense),
                expense.approved_at,
                expense.approved_by.get_full_name() or expense.approved_by.username
                if expense.approved_by
                else "",
            ]

    headers = [
        _("Expense no."),
        _("Case"),
        _("Address"),
        _("Kind"),
        _("Date"),
        _("Amount (kr.)"),
        _("Supplier"),
        _("Storage until"),
        _("Corrects expense no."),
        _("Receipt"),
        _("Approved"),
        _("Approved by"),
    ]
    return export_table(
        request,
        fmt=fmt,
        filename=f"udgifter-{project.pk}",
        what=gettext_noop("approved expenses (export)"),
        headers=headers,
        rows=rows(),
        households=list(households),
    )


def _receipt_reference(expense: Expense) -> str:
    """The receipt's reference: its file name when downloaded from the app, or none."""
    if not expense.receipt:
        return _("no receipt")
    suffix = expense.receipt.name.rsplit(".", 1)[-1].lower()
    return f"kvittering-{expense.pk}.{suffix}"
