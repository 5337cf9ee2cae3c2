"""Who may see which estates, flats and households. The one place for these rules."""

import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from core.permissions import require_perm
from households.models import (
    Estate,
    EstateGroupObjectPermission,
    EstateUserObjectPermission,
    Flat,
    Household,
    Organisation,
    OrganisationGroupObjectPermission,
    OrganisationUserObjectPermission,
    Stairwell,
    TenantImport,
)


@dataclass(frozen=True)
class Grants:
    """The objects a user holds guardian permissions on, directly or through her groups.

    The estates and organisations are households'; projects, cases and partners are filled by the
    apps that keep them (GRANT_SOURCES), empty without them."""

    managed_organisations: frozenset[int] = frozenset()
    estates: frozenset[int] = frozenset()
    projects: frozenset[int] = frozenset()
    cases: frozenset[int] = frozenset()
    tip_estates: frozenset[int] = frozenset()
    partners: frozenset[int] = frozenset()

    def reach_estate(self, estate) -> bool:
        """She works in `estate` or leads its organisation: estate_access_q, asked of one
        estate from the grants (no query)."""
        return estate.organisation_id in self.managed_organisations or estate.pk in self.estates


@dataclass(frozen=True)
class GrantSource:
    """Guardian's permission rows of one kind: `codename` on objects of the models' table."""

    user_model: type
    group_model: type
    codename: str
    kind: str  # the field of Grants it fills


GRANT_SOURCES: list[GrantSource] = [
    GrantSource(
        OrganisationUserObjectPermission,
        OrganisationGroupObjectPermission,
        "manage_organisation",
        "managed_organisations",
    ),
    GrantSource(
        EstateUserObjectPermission, EstateGroupObjectPermission, "work_in_estate", "estates"
    ),
    GrantSource(
        EstateUserObjectPermission, EstateGroupObjectPermission, "submit_tip", "tip_estates"
    ),
]


def grant_source_add(source: GrantSource) -> None:
    """For the apps above households, from their AppConfig.ready: the grants they keep (cases:
    projects and cases; referrals: the partners a visitator acts for) join the one query."""
    if source not in GRANT_SOURCES:
        GRANT_SOURCES.append(source)
        _grants_sql.cache_clear()


@functools.cache
def _grants_sql() -> tuple[str, list[str], dict[tuple[int, str], str]]:
    """The one statement user_grants runs, the codenames it reads, and the kind each (models,
    codename) fills.

    Written by hand over guardian's tables and built once, on the first request (after every
    app's ready() has added its sources): compiling a union of a dozen querysets each time cost
    more than running it. Direct grants, and grants through the user's groups, by the
    permission's codename; the permissions table joined once, which halves the planning."""
    quote = connection.ops.quote_name
    user_groups = quote(get_user_model().groups.through._meta.db_table)
    models: list[tuple[Any, Any]] = []  # (user model, group model)
    kinds: dict[tuple[int, str], str] = {}
    for source in GRANT_SOURCES:
        pair = (source.user_model, source.group_model)
        if pair not in models:
            models.append(pair)
        kinds[(models.index(pair), source.codename)] = source.kind
    table = {model: quote(model._meta.db_table) for pair in models for model in pair}
    rows = []
    for number, (user_model, group_model) in enumerate(models):
        rows += [
            f"SELECT {number} AS models, permission_id, content_object_id"  # noqa: S608 (names from the models)
            f" FROM {table[user_model]} WHERE user_id = %(user)s",
            f"SELECT {number}, permission_id, content_object_id FROM {table[group_model]}"  # noqa: S608 (names from the models)
            f" WHERE group_id IN (SELECT group_id FROM {user_groups} WHERE user_id = %(user)s)",
        ]
    sql = (
        "SELECT grant_row.models, permission.codename, grant_row.content_object_id"  # noqa: S608 (names from the models)
        f" FROM ({' UNION ALL '.join(rows)}) AS grant_row"
        f" JOIN {quote(Permission._meta.db_table)} AS permission"
        " ON permission.id = grant_row.permission_id"
        " WHERE permission.codename = ANY(%(codenames)s)"
    )
    return sql, sorted({codename for _models, codename in kinds}), kinds


def user_grants(user) -> Grants:
    """Read once per request (one query) and kept on the user object, as guardian does.

    Lists then filter with plain id lists, which keeps their query plans simple and stable.
    """
    cached = getattr(user, "_genhusning_grants", None)
    if cached is not None:
        return cached
    sql, codenames, kinds = _grants_sql()
    found: dict[str, set[int]] = {kind: set() for kind in kinds.values()}
    with connection.cursor() as cursor:
        cursor.execute(sql, {"user": user.pk, "codenames": codenames})
        for models, codename, object_id in cursor.fetchall():
            kind = kinds.get((models, codename))  # None: that codename on another model
            if kind is not None:
                found[kind].add(object_id)
    grants = Grants(**{kind: frozenset(ids) for kind, ids in found.items()})
    user._genhusning_grants = grants
    return grants


