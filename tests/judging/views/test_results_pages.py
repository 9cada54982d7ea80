"""The leaderboard in pages: rank order across pages, links that keep the category and filters, the whole category
one click away, and ranks, peer bands and charts that are the whole category's on every page."""

import pytest

from judging.models import EntryResult
from judging.views.scoring_charts import histogram
from tests.factories.scoring import scored_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def board():
    """A category of 60 results: two pages of 50."""
    return scored_world(entries=60)


def _url(world, query: str = "") -> str:
    return f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/results/" + (f"?{query}" if query else "")


def _ranked(world) -> list[tuple[int, int]]:
    return list(EntryResult.objects.filter(round=world.round).order_by("rank", "application_id")
                .values_list("rank", "application_id"))


def _shown(response) -> list[tuple[int, int]]:
    return [(row.rank, row.application_id) for band in response.context["bands"] for row in band["rows"]]


def test_the_pages_follow_the_whole_categorys_ranks(client, login, board):
    login(board.role("chair"))
    ranked = _ranked(board)
    first = client.get(_url(board))
    assert _shown(first) == ranked[:50]
    body = first.content.decode()
    assert 'aria-label="Pages of the leaderboard"' in body
    assert '<a href="?page=1" aria-current="page">' in body
    assert "Showing 1–50 of 60 rows." in body
    assert f"{board.category.name} — 60 entries" in body
    second = client.get(_url(board, "page=2"))
    assert _shown(second) == ranked[50:]
    assert '<a href="?page=2" aria-current="page">' in second.content.decode()
    # A page number that is not one shows a page, not an error.
    assert _shown(client.get(_url(board, "page=x"))) == ranked[:50]
    assert _shown(client.get(_url(board, "page=99"))) == ranked[50:]


def test_the_whole_category_is_one_click_away(client, login, board):
    login(board.role("secretariat"))
    body = client.get(_url(board, f"category={board.category.pk}")).content.decode()
    assert f'href="?category={board.category.pk}&amp;all=1">Show all 60 on one page' in body
    response = client.get(_url(board, f"category={board.category.pk}&all=1"))
    assert _shown(response) == _ranked(board)
    assert response.context["page_nav"] is None
    assert f'href="?category={board.category.pk}">Show the leaderboard in pages' in response.content.decode()


def test_the_page_links_keep_the_category_and_the_filters(client, login, board):
    login(board.role("secretariat"))
    query = f"category={board.category.pk}&stage=&band=&group_by=stage"
    body = client.get(_url(board, query)).content.decode()
    assert f'href="?category={board.category.pk}&amp;stage=&amp;band=&amp;group_by=stage&amp;page=2" rel="next"' in body


def test_peer_bands_rank_over_the_whole_band_on_every_page(client, login, board):
    """Band ranks are the whole band's: the two pages of a grouped board together are the band ranks of all."""
    login(board.role("secretariat"))
    pages = [client.get(_url(board, f"group_by=stage&page={n}")) for n in (1, 2)]
    rows = [(row.band_rank, row.application_id) for page in pages for band in page.context["bands"]
            for row in band["rows"]]
    assert len(rows) == 60 and len({app for _rank, app in rows}) == 60
    # One stage here: the band rank of each entry is its rank in the category.
    assert sorted(rows) == sorted(_ranked(board))
    assert [band["count"] for band in pages[1].context["bands"]] == [60]


def test_the_charts_count_every_entry_of_the_category_on_every_page(client, login, board):
    login(board.role("observer"))
    results = EntryResult.objects.filter(round=board.round)
    # The bins stored with the results are the ones the chart would draw from every score of the category.
    expected = (histogram([r.corrected for r in results]), histogram([r.mean for r in results]))
    for query in ("", "page=2"):
        distribution = client.get(_url(board, query)).context["distributions"][0]
        assert (distribution["corrected"]["n"], distribution["raw"]["n"]) == (60, 60)
        assert (distribution["corrected"], distribution["raw"]) == expected
