"""The judge's queue: search by title or number, filter by the state of the review and by category; blind-safe."""

import re

import pytest
from django.utils import translation
from pytest_django.asserts import assertInHTML

from judging.services.scoring import ReviewInput, review_save, review_submit
from tests.factories import CategoryFactory, OrganisationFactory
from tests.factories.judging import AssignmentFactory
from tests.factories.scoring import make_world, submitted_entry

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    return sorted(re.findall(r'<td><a href="/scoring/assignments/\d+/">([^<]+)</a></td>', response.content.decode()))


@pytest.fixture
def world():
    """One judge with five entries: Entry 1 submitted, Entry 2 a draft, the rest to do; Entry 5 in "Tech"."""
    world = make_world(judges=2, entries=4)
    tech = CategoryFactory(edition=world.edition, name="Tech")
    world.round.categories.add(tech)
    fifth = submitted_entry(edition=world.edition, category=tech, title="Entry 5 water sensors",
                            organisation=OrganisationFactory(name="Springfield Water", city="Springfield"))
    world.entries.append(fifth)
    world.assignments[(0, 4)] = AssignmentFactory(round=world.round, judge=world.judges[0], application=fifth,
                                                  queue_position=5)  # last, as the services place it
    judge = world.judges[0].user
    review_submit(assignment=world.assignment(0, 0), user=judge, notify=False,
                  data=ReviewInput(scores={c.pk: 5 for c in world.criteria}))
    review_save(assignment=world.assignment(0, 1), user=judge, data=ReviewInput(scores={world.criteria[0].pk: 4}),
                submit=False)
    return world


def _get(client, world, query: str = ""):
    return client.get(f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/queue/" + (f"?{query}" if query else ""))


@pytest.mark.parametrize(("query", "titles"), [
    ("", ["Entry 1", "Entry 2", "Entry 3", "Entry 4", "Entry 5 water sensors"]),
    ("state=to_do", ["Entry 3", "Entry 4", "Entry 5 water sensors"]),
    ("state=draft", ["Entry 2"]),
    ("state=submitted", ["Entry 1"]),
    ("category=Tech", ["Entry 5 water sensors"]),
    ("category=Human-centric&state=to_do", ["Entry 3", "Entry 4"]),
    ("q=WATER", ["Entry 5 water sensors"]),
    ("q=entry+3", ["Entry 3"]),
])
def test_search_and_filters(client, login, world, query, titles):
    login(world.judges[0].user)
    response = _get(client, world, query)
    assert response.status_code == 200
    assert _titles(response) == titles
    # The progress counts the whole queue, whatever the filter.
    assert (response.context["progress"].done, response.context["progress"].total) == (1, 5)


def test_search_by_the_entrys_number(client, login, world):
    login(world.judges[0].user)
    assert _titles(_get(client, world, f"q=%23{world.entries[2].pk}")) == ["Entry 3"]


def test_a_search_without_match_says_so(client, login, world):
    login(world.judges[0].user)
    response = _get(client, world, "q=nothing+like+it")
    assert _titles(response) == []
    assert "No entry of your queue matches this search." in response.content.decode()
    assert "0 of 5 entries match." in response.content.decode()


def test_an_unknown_state_is_ignored_not_a_500(client, login, world):
    login(world.judges[0].user)
    response = _get(client, world, "state=bogus")
    assert response.status_code == 200
    assert len(_titles(response)) == 5


def test_the_search_never_reaches_another_judges_entries(client, login, world):
    other = submitted_entry(edition=world.edition, category=world.category, title="Only for the other judge")
    AssignmentFactory(round=world.round, judge=world.judges[1], application=other)
    login(world.judges[0].user)
    assert _titles(_get(client, world, "q=other+judge")) == []


@pytest.mark.parametrize("query", ["Springfield", "springfield+water"])
def test_blind_search_by_organisation_or_city_finds_nothing(client, login, query):
    """In a blind round the search reads the redacted title only: the organisation's name or city finds nothing,
    even where the title names them."""
    world = make_world(judges=1, entries=0, blind=True)
    entry = submitted_entry(edition=world.edition, category=world.category, title="Springfield smart meters",
                            organisation=OrganisationFactory(name="Springfield Water", city="Springfield"))
    AssignmentFactory(round=world.round, judge=world.judges[0], application=entry)
    login(world.judges[0].user)
    response = _get(client, world, f"q={query}")
    assert _titles(response) == []
    assert _titles(_get(client, world, "q=smart+meters")) == ["[withheld] smart meters"]


@pytest.mark.parametrize("blind", [False, True])
@pytest.mark.parametrize("rows", [1, 60])
def test_a_filtered_queue_costs_the_same_queries_for_one_and_many(client, login, rows, blind,
                                                                  django_assert_num_queries):
    world = make_world(judges=1, entries=rows, blind=blind)
    login(world.judges[0].user)
    # The summary (a count per state, the round's categories), then the page: counted and read (a search by title
    # is counted by the database), or in a blind round the matching rows read once and searched in their redacted
    # titles, with the applicants' people.
    with django_assert_num_queries(11):
        response = _get(client, world, "q=entry&state=to_do&category=Human-centric")
    assert len(_titles(response)) == min(rows, 50)
    assert response.context["matching"] == rows


def test_bare_digits_find_the_row_of_that_number(client, login, world):
    login(world.judges[0].user)
    response = _get(client, world, "q=5")
    rows = [row for row in response.context["rows"] if row[0] == 5]
    assert len(rows) == 1
    assert rows[0][2] in _titles(response)


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("query", ["", "q=%3Cb%3Ewater%3C%2Fb%3E&state=draft&category=Tech",
                                   "state=nonsense&category=Nowhere"])
def test_the_filters_are_written_as_django_renders_the_form(client, login, world, query, language):
    """The page writes the filters' markup itself (portal/_filter_control.html): it is the markup of the form's own
    widgets and labels, typed text, chosen options and the invalid state included."""
    login(world.judges[0].user)
    response = client.get(f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/queue/?{query}",
                          HTTP_ACCEPT_LANGUAGE=language)
    with translation.override(language):
        expected = "".join(f'<div class="field">{field.label_tag()} {field}</div>'
                           for field in response.context["filters"])
    assertInHTML(expected, response.content.decode())