def forget_access(user) -> None:
    """Drop what this request has read of `user`'s access and kept on her object: the grants
    (user_grants), the compiled households rule (visible_households_q) and Django's permission
    caches (accounts/backends.py fills them). For a change of her access that the same request
    then shows (team/services.py)."""
    for cache in (
        "_genhusning_grants",
        "_genhusning_visible_households",
        "_perm_cache",
        "_user_perm_cache",
        "_group_perm_cache",
    ):
        user.__dict__.pop(cache, None)


def granted_q(**lookups: frozenset[int]) -> Q:
    """Q(a__in=ids_a) | Q(b__in=ids_b) | …, without the alternatives of no ids: they match
    nothing and the SQL leaves them out, but each cost its join path to build (and a join the
    planner then weighed), on every list and page the rules filter. Nothing if all are empty."""
    found = [Q(**{lookup: ids}) for lookup, ids in lookups.items() if ids]
    if not found:
        return Q(pk__in=[])
    return functools.reduce(operator.or_, found)


def estate_access_q(user, estate_path: str) -> Q:
    """Q over `estate_path` (an estate lookup) matching the estates `user` works in or leads."""
    if user.is_superuser:
        return Q()
    grants = user_grants(user)
    return granted_q(
        **{
            f"{estate_path}__organisation_id__in": grants.managed_organisations,
            f"{estate_path}_id__in": grants.estates,
        }
    )


def sees_whole_estate(user, estate) -> bool:
    """Whether `user` sees every household of `estate` through the estate itself (works in it, or
    leads its organisation): household_access_q then needs no asking for its households."""
    if not (user.is_active and user.has_perm("households.view_household")):
        return False
    if user.is_superuser:
        return True
    return user_grants(user).reach_estate(estate)


# Other ways to see a household than through its estate, added by the apps above households from
# their AppConfig.ready (cases: through a case she may see): each gives a Q over households.
HOUSEHOLD_ACCESS_PATHS: list[Callable[[Any], Q]] = []


def household_access_path_add(path: Callable[[Any], Q]) -> None:
    if path not in HOUSEHOLD_ACCESS_PATHS:
        HOUSEHOLD_ACCESS_PATHS.append(path)


def household_access_parts(user) -> tuple[Q, Q | None]:
    """household_access_q as its two ways in: through the estates she works in or leads (each of
    their households: sees_whole_estate), and through the other paths (a visible case of it),
    None where there are none. For a count by estate that would otherwise ask the whole rule of
    every household (the round's index): the estates' households are found through the estates,
    the others apart."""
    if not (user.is_active and user.has_perm("households.view_household")):
        return Q(pk__in=[]), None
    if user.is_superuser:
        # Every household: `Q() | <through cases>` would reduce to the cases' path alone.
        return Q(), None
    others = [path(user) for path in HOUSEHOLD_ACCESS_PATHS]
    beyond = functools.reduce(operator.or_, others) if others else None
    return estate_access_q(user, "flat__stairwell__estate"), beyond


def household_access_q(user) -> Q:
    """A household is visible through its estate, or through a visible case of it."""
    through_estates, beyond = household_access_parts(user)
    return through_estates if beyond is None else through_estates | beyond


def visible_households_q(user, field: str = "household") -> Q:
    """Q(<field>__in=Household.objects.for_user(user)), the same SQL, built and compiled once per
    request and kept on the user with her grants (user_grants): the household page asks it of
    each of its sections, and building the rule's query cost more than running it (~1.5 ms)."""
    key = (user.is_active, user.is_superuser)
    cached = getattr(user, "_genhusning_visible_households", None)
    if cached is None or cached[0] != key:
        visible = Household.objects.filter(household_access_q(user)).order_by().values("pk")
        try:
            compiled: tuple[str, tuple] | None = visible.query.sql_with_params()
        except EmptyResultSet:
            compiled = None  # she sees no household
        cached = user._genhusning_visible_households = (key, compiled)
    if cached[1] is None:
        return Q(pk__in=[])
    return Q(**{f"{field}__in": RawSQL(*cached[1])})  # noqa: S611 - compiled by the ORM above


