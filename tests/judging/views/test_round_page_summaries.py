"""The round page reads the stored assignment summaries, whatever the round's size; its judges have their own page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from judging.models import Assignment, CategoryAssignmentSummary
from judging.services.assignments import assignment_release
from judging.views.assignment import JUDGES_PER_PAGE
from tests.factories import EditionRoleFactory, VerifiedUserFactory
from tests.factories.assignment import assign, eligible, judge, one_category_round

pytestmark = pytest.mark.django_db

# As in test_assignment.py: the round page's queries whatever the round's size.
ROUND_PAGE_QUERIES = 17


def _round(*, entries: int, judges: int, k: int = 1):
    edition, category, judging_round = one_category_round(k=k)
    for _ in range(entries):
        eligible(edition, category)
    profiles = [judge(edition, expertise=[category], capacity=entries) for _ in range(judges)]
    assign(judging_round)
    return edition, category, judging_round, profiles


def _secretariat(edition, login):
    login(EditionRoleFactory(edition=edition, role="secretariat").user)


def test_the_page_shows_the_stored_panels_and_reads_no_assignment_beyond_its_page(client, login):
    edition, category, judging_round, _judges = _round(entries=4, judges=2, k=2)
    # The stored row says two panels; the assignments (every judge on every entry) are one: the page believes the
    # row, so it read the row and not the assignments.
    CategoryAssignmentSummary.objects.filter(round=judging_round, category=category).update(panel_sizes=[1, 1])
    _secretariat(edition, login)

    with CaptureQueriesContext(connection) as queries:
        body = client.get(f"/e/{edition.slug}/rounds/{judging_round.pk}/").content.decode()

    assert "the judges form 2 panels that share no entry (judges per panel: 1, 1)" in body
    reading_assignments = [q["sql"] for q in queries if '"judging_assignment"' in q["sql"]]
    assert len(reading_assignments) == 1  # the page of the list, by its keys on the index
    assert "LIMIT 50" in reading_assignments[0]


def test_a_round_counted_by_no_service_is_counted_from_its_assignments(client, login):
    edition, category, judging_round, _judges = _round(entries=4, judges=2, k=2)
    CategoryAssignmentSummary.objects.filter(round=judging_round).delete()  # as rows written past the services
    _secretariat(edition, login)

    response = client.get(f"/e/{edition.slug}/rounds/{judging_round.pk}/")

    assert [(line.entries, line.short, line.judges, line.assignments, line.panels)
            for line in response.context["category_lines"]] == [(4, 0, 2, 8, 1)]
    assert "Panels are connected" not in response.content.decode()  # the round does not ask for it


@pytest.mark.parametrize(("entries", "judges"), [(1, 1), (60, 9)])
def test_the_round_page_costs_the_same_queries_with_1_or_many_entries_and_judges(entries, judges, client, login,
                                                                                django_assert_num_queries):
    edition, category, judging_round, profiles = _round(entries=entries, judges=judges)
    one_category_round(k=1)  # another edition's round
    _secretariat(edition, login)

    with django_assert_num_queries(ROUND_PAGE_QUERIES):
        response = client.get(f"/e/{edition.slug}/rounds/{judging_round.pk}/")

    assert [(line.entries, line.short, line.judges, line.assignments, line.panels)
            for line in response.context["category_lines"]] == [(entries, 0, judges, entries, judges)]
    assert (response.context["judge_count"], response.context["active_judge_count"]) == (judges, judges)
    assert response.context["short_count"] == 0
    body = response.content.decode()
    assert profiles[0].user.email not in body  # the judges are listed on their own page
    assert f"/e/{edition.slug}/rounds/{judging_round.pk}/judges/" in body


def test_short_entries_come_from_the_summaries_fewest_judges_first(client, login):
    edition, category, judging_round, _judges = _round(entries=3, judges=2, k=2)
    late = eligible(edition, category)  # screened in after the run: no assignment at all
    first = Assignment.objects.filter(round=judging_round).order_by("application_id", "judge_id").first()
    assignment_release(assignment=first, user=None)
    _secretariat(edition, login)

    response = client.get(f"/e/{edition.slug}/rounds/{judging_round.pk}/")

    assert [(entry.pk, entry.judges) for entry in response.context["short_entries"]] == [
        (late.pk, 0), (first.application_id, 1)]
    assert response.context["short_count"] == 2
    assert response.context["late_count"] == 1
    assert "became an entry of this round after its assignments were made" in response.content.decode()


@pytest.mark.parametrize("judges", [1, JUDGES_PER_PAGE + 7])
def test_the_round_judges_page_costs_the_same_queries_with_1_or_many_judges(judges, client, login,
                                                                           django_assert_num_queries):
    edition, category, judging_round, profiles = _round(entries=2, judges=judges)
    judge(one_category_round()[0], user=VerifiedUserFactory(email="elsewhere@example.org"))
    _secretariat(edition, login)
    url = f"/e/{edition.slug}/rounds/{judging_round.pk}/judges/"

    with django_assert_num_queries(9):  # the page of judges, its count, their expertise; the rest every page reads
        response = client.get(url)

    shown = response.context["judges"]
    assert len(shown) == min(judges, JUDGES_PER_PAGE)
    assert "elsewhere@example.org" not in response.content.decode()
    whole = client.get(url + "?all=1")
    assert len(whole.context["judges"]) == judges
    assert whole.context["page_nav"] is None
    assert sum(profile.load for profile in whole.context["judges"]) == 2  # each entry's one judge, in this round


def test_the_round_judges_page_searches_by_name_or_address_and_keeps_what_was_typed(client, login):
    edition, category, judging_round, profiles = _round(entries=2, judges=3)
    wanted = judge(edition, expertise=[category], user=VerifiedUserFactory(email="ji-woo.park@example.org",
                                                                         name="Park Ji-woo"))
    _secretariat(edition, login)
    url = f"/e/{edition.slug}/rounds/{judging_round.pk}/judges/"

    by_address = client.get(url, {"q": "ji-woo.park"})
    by_name = client.get(url, {"q": "park ji"})
    nobody = client.get(url, {"q": "nobody-like-this"}, HTTP_ACCEPT_LANGUAGE="ko")

    assert [profile.pk for profile in by_address.context["judges"]] == [wanted.pk]
    assert [profile.pk for profile in by_name.context["judges"]] == [wanted.pk]
    assert 'value="ji-woo.park"' in by_address.content.decode()
    assert nobody.context["judges"] == []
    assert "검색과 일치하는 심사위원이 없습니다" in nobody.content.decode()


def test_a_judge_cannot_read_the_round_judges_page(client, login):
    edition, category, judging_round, profiles = _round(entries=2, judges=2)
    login(profiles[0].user)

    response = client.get(f"/e/{edition.slug}/rounds/{judging_round.pk}/judges/")

    assert response.status_code == 403
    assert profiles[1].user.email not in response.content.decode()
