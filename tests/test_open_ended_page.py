"""core/paging.py: a page of a long list without counting it (the access log), one whose
count rides on the query of its keys (the flags), and one ranked by its first sort key (the
caseload)."""

import pytest
from django.core.paginator import Paginator
from django.db.models import F

from core.paging import keyed_page, open_ended_page, ranked_page
from households.models import Organisation
from tests import factories


def test_it_knows_a_next_page_from_one_row_more_and_never_counts():
    rows = list(range(1, 121))  # sliced like a queryset
    first = open_ended_page(rows, None, 50)
    assert first.object_list == rows[:50]
    assert (first.number, first.has_next, first.has_previous()) == (1, True, False)
    last = open_ended_page(rows, "3", 50)
    assert last.object_list == rows[100:]
    assert (last.has_next, last.has_previous(), last.previous_page_number()) == (False, True, 2)
    assert last.paginator is None  # the pagination include then says "Page 3", not "of y"
    assert open_ended_page(rows, "nonsense", 50).number == 1
    assert open_ended_page(rows, "-4", 50).number == 1
    assert open_ended_page(rows, "9", 50).object_list == []


@pytest.mark.django_db
@pytest.mark.parametrize("number", [None, "1", "2", "3", "4", "99", "0", "-4", "nonsense"])
def test_a_keyed_page_is_the_page_django_gives_with_its_count_in_one_query(
    number, django_assert_num_queries
):
    names = ["Ager", "Birke", "Ceder", "Dal", "Eng", "Fyr", "Gran"]
    for name in names:
        factories.make_organisation(name)
    organisations = Organisation.objects.filter(name__in=names).order_by("name")
    expected = Paginator(organisations, 3).get_page(number)
    # out of range, as rare as a stale link: the keys found none (past the end), then count, read
    queries = {"4": 3, "99": 3, "0": 2, "-4": 2}.get(number, 1)
    with django_assert_num_queries(queries):
        page = keyed_page(organisations, number, 3)
    assert page.object_list == [organisation.pk for organisation in expected.object_list]
    assert (page.number, page.paginator.count) == (expected.number, 7)
    assert (page.has_next(), page.has_previous()) == (expected.has_next(), expected.has_previous())


@pytest.mark.django_db
@pytest.mark.parametrize("number", [None, "1", "2", "3", "4", "5", "99", "0", "-4", "nonsense"])
def test_a_ranked_page_is_the_page_django_gives_the_ties_sorted_by_the_further_keys(
    number, django_assert_num_queries
):
    # The first key, the threshold, ties across page boundaries (pages of 3); the name breaks
    # the ties, and the names are not in the order of creation.
    thresholds = {"Gran": 1, "Ager": 2, "Fyr": 1, "Dal": 2, "Birke": 2, "Hyld": 3, "Eng": 2}
    thresholds |= {"Ceder": 1, "Ask": 2, "Ene": 4}
    for name, threshold in thresholds.items():
        Organisation.objects.create(name=name, waterbed_threshold=threshold)
    organisations = Organisation.objects.filter(name__in=thresholds)
    expected = Paginator(organisations.order_by("waterbed_threshold", "name"), 3).get_page(number)
    # out of range: the ranks found the count, then ranks and rows of the last page
    queries = {"5": 3, "99": 3, "0": 3, "-4": 3}.get(number, 2)
    with django_assert_num_queries(queries):
        page = ranked_page(
            organisations,
            number,
            3,
            leading=F("waterbed_threshold").asc(),
            read=lambda keys: Organisation.objects.filter(pk__in=keys).order_by(
                "waterbed_threshold", "name"
            ),
        )
    assert [o.name for o in page.object_list] == [o.name for o in expected.object_list]
    assert (page.number, page.paginator.count) == (expected.number, 10)
    assert (page.has_next(), page.has_previous()) == (expected.has_next(), expected.has_previous())
