"""The screening list sorted by column (stable), select-all, and previous/next on the detail page following
the list's filters and sort."""

from datetime import UTC, datetime

import pytest

from tests.factories import ApplicationFactory, CategoryFactory, EditionFactory, EditionRoleFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition():
    return EditionFactory(time_zone="Asia/Seoul")


@pytest.fixture
def entries(edition):
    """Five submitted entries: b, c, a (two in "Tech", position 1), e and d; statuses and times apart."""
    human = CategoryFactory(edition=edition, name="Human", slug="human", position=0)
    tech = CategoryFactory(edition=edition, name="Tech", slug="tech", position=1)
    made = {}
    for title, category, organisation, status, day in (
        ("Bravo", human, "Oslo", "submitted", 3),
        ("Charlie", tech, "Lima", "eligible", 1),
        ("Alpha", tech, "Kyiv", "submitted", 5),
        ("Echo", human, "Accra", "ineligible", 2),
        ("Delta", human, "Lima", "submitted", 4),  # Lima, Ohio
    ):
        made[title] = ApplicationFactory(
            edition=edition, category=category, title=title, status=status,
            organisation=OrganisationFactory(name=organisation, country="US" if title == "Delta" else "PE"),
            submitted_at=datetime(2026, 3, day, tzinfo=UTC))
    ApplicationFactory(edition=edition, category=human, title="A draft", status="draft")
    ApplicationFactory(status="submitted", title="Another edition's")
    return made


@pytest.fixture
def secretariat(client, login, edition):
    user = EditionRoleFactory(edition=edition, role="secretariat").user
    login(user)
    return user


def _titles(client, edition, query: str = "") -> list[str]:
    response = client.get(f"/e/{edition.slug}/screening/" + (f"?{query}" if query else ""))
    assert response.status_code == 200
    return [application.title for application in response.context["page"].object_list]


@pytest.mark.parametrize(("sort", "titles"), [
    ("", ["Bravo", "Charlie", "Alpha", "Echo", "Delta"]),  # by number: the order of the index, read a page at a time
    ("o=title", ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]),
    ("o=-title", ["Echo", "Delta", "Charlie", "Bravo", "Alpha"]),
    ("o=number", ["Bravo", "Charlie", "Alpha", "Echo", "Delta"]),
    ("o=-number", ["Delta", "Echo", "Alpha", "Charlie", "Bravo"]),
    ("o=organisation", ["Echo", "Alpha", "Charlie", "Delta", "Bravo"]),  # Lima twice: by number
    ("o=-organisation", ["Bravo", "Delta", "Charlie", "Alpha", "Echo"]),
    ("o=category", ["Bravo", "Echo", "Delta", "Charlie", "Alpha"]),
    ("o=status", ["Charlie", "Echo", "Bravo", "Alpha", "Delta"]),  # eligible, ineligible, submitted
    ("o=submitted", ["Charlie", "Echo", "Bravo", "Delta", "Alpha"]),
    ("o=-submitted", ["Alpha", "Delta", "Bravo", "Echo", "Charlie"]),
    ("o=bogus", ["Bravo", "Charlie", "Alpha", "Echo", "Delta"]),  # ignored, not an error
])
def test_sort_by_column(client, edition, entries, secretariat, sort, titles):
    assert _titles(client, edition, sort) == titles


def test_sort_keeps_the_filters_and_the_headers_link_to_both_directions(client, edition, entries, secretariat):
    assert _titles(client, edition, "status=submitted&o=-title") == ["Delta", "Bravo", "Alpha"]
    body = client.get(f"/e/{edition.slug}/screening/?status=submitted&o=title&page=1").content.decode()
    # Sorted by title ascending: its header offers descending, the others ascending; filters kept, page dropped.
    assert '<th scope="col" aria-sort="ascending"><a href="?status=submitted&amp;o=-title">' in body
    assert '<th scope="col" aria-sort="none"><a href="?status=submitted&amp;o=organisation">' in body


