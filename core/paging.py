"""Pages of long lists without Django's Paginator counting in a query of its own.

`open_ended_page`: no count at all. Django's Paginator counts every row to say "page x of y";
over a million log rows that count is most of the page's time. This page knows only whether
there is a next one (it reads one row more than it shows), which is all "Previous / Next" needs.

`keyed_page`: the count rides on the query of the page's keys (a list that says "1,234 cases").

`ranked_page`: as keyed_page, for a list whose sort's first key is a column of its own and whose
further keys cost joins: only the page's rows and their ties are joined and sorted in full.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import Count, OrderBy, QuerySet, Window
from django.db.models.functions import Rank


@dataclass
class OpenEndedPage:
    object_list: list
    number: int
    has_next: bool
    paginator: None = None  # no count: the pagination include says "Page x", not "of y"

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * len(self.object_list) + 1 if self.object_list else 0


def open_ended_page(queryset, number, per_page: int) -> OpenEndedPage:
    """The rows of page `number` (1 if not a positive number) of an ordered queryset."""
    try:
        page = max(1, int(number))
    except (TypeError, ValueError):
        page = 1
    offset = (page - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    return OpenEndedPage(rows[:per_page], page, len(rows) > per_page)


def keyed_page(queryset, number, per_page: int) -> Page:
    """Page `number` of an ordered queryset as its primary keys, and the count of all its rows,
    in one query: the keys with `COUNT(*) OVER ()` instead of Django's Paginator counting in a
    query of its own. The filters, joins and sort of a long list run once, over narrow rows;
    the caller reads the page's few rows with their relations by these keys.

    A number that is not a number gives the first page, one out of range the last, as
    `Paginator.get_page` does (out of range: one count more).
    """
    if queryset.query.distinct:  # a window counts the rows before DISTINCT
        return _count_then_slice(queryset, number, per_page)
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        wanted = 1
    if wanted < 1:
        return _count_then_slice(queryset, number, per_page)
    offset = (wanted - 1) * per_page
    keys = queryset.prefetch_related(None).annotate(_rows=Window(Count("pk")))
    rows = list(keys.values_list("pk", "_rows")[offset : offset + per_page])
    if not rows and wanted > 1:
        return _count_then_slice(queryset, number, per_page)
    paginator = Paginator(queryset, per_page)
    paginator.count = rows[0][1] if rows else 0  # cached_property: no COUNT query
    return Page([pk for pk, _rows in rows], wanted, paginator)


def in_key_order(rows: Iterable, keys: list) -> list:
    """`rows`, read by `keys` in any order, in the order of the keys (a page's); a key whose row
    has gone since is left out."""
    by_key = {row.pk: row for row in rows}
    return [by_key[key] for key in keys if key in by_key]


def _count_then_slice(queryset, number, per_page: int) -> Page:
    keys = queryset.prefetch_related(None).values_list("pk", flat=True)
    page = Paginator(keys, per_page).get_page(number)
    page.object_list = list(page.object_list)
    return page


class _WholeListPaginator(Paginator):
    """A paginator whose list, the whole one in its order, is made when first read: a page shows
    its own rows, and that queryset costs more to build than a page that never reads it."""

    def __init__(self, make_list: Callable[[], QuerySet], per_page: int) -> None:
        super().__init__([], per_page)
        del self.object_list  # the cached property below, from now on
        self._make_list = make_list

    @cached_property
    def object_list(self):  # type: ignore[override]
        return self._make_list()


def ranked_page(
    queryset: QuerySet,
    number,
    per_page: int,
    *,
    leading: OrderBy,
    read: Callable[[list], QuerySet],
    whole: Callable[[], QuerySet] | None = None,
) -> Page:
    """Page `number` of a list sorted first by `leading`, a column of its rows (`queryset`:
    filtered, unordered, without the joins the further sort keys need), in two queries.

    The first ranks the rows by `leading` alone (a window over narrow rows), with their count,
    and keeps the keys of those ranked no later than the page's last row: the page's rows and
    their ties, a prefix of the whole order. `read(keys)` gives those rows in the whole order,
    with what the list shows; it is sliced to the page. The same rows as sorting every row in
    full, with the joins made for a page's worth of rows instead of all of them. `whole()`: the
    whole list in its order, the paginator's object_list as with Django's (made when read).

    A number that is not a number gives the first page, one out of range the last, as
    `Paginator.get_page` does (out of range: one query more).
    """
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        wanted = 1
    end = max(wanted, 1) * per_page
    ranked = (
        queryset.order_by()
        .annotate(_rows=Window(Count("pk")), _rank=Window(Rank(), order_by=leading))
        .filter(_rank__lte=end)
        .values_list("pk", "_rank", "_rows")
    )
    keys = list(ranked)
    paginator = Paginator(keys, per_page) if whole is None else _WholeListPaginator(whole, per_page)
    paginator.count = keys[0][2] if keys else 0  # cached_property: no COUNT query
    if not 1 <= wanted <= paginator.num_pages:
        last = paginator.num_pages
        return ranked_page(queryset, last, per_page, leading=leading, read=read, whole=whole)
    if not keys:
        return Page([], wanted, paginator)
    start = end - per_page
    # The page's first row's ties begin at its rank: the rows from there on are read.
    first = max(rank for _pk, rank, _rows in keys if rank <= start + 1)
    skip = start - (first - 1)
    rows = read([pk for pk, rank, _rows in keys if rank >= first])[skip : skip + per_page]
    return Page(list(rows), wanted, paginator)
