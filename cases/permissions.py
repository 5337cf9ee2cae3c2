"""Who may see and change which projects and cases. The one place for these rules.

A case is visible to staff who lead its organisation, work in its estate or project, or are
assigned to it; the role (group) decides what they may do with it (genhusning/roles.py).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Project,
    ProjectGroupObjectPermission,
    ProjectUserObjectPermission,
)
from households.models import Organisation
from households.permissions import estate_access_q, granted_object_ids, managed_organisation_ids

NOTHING = Q(pk__in=[])


def project_access_q(user) -> Q:
    if not (user.is_active and user.has_perm("cases.view_project")):
        return NOTHING
    if user.is_superuser:
        return Q()
    direct, via_group = granted_object_ids(
        ProjectUserObjectPermission, ProjectGroupObjectPermission, user, "work_in_project"
    )
    return estate_access_q(user, "estate") | Q(pk__in=direct) | Q(pk__in=via_group)


def case_access_q(user) -> Q:
    if not (user.is_active and user.has_perm("cases.view_case")):
        return NOTHING
    if user.is_superuser:
        return Q()
    project_direct, project_group = granted_object_ids(
        ProjectUserObjectPermission, ProjectGroupObjectPermission, user, "work_in_project"
    )
    case_direct, case_group = granted_object_ids(
        CaseUserObjectPermission, CaseGroupObjectPermission, user, "view_case"
    )
    return (
        estate_access_q(user, "project__estate")
        | Q(project__in=project_direct)
        | Q(project__in=project_group)
        | Q(pk__in=case_direct)
        | Q(pk__in=case_group)
    )


def get_case_for_user(user, pk: int, *, for_change: bool = False) -> Case:
    """The case, if `user` may see it (404 otherwise); 403 if she may see but not change it."""
    case = (
        Case.objects.for_user(user)
        .select_related(
            "project__estate__organisation",
            "household__flat__stairwell__estate",
            "temporary_flat__stairwell",
            "permanent_flat__stairwell__estate",
        )
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404
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


def can_assign_staff(user, case: Case) -> bool:
    """Only a manager of the case's organisation assigns and unassigns staff."""
    if not user.has_perm("cases.add_caseassignment"):
        return False
    if user.is_superuser:
        return True
    direct, via_group = managed_organisation_ids(user)
    organisation_id = case.project.estate.organisation_id
    return Organisation.objects.filter(
        Q(pk__in=direct) | Q(pk__in=via_group), pk=organisation_id
    ).exists()
