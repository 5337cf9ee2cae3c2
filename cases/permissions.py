"""Who may see and change which projects and cases. The one place for these rules.

A case is visible to staff who lead its organisation, work in its estate or project, or are
assigned to it; the role (group) decides what they may do with it (core/roles.py).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from cases.models import Case, Project
from core.permissions import require_perm
from households.models import Estate, Organisation
from households.permissions import estate_access_q, granted_q, user_grants

NOTHING = Q(pk__in=[])


def project_access_q(user) -> Q:
    if not (user.is_active and user.has_perm("cases.view_project")):
        return NOTHING
    if user.is_superuser:
        return Q()
    return estate_access_q(user, "estate") | granted_q(pk__in=user_grants(user).projects)


def can_view_project(user, project: Project) -> bool:
    """Whether project_access_q matches `project`, from the grants alone (no query): a page of
    a case links its project only then (a bridge-builder, or a caseworker given single cases,
    sees the case but not its project). `project.estate` should be loaded."""
    if not (user.is_active and user.has_perm("cases.view_project")):
        return False
    if user.is_superuser:
        return True
    grants = user_grants(user)
    return grants.reach_estate(project.estate) or project.pk in grants.projects


def can_see_any_project(user) -> bool:
    """Whether project_access_q can match anything, from the grants alone (no query of projects).

    A bridge-builder may view projects, but works in no estate: she follows her assigned cases.
    """
    if not (user.is_active and user.has_perm("cases.view_project")):
        return False
    if user.is_superuser:
        return True
    grants = user_grants(user)
    return bool(grants.managed_organisations or grants.estates or grants.projects)


def case_access_q(user) -> Q:
    if not (user.is_active and user.has_perm("cases.view_case")):
        return NOTHING
    if user.is_superuser:
        return Q()
    grants = user_grants(user)
    return estate_access_q(user, "project__estate") | granted_q(
        project_id__in=grants.projects, pk__in=grants.cases
    )


def households_through_cases_q(user) -> Q:
    """The households `user` sees through a case she may see (households.permissions asks)."""
    return Q(pk__in=Case.objects.for_user(user).values("household_id"))


def get_case_for_user(user, pk: int, *, for_change: bool = False) -> Case:
    """The case, if `user` may see it (404 otherwise); 403 if she may see but not change it."""
    visible = (
        Case.objects.for_user(user)
        .select_related(
            "project__estate__organisation",
            "household__flat__stairwell__estate",
            "temporary_flat__stairwell",
            "permanent_flat__stairwell__estate",
        )
        .prefetch_related("household__residents")
    )
    try:
        # get(), not filter().first(): no ORDER BY, whose compiling hashes each of the hundred
        # selected columns (a tenth of the case page's ORM work)
        case = visible.get(pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None
    if for_change and not (user.has_perm("cases.change_case") and not case.is_closed):
        raise PermissionDenied
    return case


def get_project_for_user(user, pk: int) -> Project:
    project = (
        Project.objects.for_user(user).select_related("estate__organisation").filter(pk=pk).first()
    )
    if project is None:
        raise Http404
    return project


def project_estates_for_user(user) -> QuerySet[Estate]:
    """The estates `user` may start a project on: those of the organisations she leads."""
    if not (user.is_active and user.has_perm("cases.add_project")):
        return Estate.objects.none()
    if user.is_superuser:
        return Estate.objects.all()
    return Estate.objects.filter(organisation_id__in=user_grants(user).managed_organisations)


def can_manage_project(user, project: Project) -> bool:
    """A manager of the project's organisation sets it up, schedules it and closes it."""
    if not (user.is_active and user.has_perm("cases.change_project")):
        return False
    return (
        user.is_superuser
        or project.estate.organisation_id in user_grants(user).managed_organisations
    )


def get_project_for_manager(user, pk: int, *, for_change: bool = True) -> Project:
    """The project, if `user` may see it (404 otherwise); 403 unless she leads its organisation.
    With `for_change`, a closed project is read-only (403)."""
    project = get_project_for_user(user, pk)
    if not can_manage_project(user, project):
        raise PermissionDenied
    if for_change and project.closed_at is not None:
        raise PermissionDenied
    return project


def can_assign_staff(user, case: Case) -> bool:
    """Only a manager of the case's organisation assigns and unassigns staff."""
    if not user.has_perm("cases.add_caseassignment"):
        return False
    return (
        user.is_superuser
        or case.project.estate.organisation_id in user_grants(user).managed_organisations
    )


def _user_organisation_ids(user) -> frozenset[int]:
    grants = user_grants(user)
    found = set(grants.managed_organisations)
    if grants.estates or grants.projects:
        found |= set(
            Estate.objects.filter(Q(pk__in=grants.estates) | Q(projects__in=grants.projects))
            .values_list("organisation_id", flat=True)
            .distinct()
        )
    return frozenset(found)


def get_organisation_for_deadlines(user, pk: int, *, for_change: bool = False) -> Organisation:
    """The organisation's deadline rules: staff of the organisation read them (404 for anyone
    else); only a manager who leads it changes them (403 for its other staff)."""
    if not (user.is_active and user.has_perm("cases.view_project")):
        raise Http404
    if not (user.is_superuser or pk in _user_organisation_ids(user)):
        raise Http404
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None:
        raise Http404
    if for_change:
        require_perm(user, "cases.change_project")
        if not can_change_deadlines(user, organisation):
            raise PermissionDenied
    return organisation


def can_change_deadlines(user, organisation: Organisation) -> bool:
    return user.has_perm("cases.change_project") and (
        user.is_superuser or organisation.pk in user_grants(user).managed_organisations
    )