def household_ids_access_q(
    user, field: str = "household_id", *, estate_field: str | None = None
) -> Q:
    """household_access_q for rows that point at a household through `field`: each way in as
    its own set of household ids, read through the indexes (estates, stairwells, flats; the
    cases' projects), so a long list (the flags) is filtered before it is joined and sorted,
    instead of joining every household to its estate to decide.

    `estate_field`: the rows' own copy of their household's estate (its flat's stairwell's),
    kept by the database (the flags' `estate`): the way in through the estates is then that
    column, without finding the estates' households first (8,000 of 50,000 for a manager)."""
    if not (user.is_active and user.has_perm("households.view_household")):
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    grants = user_grants(user)
    estates = Estate.objects.filter(
        Q(organisation_id__in=grants.managed_organisations) | Q(pk__in=grants.estates)
    ).values("pk")
    if estate_field is not None:
        access = Q(**{f"{estate_field}__in": estates})
    else:
        in_estates = Household.objects.filter(flat__stairwell__estate_id__in=estates)
        access = Q(**{f"{field}__in": in_estates.values("pk")})
    for path in HOUSEHOLD_ACCESS_PATHS:
        through = path(user)
        leaf: Any = through.children[0] if len(through.children) == 1 else None
        if not through.negated and isinstance(leaf, tuple) and leaf[0] == "pk__in":
            ids = leaf[1]  # pk__in=<household ids>: used as it is
        else:
            ids = Household.objects.filter(through).values("pk")
        access |= Q(**{f"{field}__in": ids})
    return access


def household_one_access_q(user, household_id: int, field: str = "household_id") -> Q:
    """household_ids_access_q for the rows of one household: the same rule (household_access_q)
    asked of that household alone, through its primary key, instead of building the sets of
    every household the user sees to keep one household's rows (4,800 ids for one flag): the
    planner carries the id into the rule's subquery (visible_households_q, compiled once)."""
    if user.is_superuser and user.is_active and user.has_perm("households.view_household"):
        return Q(**{field: household_id})  # as household_ids_access_q: every household
    return Q(**{field: household_id}) & visible_households_q(user, field)


def can_view_social_data(user) -> bool:
    return user.has_perm("households.view_social_data")


def get_household_for_user(user, pk: int, *, for_change: bool = False) -> Household:
    """The household, if `user` may see it (404 otherwise); 403 if she may see but not change it."""
    # Household.objects.for_user's rule asked of the one household, through the rule's query
    # compiled once per request (visible_households_q), which the page's sections ask again.
    # get(): no ORDER BY to compile (as get_case_for_user).
    visible = (
        Household.objects.filter(household_one_access_q(user, pk, "pk"))
        .select_related("flat__stairwell__estate__organisation")
        .prefetch_related("residents")
    )
    try:
        household = visible.get()
    except Household.DoesNotExist:
        raise Http404 from None
    if for_change:
        require_perm(user, "households.change_household")
    return household


def flats_for_user(user) -> QuerySet[Flat]:
    if not (user.is_active and user.has_perm("households.view_flat")):
        return Flat.objects.none()
    return Flat.objects.filter(
        estate_access_q(user, "stairwell__estate")
        | Q(households__in=Household.objects.for_user(user))
    ).distinct()


def get_flat_for_user(user, pk: int) -> Flat:
    flat = flats_for_user(user).select_related("stairwell__estate").filter(pk=pk).first()
    if flat is None:
        raise Http404
    return flat


def stairwells_for_user(user) -> QuerySet[Stairwell]:
    """The stairwells with a flat `user` may see."""
    return Stairwell.objects.filter(pk__in=flats_for_user(user).values("stairwell_id"))


def get_stairwell_for_user(user, pk: int) -> Stairwell:
    stairwell = stairwells_for_user(user).select_related("estate").filter(pk=pk).first()
    if stairwell is None:
        raise Http404
    return stairwell


def import_organisations_for_user(user) -> QuerySet[Organisation]:
    """The organisations whose tenant list `user` may import: those she leads."""
    if not (user.is_active and user.has_perm("households.add_tenantimport")):
        return Organisation.objects.none()
    return Organisation.objects.filter(pk__in=user_grants(user).managed_organisations)


def get_tenant_import_for_user(user, pk: int) -> TenantImport:
    tenant_import = (
        TenantImport.objects.filter(organisation__in=import_organisations_for_user(user), pk=pk)
        .select_related("organisation", "uploaded_by", "applied_by")
        .first()
    )
    if tenant_import is None:
        raise Http404
    return tenant_import


def get_household_for_merge(user, pk: int) -> Household:
    """A current household `user` may merge (404 if invisible, 403 without the right)."""
    household = get_household_for_user(user, pk)
    if household.moved_out_on is not None:
        raise Http404
    if not (
        user.has_perm("households.add_householdmerge")
        and user.has_perm("households.change_household")
    ):
        raise PermissionDenied
    return household
