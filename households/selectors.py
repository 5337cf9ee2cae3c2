"""Reads worth naming about households, shared by the apps that list them."""

import functools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import TypeVar

from django.contrib.postgres.search import SearchQuery
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.db import json_rows
from households.models import (
    RESIDENT_NAME_SEARCH,
    SEARCH_CONFIG,
    STAIRWELL_STREET_SEARCH,
    Flat,
    Household,
    Resident,
    Stairwell,
    VulnerabilityAssessment,
    household_name_text,
    person_name,
    residents_name_and_others,
)


def latest_assessment(*, household: Household) -> VulnerabilityAssessment | None:
    """The case page's: its level and factors (not who assessed, which the household page's
    assessment_history shows)."""
    return household.assessments.first()


def assessment_history(*, household: Household) -> QuerySet[VulnerabilityAssessment]:
    return household.assessments.select_related("assessed_by")


def household_display_names(household_ids) -> dict[int, str]:
    """display_name() of many households from one query of plain values, no model instances
    (an export of ten thousand rows): the contact person first, then the lowest id."""
    residents = (
        Resident.objects.filter(household_id__in=household_ids)
        .order_by("household_id", "-is_contact_person", "pk")
        .values_list("household_id", "first_name", "last_name")
    )
    parts: dict[int, list] = {}
    for household_id, first_name, last_name in residents:
        if household_id in parts:
            parts[household_id][1] += 1
        else:
            parts[household_id] = [person_name(first_name, last_name), 0]
    nobody = str(_("(no residents)"))
    return {
        household_id: household_name_text(*parts[household_id]) if household_id in parts else nobody
        for household_id in household_ids
    }


@functools.cache
def resident_names(household: str = "household_id") -> Subquery:
    """The names of the residents of the outer query's household (its field `household`) as
    one JSON column, [[first name, last name], …], the contact person first, then by id: for a
    list that shows a household's name (household_name_of), instead of a prefetch of its
    residents (a query more, and a model instance a resident). Built once: the expression is
    the same for every list, and each query that uses it resolves a copy."""
    return json_rows(
        Resident.objects.filter(household_id=OuterRef(household)),
        "household_id",
        ("first_name", "last_name"),
        ("-is_contact_person", "pk"),
    )


def household_name_of(resident_rows: list | None) -> tuple[str, int]:
    """Household.name_and_others from a resident_names column."""
    if not resident_rows:
        return residents_name_and_others(())
    first_name, last_name = resident_rows[0]
    return person_name(first_name, last_name), len(resident_rows) - 1


def residents_prefetch(path: str = "residents") -> Prefetch:
    """The residents behind `path`, contact person first, for display_name() in lists."""
    return Prefetch(path, queryset=Resident.objects.order_by("-is_contact_person", "pk"))


_QS = TypeVar("_QS", bound=QuerySet)
_FLOOR = re.compile(r"^(\d{1,2})\.$")
_HOUSE_NUMBER = re.compile(r"^(\d{1,4})([a-zA-Z])$")
_FLOOR_WORDS = {"st": 0, "st.": 0, "kl": -1, "kl.": -1}
_WORD = re.compile(r"\w+")


