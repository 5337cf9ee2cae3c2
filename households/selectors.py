"""Reads worth naming about households, shared by the apps that list them."""

import re
from typing import TypeVar

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from households.models import Household, Resident, VulnerabilityAssessment


def latest_assessment(*, household: Household) -> VulnerabilityAssessment | None:
    return household.assessments.select_related("assessed_by").first()


def assessment_history(*, household: Household) -> QuerySet[VulnerabilityAssessment]:
    return household.assessments.select_related("assessed_by")


def residents_prefetch(path: str = "residents") -> Prefetch:
    """The residents behind `path`, contact person first, for display_name() in lists."""
    return Prefetch(path, queryset=Resident.objects.order_by("-is_contact_person", "pk"))


_QS = TypeVar("_QS", bound=QuerySet)
_FLOOR = re.compile(r"^(\d{1,2})\.$")
_HOUSE_NUMBER = re.compile(r"^(\d{1,4})([a-zA-Z])$")
_FLOOR_WORDS = {"st": 0, "st.": 0, "kl": -1, "kl.": -1}


def household_search_q(term: str, *, to_household: str = "") -> Q:
    """One search word against the residents' names and the flat's address.

    "Egevej 12, 2. tv" is read as street, house number, floor and door. `to_household` is the
    lookup from the searched model to the household ("" when searching households).
    """
    prefix = f"{to_household}__" if to_household else ""
    term = term.strip(",")
    names = Resident.objects.filter(household=OuterRef(to_household or "pk")).filter(
        Q(first_name__icontains=term) | Q(last_name__icontains=term)
    )
    match = Q(Exists(names)) | Q(**{f"{prefix}flat__stairwell__street__icontains": term})
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


def household_search(queryset: _QS, q: str, *, to_household: str = "") -> _QS:
    """Every word of `q` must match (names or address)."""
    for term in q.split()[:6]:
        if term.strip(","):
            queryset = queryset.filter(household_search_q(term, to_household=to_household))
    return queryset