def test_the_select_all_box_is_there_for_the_secretariat_only(client, login, edition, entries, secretariat):
    body = client.get(f"/e/{edition.slug}/screening/").content.decode()
    assert 'id="select-all"' in body and "submissions/js/screening.js" in body
    client.logout()
    login(EditionRoleFactory(edition=edition, role="observer").user)
    assert 'id="select-all"' not in client.get(f"/e/{edition.slug}/screening/").content.decode()


def test_list_links_carry_the_filters_and_sort_to_the_detail(client, edition, entries, secretariat):
    body = client.get(f"/e/{edition.slug}/screening/?status=submitted&o=title&page=1").content.decode()
    assert f'href="/e/{edition.slug}/screening/{entries["Alpha"].pk}/?status=submitted&amp;o=title"' in body


def _detail(client, edition, application, query: str = ""):
    response = client.get(f"/e/{edition.slug}/screening/{application.pk}/" + (f"?{query}" if query else ""))
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(("query", "current", "previous", "following", "place"), [
    ("o=title", "Bravo", "Alpha", "Charlie", (2, 5)),
    ("o=title", "Alpha", None, "Bravo", (1, 5)),
    ("o=title", "Echo", "Delta", None, (5, 5)),
    ("status=submitted&o=-title", "Bravo", "Delta", "Alpha", (2, 3)),
    ("", "Alpha", "Charlie", "Echo", (3, 5)),
])
def test_previous_and_next_follow_the_lists_filter_and_sort(client, edition, entries, secretariat, query, current,
                                                            previous, following, place):
    response = _detail(client, edition, entries[current], query)
    context = response.context
    assert context["previous_id"] == (entries[previous].pk if previous else None)
    assert context["next_id"] == (entries[following].pk if following else None)
    assert (context["place"], context["count"]) == place
    body = response.content.decode()
    suffix = f"?{query.replace('&', '&amp;')}" if query else ""
    if following:
        assert f'<a rel="next" href="/e/{edition.slug}/screening/{entries[following].pk}/{suffix}">' in body
    else:
        assert 'rel="next"' not in body
    assert f'href="/e/{edition.slug}/screening/{suffix}">Back to the screening list</a>' in body


def test_an_application_outside_the_filter_has_no_neighbours(client, edition, entries, secretariat):
    context = _detail(client, edition, entries["Charlie"], "status=submitted").context
    assert (context["previous_id"], context["next_id"], context["place"], context["count"]) == (None, None, 0, 3)


def test_a_decision_returns_to_the_same_place_in_the_list(client, edition, entries, secretariat):
    url = f"/e/{edition.slug}/screening/{entries['Bravo'].pk}/?status=submitted&o=title"
    response = client.post(url, {"decision": "eligible", "reason": ""})
    assert response.status_code == 302
    assert response.url == url


@pytest.mark.parametrize("rows", [1, 60])
def test_a_sorted_list_costs_the_same_queries_for_one_and_many(client, edition, secretariat, rows,
                                                               django_assert_num_queries):
    category = CategoryFactory(edition=edition)
    ApplicationFactory.create_batch(rows, edition=edition, category=category, status="submitted")
    client.get(f"/e/{edition.slug}/screening/")  # warm the session and content-type caches
    with django_assert_num_queries(10):  # the page's files counted for the page
        response = client.get(f"/e/{edition.slug}/screening/?o=-submitted&status=submitted")
    assert len(response.context["page"].object_list) == min(rows, 50)


@pytest.mark.parametrize("rows", [1, 30])
def test_the_detail_costs_the_same_queries_for_one_and_many_in_the_list(client, edition, secretariat, rows,
                                                                        django_assert_num_queries):
    category = CategoryFactory(edition=edition)
    applications = ApplicationFactory.create_batch(rows, edition=edition, category=category, status="submitted")
    url = f"/e/{edition.slug}/screening/{applications[0].pk}/?o=title"
    client.get(url)
    with django_assert_num_queries(11):
        assert client.get(url).status_code == 200