def household_search_q(term: str, *, to_household: str = "", by_keys: bool = False) -> Q:
    """One search word against the residents' names and the flat's address.

    "Egevej 12, 2. tv" is read as street, house number, floor and door. `to_household` is the
    lookup from the searched model to the household ("" when searching households). `by_keys`:
    the households that match as one set of keys, as for another model (below), not row by row.
    """
    prefix = f"{to_household}__" if to_household else ""
    term = term.strip(",")
    words = _WORD.findall(term.lower())
    if words:
        # PostgreSQL's full-text search, each word a prefix ("niel" finds Nielsen), through the
        # GIN indexes of the names and the streets (households/models.py): no scan of every
        # resident. The embedded PostgreSQL has no pg_trgm, so no match inside a word.
        query = SearchQuery(
            " & ".join(f"{word}:*" for word in words), search_type="raw", config=SEARCH_CONFIG
        )
        names = Resident.objects.annotate(name_search=RESIDENT_NAME_SEARCH).filter(
            name_search=query
        )
        streets = Stairwell.objects.annotate(street_search=STAIRWELL_STREET_SEARCH).filter(
            street_search=query
        )
        if to_household or by_keys:
            # A list of another model (the caseload): one set of the households' keys, a UNION
            # and not an OR of two subqueries, so that PostgreSQL joins the list to the few
            # matching households first instead of joining every row to its flat and filtering.
            on_streets = Household.objects.filter(flat__stairwell__in=streets.values("pk"))
            keys = names.values("household_id").order_by().union(on_streets.values("pk").order_by())
            match = Q(**{f"{to_household or 'pk'}__in": keys})
        else:
            match = Q(Exists(names.filter(household=OuterRef("pk")))) | Q(
                flat__stairwell__in=streets.values("pk")
            )
    else:
        match = Q(pk__in=[])
    if term.isdigit():
        match |= Q(**{f"{prefix}flat__stairwell__number": int(term)})
    elif found := _HOUSE_NUMBER.match(term):
        match |= Q(
            **{
                f"{prefix}flat__stairwell__number": int(found[1]),
                f"{prefix}flat__stairwell__letter": found[2].upper(),
            }
        )
    elif found := _FLOOR.match(term):
        match |= Q(**{f"{prefix}flat__floor": int(found[1])})
    elif term.lower() in _FLOOR_WORDS:
        match |= Q(**{f"{prefix}flat__floor": _FLOOR_WORDS[term.lower()]})
    elif len(term) <= 3:
        match |= Q(**{f"{prefix}flat__door__iexact": term.rstrip(".")})
    return match


def household_search(
    queryset: _QS, q: str, *, to_household: str = "", by_keys: bool = False
) -> _QS:
    """Every word of `q` must match (names or address)."""
    for term in q.split()[:6]:
        if term.strip(","):
            queryset = queryset.filter(
                household_search_q(term, to_household=to_household, by_keys=by_keys)
            )
    return queryset


def flat_search(queryset: QuerySet[Flat], q: str) -> QuerySet[Flat]:
    """Flats whose address (street, house number, floor, door) or estate matches every word.

    For the type-ahead pickers: "Egevej 12 tv", "kløver 5b", "st th".
    """
    for term in q.replace(",", " ").replace(".", " ").split()[:6]:
        match = _stairwell_word_q(term, "stairwell__")
        if term.isdigit():
            match |= Q(floor=int(term))
        elif _HOUSE_NUMBER.match(term):
            pass  # a house number with its letter: the stairwell's alone
        elif term.lower() == "st":
            match |= Q(floor=0)
        else:
            match |= Q(door__iexact=term)
        queryset = queryset.filter(match)
    return queryset


def stairwell_search(queryset: QuerySet[Stairwell], q: str) -> QuerySet[Stairwell]:
    """Stairwells whose address (street, house number) or estate matches every word:
    "pilevej 12", "12b", "lindparken"."""
    for term in q.replace(",", " ").split()[:6]:
        queryset = queryset.filter(_stairwell_word_q(term))
    return queryset


def _stairwell_word_q(term: str, prefix: str = "") -> Q:
    """One search word against a stairwell (`prefix`: the lookup to it): its street or estate
    containing the word, or its house number ("12", "12b")."""
    match = Q(**{f"{prefix}street__icontains": term}) | Q(
        **{f"{prefix}estate__name__icontains": term}
    )
    if term.isdigit():
        match |= Q(**{f"{prefix}number": int(term)})
    elif found := _HOUSE_NUMBER.match(term):
        match |= Q(**{f"{prefix}number": int(found[1]), f"{prefix}letter": found[2].upper()})
    return match


@dataclass
class DuplicateCandidate:
    """Two current households that may be one: shown to a person, never merged by itself."""

    first: Household
    second: Household
    reasons: list[str]

    @property
    def pair(self) -> tuple[Household, Household]:
        return (self.first, self.second)


@dataclass(frozen=True)
class DuplicatePair:
    """A likely duplicate as keys: the lower household id first, and why (reason keys)."""

    low: int
    high: int
    reasons: tuple[str, ...]


DUPLICATE_REASONS = {
    "name": gettext_lazy("the same name and birth year"),
    "phone": gettext_lazy("the same phone number"),
    "email": gettext_lazy("the same e-mail address"),
    "names": gettext_lazy("the same names, spelt differently"),
    "residents": gettext_lazy("the same residents"),
}


