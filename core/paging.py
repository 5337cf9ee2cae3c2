"""A page of a long list without counting the list: one query for the page's rows and one more.

Django's Paginator counts every row to say "page x of y"; over a million log rows that count is
most of the page's time. This page knows only whether there is a next one (it reads one row
more than it shows), which is all "Previous / Next" needs.
"""

from dataclasses import dataclass


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
