"""The deliberation page pages each category's whole ranking; its forms offer the entries it shows."""

import re

import pytest

from judging.models import AwardDecision
from judging.selectors.award_board import RANKING_PER_PAGE
from tests.factories import EditionAwardFactory
from tests.factories.deliberation import award_world

pytestmark = pytest.mark.django_db

MANY = RANKING_PER_PAGE + 10


def _url(world, query=""):
    return f"/e/{world.edition.slug}/awards/{query}"


def _rows(body: str) -> list[str]:
    ranking = body[body.index('id="ranking-'):]
    return re.findall(r"<td>(Entry \d+) —", ranking[:ranking.index("</table>")])


@pytest.mark.parametrize("entries", [1, MANY])
def test_the_page_costs_the_same_queries_and_shows_at_most_a_page_of_the_ranking(client, login, entries,
                                                                                 django_assert_num_queries):
    world = award_world([10 - i * 0.05 for i in range(entries)])
    EditionAwardFactory(edition=world.edition)
    login(world.role("chair"))
    client.get(_url(world))
    with django_assert_num_queries(16):
        body = client.get(_url(world)).content.decode()
    assert len(_rows(body)) == min(entries, RANKING_PER_PAGE)
    options = len(re.findall(r'<option value="\d+"', body))
    # Three tiers' decide forms, the award's and the move's forms offer the page's entries, not every entry (and
    # the move form its one category).
    assert options == 5 * min(entries, RANKING_PER_PAGE) + 1
    if entries == MANY:
        assert f"The whole ranking ({MANY} entries)" in body
        assert f"Show all {MANY} on one page" in body and f"Entry {MANY}" not in body


def test_the_next_page_and_show_all_are_one_click_away_and_post_any_entry(client, login):
    world = award_world([10 - i * 0.05 for i in range(MANY)])
    login(world.role("chair"))
    first = client.get(_url(world)).content.decode()
    link = re.search(r'href="(\?ranking=\d+&amp;page=2)" rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(_url(world, link)).content.decode()
    assert _rows(second) == [f"Entry {n}" for n in range(RANKING_PER_PAGE + 1, MANY + 1)]
    assert f'id="ranking-{world.category.pk}" open' in second
    assert f'<option value="{world.entries[-1].pk}">' in second and f'value="{world.entries[-1].pk}"' not in first
    everything = client.get(_url(world, f"?ranking={world.category.pk}&all=1")).content.decode()
    assert len(_rows(everything)) == MANY
    # An entry the page does not show is still decided by its id (checked against the whole category).
    gold = world.tier("gold")
    key = f"tier-{gold.pk}-decide"
    response = client.post(f"/e/{world.edition.slug}/awards/tiers/{gold.pk}/decide/",
                           {f"{key}-application": world.entries[-1].pk, f"{key}-reason": "The committee's view."})
    assert response.status_code == 302
    assert AwardDecision.objects.get().application == world.entries[-1]


def test_a_bad_page_or_category_in_the_query_shows_the_first_page(client, login):
    world = award_world([10 - i * 0.05 for i in range(MANY)])
    login(world.role("committee"))
    for query in ("?ranking=abc&page=zz", "?ranking=999999&page=3", f"?ranking={world.category.pk}&page=999"):
        response = client.get(_url(world, query))
        assert response.status_code == 200
    last = client.get(_url(world, f"?ranking={world.category.pk}&page=999")).content.decode()
    assert _rows(last)[-1] == f"Entry {MANY}"  # Django's get_page: past the end is the last page
