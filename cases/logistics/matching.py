"""Which pool flats suit which household, and how well: hard needs filter in SQL, wishes score.

Hard needs (a flat that fails one is not shown):
    the organisation's own pool; the flat in the pool and of the right use (temporary or
    permanent, or both); at least the rooms needed (without recorded needs: as many as now);
    step-free if needed; ground floor, lift or step-free if she cannot climb stairs; pets
    allowed if she has pets; rent at most her limit; available on the moving day and, for a
    temporary stay, until the return day (a permanent home must have no end date); and no
    other offer awaiting reply or accepted holds the flat in that period; a flat the household
    has refused is not suggested again.
Marked, not filtered: a temporary flat in another municipality than the household's home
    (`needs_agreement`): it may be offered only with her agreement (almenlejeloven § 86 a,
    stk. 1; cases/deadlines.py), which the offer form asks for and the offer records.
Score (higher first; ties by rent, then the pool order):
    +30 in a wished area, +20 in the area of the school or daycare, +15 in the family's area,
    -10 per room more than needed, and for a permanent move WATERBED_PENALTY when the area
    has already received the organisation's threshold of particularly vulnerable households
    (one more would take it above).

Everything is one query per list: each case carries its needs as annotations, and its best
pool flats come back as an array subquery of small JSON objects.
"""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.db.models import Case as CaseWhen
from django.db.models import (
    CharField,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, JSONObject
from django.db.models.lookups import Exact, IsNull
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.logistics.models import (
    HOLDING_STATUSES,
    Offer,
    OfferStatus,
    PoolFlat,
    PoolKind,
    RehousingKind,
)
from cases.logistics.waterbed import Waterbed, waterbed_for
from cases.models import Case, CaseQuerySet, ProjectKind
from core.db import AnyOf

WISHED_AREA = 30
SCHOOL_AREA = 20
FAMILY_AREA = 15
EXTRA_ROOM = -10
WATERBED_PENALTY = -50

AREA = "flat__stairwell__estate__area"


def cases_with_needs(cases: CaseQuerySet, *, today: date) -> CaseQuerySet:
    """Annotate what each case needs of a flat, and when (`need_from` to `need_until`).

    Without recorded needs: the use follows the project (home again after a renovation, else
    permanent) and the rooms are as many as now.
    """
    by_project = CaseWhen(
        When(
            project__kind__in=(ProjectKind.RENOVATION_WITH_RETURN, ProjectKind.MIXED),
            then=Value(RehousingKind.TEMPORARY),
        ),
        default=Value(RehousingKind.PERMANENT),
    )
    no_areas = Value([], output_field=ArrayField(CharField()))
    return (
        cases.with_schedule()
        .annotate(
            need_organisation=F("project__estate__organisation_id"),
            need_home_flat=F("household__flat_id"),
            need_municipality=F("household__flat__stairwell__estate__municipality_id"),
            need_kind=Coalesce("housing_need__kind", by_project),
            need_rooms=Coalesce("housing_need__rooms", "household__flat__rooms"),
            need_step_free=Coalesce("housing_need__step_free", Value(False)),
            need_low=Coalesce("housing_need__ground_floor_or_lift", Value(False)),
            need_pets=Coalesce("housing_need__pets", Value(False)),
            need_rent=F("housing_need__rent_limit"),
            need_areas=Coalesce("housing_need__wished_areas", no_areas),
            need_school=Coalesce("housing_need__school_area", Value("")),
            need_family=Coalesce("housing_need__family_area", Value("")),
            need_from=Greatest(
                Coalesce("effective_move_out_on", Value(today)),
                Value(today),
                output_field=DateField(),
            ),
        )
        .annotate(
            need_until=CaseWhen(
                When(
                    need_kind=RehousingKind.TEMPORARY,
                    then=Coalesce("effective_return_on", "project__ends_on"),
                ),
                default=None,
                output_field=DateField(),
            )
        )
    )


def _outer(name: str, depth: int = 1) -> OuterRef:
    ref = OuterRef(name)
    for _level in range(depth - 1):
        ref = OuterRef(ref)
    return ref


def pool_matches(*, full_areas: list[str], depth: int = 1) -> QuerySet[PoolFlat]:
    """The pool flats that meet the hard needs of the case `depth` queries out, scored.

    The case must carry the annotations of cases_with_needs.
    """

    def need(name: str):
        return _outer(name, depth)

    def held(name: str):
        return _outer(name, depth + 1)

    until = Coalesce(need("need_until"), need("need_from"))
    holds = Offer.objects.filter(
        pool_flat=OuterRef("pk"),
        status__in=HOLDING_STATUSES,
    ).filter(
        Q(IsNull(held("need_until"), True)) | Q(holds_from__lt=held("need_until")),
        Q(holds_until__isnull=True) | Q(holds_until__gt=held("need_from")),
    )
    refused = Offer.objects.filter(pool_flat=OuterRef("pk"), status=OfferStatus.REFUSED)
    is_temporary = Q(Exact(need("need_kind"), RehousingKind.TEMPORARY))
    is_permanent = Q(Exact(need("need_kind"), RehousingKind.PERMANENT))
    area = F(AREA)
    return (
        PoolFlat.objects.filter(
            Q(organisation_id=need("need_organisation")),
            Q(is_active=True),
            Q(kind=PoolKind.BOTH) | Q(kind=need("need_kind")),
            Q(flat__rooms__gte=need("need_rooms")),
            ~Q(flat_id=need("need_home_flat")),
            Q(step_free=True) | Q(Exact(need("need_step_free"), False)),
            Q(step_free=True)
            | Q(has_lift=True)
            | Q(flat__floor__lte=0)
            | Q(flat__floor__isnull=True)
            | Q(Exact(need("need_low"), False)),
            Q(pets_allowed=True) | Q(Exact(need("need_pets"), False)),
            Q(IsNull(need("need_rent"), True)) | Q(rent__lte=need("need_rent")),
            Q(available_from__lte=need("need_from")),
            Q(available_to__isnull=True) | (is_temporary & Q(available_to__gte=until)),
        )
        .exclude(Exists(holds))
        .exclude(Exists(refused.filter(case_id=held("pk"))))
        .annotate(
            in_wished=AnyOf(area, need("need_areas")),
            near_school=Exact(area, need("need_school")),
            near_family=Exact(area, need("need_family")),
            extra_rooms=F("flat__rooms") - need("need_rooms"),
            waterbed=CaseWhen(
                When(is_permanent & Q(**{f"{AREA}__in": full_areas}), then=Value(True)),
                default=Value(False),
            ),
            needs_agreement=CaseWhen(
                When(
                    is_temporary
                    & ~Q(flat__stairwell__estate__municipality_id=need("need_municipality")),
                    then=Value(True),
                ),
                default=Value(False),
            ),
        )
        .annotate(
            score=CaseWhen(When(in_wished=True, then=Value(WISHED_AREA)), default=Value(0))
            + CaseWhen(When(near_school=True, then=Value(SCHOOL_AREA)), default=Value(0))
            + CaseWhen(When(near_family=True, then=Value(FAMILY_AREA)), default=Value(0))
            + F("extra_rooms") * Value(EXTRA_ROOM)
            + CaseWhen(When(waterbed=True, then=Value(WATERBED_PENALTY)), default=Value(0)),
        )
        .order_by("-score", "rent", "available_from", "pk")
    )


def with_best_matches(cases: QuerySet[Case], *, full_areas: list[str], limit: int) -> QuerySet:
    """Annotate `matches`: up to `limit` suitable pool flats per case, best first."""
    best = pool_matches(full_areas=full_areas).values(
        json=JSONObject(
            pk="pk",
            score="score",
            in_wished="in_wished",
            near_school="near_school",
            near_family="near_family",
            extra_rooms="extra_rooms",
            waterbed="waterbed",
            needs_agreement="needs_agreement",
        )
    )[:limit]
    return cases.annotate(matches=ArraySubquery(best))


# --- Results ---------------------------------------------------------------------------------


@dataclass
class Match:
    pool_flat: PoolFlat
    score: int
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    needs_agreement: bool = False


def _explain(row: dict, pool_flat: PoolFlat, waterbed: Waterbed) -> Match:
    match = Match(
        pool_flat=pool_flat, score=row["score"], needs_agreement=row.get("needs_agreement", False)
    )
    area = pool_flat.flat.stairwell.estate.area
    if row["in_wished"]:
        match.reasons.append(_("wished area (+%(points)s)") % {"points": WISHED_AREA})
    if row["near_school"]:
        match.reasons.append(_("near school or daycare (+%(points)s)") % {"points": SCHOOL_AREA})
    if row["near_family"]:
        match.reasons.append(_("near family (+%(points)s)") % {"points": FAMILY_AREA})
    if row["extra_rooms"]:
        match.warnings.append(
            ngettext(
                "%(count)s room more than needed (%(points)s)",
                "%(count)s rooms more than needed (%(points)s)",
                row["extra_rooms"],
            )
            % {"count": row["extra_rooms"], "points": row["extra_rooms"] * EXTRA_ROOM}
        )
    if match.needs_agreement:
        match.warnings.append(
            _(
                "In %(municipality)s, another municipality: only with the household's agreement "
                "(almenlejeloven § 86 a)"
            )
            % {"municipality": pool_flat.flat.stairwell.estate.municipality}
        )
    if row["waterbed"]:
        match.warnings.append(
            _("Waterbed: %(warning)s (%(points)s)")
            % {"warning": waterbed.warning(area), "points": WATERBED_PENALTY}
        )
    return match


def explain_matches(rows_per_case: list[list[dict]], waterbed: Waterbed) -> list[list[Match]]:
    """Turn each case's `matches` into Match objects (one query for all the pool flats)."""
    ids = {row["pk"] for rows in rows_per_case for row in rows}
    flats = PoolFlat.objects.select_related("flat__stairwell__estate__municipality").in_bulk(ids)
    return [[_explain(row, flats[row["pk"]], waterbed) for row in rows] for rows in rows_per_case]


def ranked_pool_flats(*, case: Case, today: date, limit: int = 50) -> list[Match]:
    """The suitable pool flats for one case, best first (three queries)."""
    return ranked_pool_flats_and_window(case=case, today=today, limit=limit)[0]


def ranked_pool_flats_and_window(
    *, case: Case, today: date, limit: int = 50
) -> tuple[list[Match], "Window"]:
    """ranked_pool_flats and case_window, read in the same three queries."""
    waterbed = waterbed_for(organisation=case.project.estate.organisation)
    annotated = with_best_matches(
        cases_with_needs(Case.objects.filter(pk=case.pk), today=today),
        full_areas=waterbed.full_areas,
        limit=limit,
    )
    rows, kind, starts_on, until = annotated.values_list(
        "matches", "need_kind", "need_from", "need_until"
    ).get()
    return explain_matches([rows or []], waterbed)[0], _window(kind, starts_on, until)


def pool_flat_fits(*, case: Case, pool_flat: PoolFlat, today: date) -> bool:
    """Whether the pool flat meets the case's hard needs and is free in its period."""
    fits = pool_matches(full_areas=[]).filter(pk=pool_flat.pk)
    annotated = cases_with_needs(Case.objects.filter(pk=case.pk), today=today)
    return bool(annotated.annotate(fits=Exists(fits)).values_list("fits", flat=True).first())


@dataclass(frozen=True)
class Window:
    kind: str
    starts_on: date
    ends_on: date | None


def case_window(*, case: Case, today: date) -> Window:
    """The use and period a flat must serve for the case (see cases_with_needs)."""
    row = (
        cases_with_needs(Case.objects.filter(pk=case.pk), today=today)
        .values("need_kind", "need_from", "need_until")  # type: ignore[misc]
        .get()
    )
    return _window(row["need_kind"], row["need_from"], row["need_until"])


def _window(kind: str, starts_on: date, until: date | None) -> Window:
    if until is not None and until <= starts_on:
        until = None
    return Window(kind=kind, starts_on=starts_on, ends_on=until)
