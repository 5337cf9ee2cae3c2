"""Who may print which report. The one place for these rules.

A report covers the cases of a project, an estate, an organisation or one member of staff's
caseload, and only those cases its reader may see anyway. The pseudonymised version (flat
addresses, no names, no social details) is for everyone who may see the projects; the named
version, and a household's case summary, only for those who see names and social data.
"""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from cases.models import Case, Project
from cases.permissions import get_project_for_user
from cases.reports.makers import report_maker
from cases.reports.models import ReportJob, ReportKind
from households.models import Estate, Organisation, OrganisationUserObjectPermission
from households.permissions import can_view_social_data, user_grants


@dataclass(frozen=True)
class ReportScope:
    """What one report covers: its kind, its object, and a query for the cases in it."""

    kind: str
    target: Project | Estate | Organisation | User
    organisation: Organisation
    cases_q: Q

    @property
    def target_id(self) -> int:
        return self.target.pk


def can_print_reports(user) -> bool:
    return (
        user.is_active and user.has_perm("cases.view_project") and user.has_perm("cases.view_case")
    )


def can_print_named(user) -> bool:
    return can_print_reports(user) and can_view_social_data(user)


def can_print_organisation(user, organisation_id: int) -> bool:
    return can_print_reports(user) and (
        user.is_superuser or organisation_id in user_grants(user).managed_organisations
    )


def estates_for_reports(user):
    if not can_print_reports(user):
        return Estate.objects.none()
    if user.is_superuser:
        return Estate.objects.select_related("organisation")
    grants = user_grants(user)
    return Estate.objects.filter(
        Q(organisation_id__in=grants.managed_organisations) | Q(pk__in=grants.estates)
    ).select_related("organisation")


def _caseload_owner(user, pk: int) -> tuple[User, Organisation]:
    """Her own caseload, or (for a manager) that of a member of staff of her organisation."""
    grants = user_grants(user)
    staff_of = OrganisationUserObjectPermission.objects.filter(
        user_id=pk, permission__codename="staff_of_organisation"
    ).select_related("content_object")
    organisations = [row.content_object for row in staff_of]
    owner = User.objects.filter(pk=pk, is_active=True).first()
    if owner is None or not organisations:
        raise Http404
    if pk == user.pk or user.is_superuser:
        return owner, organisations[0]
    for organisation in organisations:
        if organisation.pk in grants.managed_organisations:
            return owner, organisation
    raise Http404


def get_report_scope_for_user(user, kind: str, pk: int, *, named: bool = False) -> ReportScope:
    """The scope of the report, if `user` may print it (404 otherwise); 403 for a named one
    she may print only pseudonymised."""
    if not can_print_reports(user):
        raise Http404
    if kind == ReportKind.PROJECT:
        project = get_project_for_user(user, pk)
        scope = ReportScope(kind, project, project.estate.organisation, Q(project=project))
    elif kind == ReportKind.ESTATE:
        estate = estates_for_reports(user).filter(pk=pk).first()
        if estate is None:
            raise Http404
        scope = ReportScope(kind, estate, estate.organisation, Q(project__estate=estate))
    elif kind == ReportKind.ORGANISATION:
        organisation = Organisation.objects.filter(pk=pk).first()
        if organisation is None or not can_print_organisation(user, pk):
            raise Http404
        scope = ReportScope(
            kind, organisation, organisation, Q(project__estate__organisation=organisation)
        )
    elif kind == ReportKind.CASELOAD:
        owner, organisation = _caseload_owner(user, pk)
        scope = ReportScope(
            kind,
            owner,
            organisation,
            Q(assignments__user=owner, project__estate__organisation=organisation),
        )
    else:
        raise Http404
    if named and not can_print_named(user):
        raise PermissionDenied
    return scope


def scope_cases(user, scope: ReportScope):
    """The cases of the scope that `user` may see: never more than her pages show her."""
    # A subquery rather than DISTINCT: the caseload's join through assignments stays out of
    # every count made over these cases.
    return Case.objects.filter(
        pk__in=Case.objects.for_user(user).filter(scope.cases_q).values("pk")
    )


def get_report_job_for_user(user, pk: int) -> tuple[ReportJob, ReportScope | None]:
    """A report job ordered by `user` that she may still print; 404 for every other. A case
    summary has no report scope: she must still be allowed the case's summary."""
    job = ReportJob.objects.filter(pk=pk, ordered_by_id=user.pk).first()
    if job is None:
        raise Http404
    maker = report_maker(job.kind)
    try:
        if maker is not None:  # a kind another app makes: its own check
            maker.check(user, job)
            return job, None
        if job.kind == ReportKind.CASE_SUMMARY:
            get_case_for_summary(user, job.target_id)
            return job, None
        scope = get_report_scope_for_user(user, job.kind, job.target_id, named=job.named)
    except PermissionDenied:
        raise Http404 from None
    return job, scope


def get_case_for_summary(user, pk: int) -> Case:
    """The case summary shows social data: 404 if the case is invisible, 403 without the right."""
    from cases.permissions import get_case_for_user

    case = get_case_for_user(user, pk)
    if not can_view_social_data(user):
        raise PermissionDenied
    return case
