"""Page links for long lists: the numbers around the current page, each link keeping the list's query string.

A page of a list costs the same whatever the list's length: the view reads one page (a LIMIT/OFFSET on an
index), and `page_nav` gives the template what the navigation shows: previous and next, the first and
last page, the pages around the current one with gaps between, and, where the view offers it, the link
to the whole list ("Show all N", `?all=1`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import QueryDict

ALL_PARAMETER = "all"
AROUND = 2  # pages shown on each side of the current one


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: a gap ("…")
    url: str = ""
    current: bool = False


@dataclass(frozen=True)
class PageNav:
    links: list[PageLink]
    previous_url: str
    next_url: str
    first_row: int
    last_row: int
    count: int
    all_url: str  # the whole list on one page; empty when the view offers none or the list fits one page

    @property
    def several(self) -> bool:
        return any(link.number is not None and not link.current for link in self.links)


def query_without_page(query: QueryDict) -> str:
    """The list's query string (filters, sorting) without its page and "show all": what every page link keeps."""
    kept = query.copy()
    kept.pop("page", None)
    kept.pop(ALL_PARAMETER, None)
    return kept.urlencode()


def _url(query: str, **extra) -> str:
    parts = [query] if query else []
    parts += [f"{key}={value}" for key, value in extra.items()]
    return "?" + "&".join(parts)


def page_numbers(current: int, total: int) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 20: the first and last page, AROUND pages on each side of the current, None for gaps."""
    shown = sorted({1, total, *range(max(1, current - AROUND), min(total, current + AROUND) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - numbers[-1] > 1:
            numbers.append(None if number - numbers[-1] > 2 else number - 1)
        numbers.append(number)
    return numbers


def page_nav(page: Page, query: QueryDict, *, offer_all: bool = True) -> PageNav:
    """The navigation of `page` for the template `portal/page_nav.html`."""
    kept = query_without_page(query)
    total = page.paginator.num_pages
    links = [PageLink(number) if number is None else
             PageLink(number, _url(kept, page=number), number == page.number)
             for number in page_numbers(page.number, total)]
    count = page.paginator.count
    return PageNav(
        links=links,
        previous_url=_url(kept, page=page.previous_page_number()) if page.has_previous() else "",
        next_url=_url(kept, page=page.next_page_number()) if page.has_next() else "",
        first_row=page.start_index(), last_row=page.end_index(), count=count,
        all_url=_url(kept, **{ALL_PARAMETER: 1}) if offer_all and total > 1 else "",
    )


def wants_all(query: QueryDict) -> bool:
    return query.get(ALL_PARAMETER) == "1"


def page_rows(queryset: QuerySet, page: Page, *, key: str = "pk") -> QuerySet:
    """The rows of `page` of `queryset`, read by their keys: one query whose OFFSET walks the keys of the list's
    index alone (a sliced subquery), joined to the other tables for the page's rows only. A plain OFFSET would
    join every skipped row too: page 100 of 10,000 costs a hundred times page 1."""
    per_page = page.paginator.per_page
    start = (page.number - 1) * per_page
    return queryset.filter(**{f"{key}__in": queryset.values(key)[start:start + per_page]})
