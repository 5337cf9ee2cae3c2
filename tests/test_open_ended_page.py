"""core/paging.py: a page of a long list without counting it (the access log)."""

from core.paging import open_ended_page


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
