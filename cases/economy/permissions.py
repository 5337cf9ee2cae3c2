"""Who may see, enter, approve and budget the rehousing's expenses. The one place for these rules.

Expenses follow their case (Case.objects.for_user): the caseworker and the rehousing officer of
the case enter them, a manager of the project's organisation approves them. The budget of a
project is seen by whoever sees the project with `view_budgetline` (manager, rehousing officer)
and set by its managers. The visitator, the caretaker and the bridge-builder see none of it.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from cases.economy.models import Expense
from cases.models import Case, Project
from cases.permissions import can_manage_project, get_case_for_user, get_project_for_user
from core.permissions import require_perm


def get_case_for_expenses(user, pk: int, *, for_change: bool = False) -> Case:
    """The case: 404 if invisible, 403 without the expenses (or a change of a closed case)."""
    case = get_case_for_user(user, pk)
    require_perm(user, "cases.add_expense" if for_change else "cases.view_expense")
    if for_change and case.is_closed:
        raise PermissionDenied
    return case


def expenses_for_user(user):
    """The expenses of the cases `user` sees, if her role sees expenses at all."""
    if not (user.is_active and user.has_perm("cases.view_expense")):
        return Expense.objects.none()
    return Expense.objects.filter(case__in=Case.objects.for_user(user))


def get_expense_for_user(
    user, pk: int, *, for_change: bool = False, for_approval: bool = False
) -> Expense:
    """The expense: 404 if invisible; 403 for a change without the permission (or of a closed
    case), and for an approval by anyone but a manager of the project's organisation."""
    expense = (
        expenses_for_user(user)
        .select_related(
            "case__project__estate__organisation",
            "case__household__flat__stairwell",
            "corrects",
            "entered_by",
            "approved_by",
        )
        .filter(pk=pk)
        .first()
    )
    if expense is None:
        raise Http404
    if for_change:
        require_perm(user, "cases.change_expense")
        if expense.case.is_closed:
            raise PermissionDenied
    if for_approval and not can_approve(user, expense.case.project):
        raise PermissionDenied
    return expense


def can_approve(user, project: Project) -> bool:
    return user.has_perm("cases.approve_expense") and can_manage_project(user, project)


def get_project_for_budget(user, pk: int, *, for_change: bool = False) -> Project:
    """The project's budget: 404 if the project is invisible, 403 without the budget (and, for a
    change, unless she leads the project's organisation)."""
    project = get_project_for_user(user, pk)
    require_perm(user, "cases.view_budgetline")
    if for_change:
        require_perm(user, "cases.change_budgetline")
        if not can_manage_project(user, project):
            raise PermissionDenied
    return project
