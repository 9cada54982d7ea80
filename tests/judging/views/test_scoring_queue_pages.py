"""The judge's queue in pages: the numbers, the links (which keep the search), the whole queue one click away, and
the same queries for one entry as for many."""

import re

import pytest
from django.db.models import Q

from judging.models import Assignment
from judging.services.scoring import ReviewInput, review_save_draft, review_submit
from tests.factories import CategoryFactory
from tests.factories.scoring import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_queue():
    """One judge with 55 entries to do: two pages of 50."""
    return make_world(judges=1, entries=55)


def _url(world) -> str:
    return f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/queue/"


def _get(client, world, query: str = ""):
    return client.get(_url(world) + (f"?{query}" if query else ""))


def _numbers(response) -> list[int]:
    return [int(n) for n in re.findall(r'<tr class="state-[a-z_]+"><td>(\d+)</td>', response.content.decode())]


def test_the_queue_shows_fifty_rows_a_page_numbered_by_their_place(client, login, long_queue):
    login(long_queue.judges[0].user)
    first = _get(client, long_queue)
    assert _numbers(first) == list(range(1, 51))
    body = first.content.decode()
    assert 'aria-label="Pages of your queue"' in body
    assert '<a href="?page=1" aria-current="page">' in body
    assert 'href="?page=2" rel="next"' in body
    assert "Showing 1–50 of 55 rows." in body
    second = _get(client, long_queue, "page=2")
    assert _numbers(second) == list(range(51, 56))
    assert '<a href="?page=2" aria-current="page">' in second.content.decode()


def test_a_page_out_of_range_or_not_a_number_shows_a_page_not_an_error(client, login, long_queue):
    login(long_queue.judges[0].user)
    assert _numbers(_get(client, long_queue, "page=999")) == list(range(51, 56))
    assert _numbers(_get(client, long_queue, "page=abc")) == list(range(1, 51))


def test_the_page_links_keep_the_search(client, login, long_queue):
    login(long_queue.judges[0].user)
    response = _get(client, long_queue, "q=entry&state=to_do")
    body = response.content.decode()
    assert 'href="?q=entry&amp;state=to_do&amp;page=2" rel="next"' in body
    assert 'href="?q=entry&amp;state=to_do&amp;all=1"' in body
    assert _numbers(_get(client, long_queue, "q=entry&state=to_do&page=2")) == list(range(51, 56))


def test_the_whole_queue_is_one_click_away(client, login, long_queue):
    login(long_queue.judges[0].user)
    assert "Show all 55 on one page" in _get(client, long_queue).content.decode()
    response = _get(client, long_queue, "all=1")
    assert _numbers(response) == list(range(1, 56))
    assert 'href="?">Show your queue in pages' in response.content.decode()


def test_a_filtered_page_keeps_the_numbers_of_the_whole_queue(client, login, long_queue):
    judge = long_queue.judges[0]
    Assignment.objects.filter(judge=judge, queue_position__in=[3, 52]).update(state=Assignment.State.SUBMITTED)
    login(judge.user)
    response = _get(client, long_queue, "state=submitted")
    assert _numbers(response) == [3, 52]
    assert "2 of 55 entries match." in response.content.decode()
    # Bare digits: the row of that number, and the entry of that number (#52) if it is in the queue too.
    expected = sorted(Assignment.objects.filter(judge=judge).filter(Q(queue_position=52) | Q(application_id=52))
                      .values_list("queue_position", flat=True))
    assert 52 in expected
    assert _numbers(_get(client, long_queue, "q=52")) == expected


def test_a_blind_search_pages_the_redacted_matches(client, login):
    world = make_world(judges=1, entries=55, blind=True)
    login(world.judges[0].user)
    response = _get(client, world, "q=entry")
    assert _numbers(response) == list(range(1, 51))
    assert response.context["matching"] == 55
    assert _numbers(_get(client, world, "q=entry&page=2")) == list(range(51, 56))


@pytest.mark.parametrize("blind", [False, True])
@pytest.mark.parametrize("rows", [1, 60])
def test_the_queue_costs_the_same_queries_for_one_entry_as_for_many(client, login, django_assert_num_queries, rows,
                                                                    blind):
    # The second judge's entry (the last) is in their queue only.
    world = make_world(judges=2, entries=rows + 1, blind=blind, pairs=[(0, e) for e in range(rows)] + [(1, rows)])
    login(world.judges[0].user)
    # Session, user, the edition read with the judge's role (the page's permission), then the queue's own reads: the
    # progress (a count per state of the judge's assignments, from an index), the round's categories and the page's
    # rows (60 entries are two pages); reading never writes. A blind round reads the applicants' people once more,
    # for the titles that name them.
    with django_assert_num_queries(11 if blind else 10):
        response = client.get(_url(world))
    assert response.status_code == 200
    in_order = list(Assignment.objects.filter(judge=world.judges[0]).order_by("queue_position")
                    .values_list("application_id", flat=True))
    assert [row.application_id for row in response.context["queue"]] == in_order[:50]
    assert [row.number for row in response.context["queue"]] == list(range(1, min(rows, 50) + 1))
    assert response.context["progress"].total == rows
    with django_assert_num_queries(11 if blind else 10):
        response = client.get(_url(world) + "?page=2")
    # The last page for one entry (page 1 again); the second page's ten entries for 60.
    assert [row.application_id for row in response.context["queue"]] == (in_order[50:] or in_order)


def test_the_progress_follows_each_review_and_a_category_filter_counts_its_own(client, login):
    """The progress is counted at each view (never stored): a draft and a submission move it at once; a category
    filter counts its matches (the round's other category has none of this judge's entries)."""
    world = make_world(judges=1, entries=3, criteria=((0, 10, 1),))
    other = CategoryFactory(edition=world.edition, name="Tech-innovative")
    world.round.categories.add(other)
    login(world.judges[0].user)
    progress = client.get(_url(world)).context["progress"]
    assert (progress.done, progress.in_progress, progress.to_do) == (0, 0, 3)
    review_save_draft(assignment=world.assignment(0, 0), user=world.judges[0].user,
                      data=ReviewInput(scores={world.criteria[0].pk: 4}))
    review_submit(assignment=world.assignment(0, 1), user=world.judges[0].user, notify=False,
                  data=ReviewInput(scores={world.criteria[0].pk: 7}))
    response = client.get(_url(world))
    assert (response.context["progress"].done, response.context["progress"].in_progress,
            response.context["progress"].to_do) == (1, 1, 1)
    assert [value for value, _label in response.context["filters"].fields["category"].choices] == [
        "", "Human-centric", "Tech-innovative"]
    response = client.get(_url(world) + "?category=Tech-innovative")
    assert (response.context["matching"], response.context["rows"]) == (0, [])
    response = client.get(_url(world) + "?category=Human-centric&state=submitted")
    assert response.context["matching"] == 1
