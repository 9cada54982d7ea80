"""The page navigation's numbers and links: first, last, two either side of the current page, gaps between."""

import pytest
from django.core.paginator import Paginator
from django.http import QueryDict

from portal.paging import page_nav, page_numbers, query_without_page


@pytest.mark.parametrize(("current", "total", "numbers"), [
    (1, 1, [1]),
    (1, 2, [1, 2]),
    (1, 10, [1, 2, 3, None, 10]),
    (5, 10, [1, 2, 3, 4, 5, 6, 7, None, 10]),  # a gap of one page shows the page, not "…"
    (6, 20, [1, None, 4, 5, 6, 7, 8, None, 20]),
    (20, 20, [1, None, 18, 19, 20]),
])
def test_page_numbers(current, total, numbers):
    assert page_numbers(current, total) == numbers


def test_the_links_keep_the_query_without_its_page_and_all():
    query = QueryDict("category=3&q=caf%C3%A9&page=2&all=1")
    assert query_without_page(query) == "category=3&q=caf%C3%A9"
    nav = page_nav(Paginator(range(120), 50).get_page(2), query)
    assert (nav.previous_url, nav.next_url) == ("?category=3&q=caf%C3%A9&page=1", "?category=3&q=caf%C3%A9&page=3")
    assert [(link.number, link.current) for link in nav.links] == [(1, False), (2, True), (3, False)]
    assert (nav.first_row, nav.last_row, nav.count, nav.all_url) == (51, 100, 120, "?category=3&q=caf%C3%A9&all=1")


def test_a_list_of_one_page_offers_no_links():
    nav = page_nav(Paginator(range(7), 50).get_page(1), QueryDict(""))
    assert (nav.several, nav.all_url, nav.previous_url, nav.next_url) == (False, "", "", "")
    assert (nav.first_row, nav.last_row, nav.count) == (1, 7, 7)