def duplicate_pairs(*, user) -> list[DuplicatePair]:
    """Every pair of households the user may see (current, not anonymised) that share a person
    (normalised name and birth year, phone or e-mail) or the whole set of names, minus the pairs
    someone kept apart; the strongest first: whole households alike, then several people in
    common. Keys only, for a page of them (duplicate_candidates_of).

    Set-based: one query for the people (narrow rows, the visible households found through
    their indexes as household_ids_access_q does, unsorted), one for the dismissals.
    """
    from households.imports import normalise_name, normalise_phone
    from households.models import DuplicateDismissal
    from households.permissions import household_ids_access_q

    # An anonymised household has no names left to compare: "(anonymised)" is not a person.
    people = (
        Resident.objects.filter(
            household_ids_access_q(user),
            household__moved_out_on__isnull=True,
            household__anonymised_at__isnull=True,
        )
        .order_by()
        .values_list(
            "household_id",
            "household__flat__stairwell__estate__organisation_id",
            "first_name",
            "last_name",
            "birth_year",
            "phone",
            "email",
        )
    )
    groups: dict[tuple, set[int]] = defaultdict(set)
    names_of: dict[int, set[tuple[str, int | None]]] = defaultdict(set)
    spellings_of: dict[int, set[str]] = defaultdict(set)
    organisation_of: dict[int, int] = {}
    normalised: dict[str, str] = {}  # a name met again is not normalised again
    for household_id, organisation_id, first, last, year, phone, email in people:
        spelling = f"{first} {last}"
        name = normalised.get(spelling)
        if name is None:
            name = normalised[spelling] = normalise_name(spelling)
        names_of[household_id].add((name, year))
        spellings_of[household_id].add(spelling)
        organisation_of[household_id] = organisation_id
        if year:
            groups[(organisation_id, "name", name, year)].add(household_id)
        if phone and len(digits := normalise_phone(phone)) >= 8:
            groups[(organisation_id, "phone", digits)].add(household_id)
        if email:
            groups[(organisation_id, "email", email.strip().lower())].add(household_id)
    by_names: dict[tuple, set[int]] = defaultdict(set)
    for household_id, names in names_of.items():
        by_names[(organisation_of[household_id], frozenset(names))].add(household_id)

    pairs: dict[tuple[int, int], set[str]] = defaultdict(set)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for key, ids in groups.items():
        if len(ids) > 1:
            for low, high in combinations(sorted(ids), 2):
                pairs[(low, high)].add(key[1])
                shared[(low, high)] += 1
    # Every resident alike (name and birth year): the same household registered twice.
    for ids in by_names.values():
        if len(ids) > 1:
            for low, high in combinations(sorted(ids), 2):
                spelt_alike = spellings_of[low] == spellings_of[high]
                pairs[(low, high)].add("residents" if spelt_alike else "names")
                shared[(low, high)] += 10
    if not pairs:
        return []
    dismissed = set(
        DuplicateDismissal.objects.filter(
            household_low__in={low for low, _high in pairs}
        ).values_list("household_low_id", "household_high_id")
    )
    wanted = sorted(set(pairs) - dismissed, key=lambda pair: (-shared[pair], pair))
    return [DuplicatePair(low, high, tuple(sorted(pairs[(low, high)]))) for low, high in wanted]


def duplicate_candidates_of(pairs: Iterable[DuplicatePair]) -> list[DuplicateCandidate]:
    """The households of `pairs` (a page of duplicate_pairs) with what the page shows: address,
    estate, moving-in date, the residents' names, birth years, phones and e-mails. Two queries."""
    pairs = list(pairs)
    residents = Resident.objects.order_by("-is_contact_person", "pk").only(
        "household_id", "first_name", "last_name", "birth_year", "phone", "email"
    )
    shown = {
        h.pk: h
        for h in Household.objects.filter(pk__in={pk for p in pairs for pk in (p.low, p.high)})
        .select_related("flat__stairwell__estate")
        .only(
            "moved_in_on",
            "flat__floor",
            "flat__door",
            "flat__stairwell__street",
            "flat__stairwell__number",
            "flat__stairwell__letter",
            "flat__stairwell__postcode",
            "flat__stairwell__city",
            "flat__stairwell__estate__name",
        )
        .prefetch_related(Prefetch("residents", queryset=residents))
    }
    return [
        DuplicateCandidate(
            shown[p.low], shown[p.high], [str(DUPLICATE_REASONS[r]) for r in p.reasons]
        )
        for p in pairs
    ]
