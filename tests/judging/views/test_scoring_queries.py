"""What a judge's save and submit cost in queries: a fixed number, whatever the rubric's length (issue 13).

The assignment is read once (with its round, edition, judge and entry) and passed down; the rubric the form is
built from goes to the service; the review is read once under the row lock and written once; the score rows in
one INSERT ... ON CONFLICT DO UPDATE; the audit entries of a save in one INSERT; the receipt is one outbox row, sent after
the response. Counted here on SQLite inside the test's transaction, so the request's own transaction is a
SAVEPOINT and its RELEASE (2 of the counts).
"""

import pytest
from django.contrib.contenttypes.models import ContentType

from judging.models import Assignment, CriterionScore, Review, Rubric
from judging.services.scoring import ReviewInput, review_save_draft
from portal.models import AuditEntry
from tests.factories.scoring import make_world
from worker.models import OutboxMessage

pytestmark = pytest.mark.django_db

ONE = ((1, 10, 1),)
MANY = tuple((1, 10, 1 + i % 3) for i in range(8))


def review_url(assignment) -> str:
    return f"/scoring/assignments/{assignment.pk}/"


def every_score(world, value: int, action: str) -> dict:
    data = {f"score_{c.pk}": str(value) for c in world.criteria}
    data.update({f"comment_{c.pk}": "Clear plan." for c in world.criteria})
    data.update({"action": action, "confidence_sent": "1", "confidence": "4", "committee_comment": "Strong."})
    return data


def with_a_draft(criteria):
    """One judge, two entries; a draft of each, the first holding one score (the rubric is frozen since), the
    second only a comment."""
    world = make_world(judges=1, entries=2, criteria=criteria)
    for model in (Assignment, Review, Rubric):
        ContentType.objects.get_for_model(model)  # as in a running server: the content types are cached
    judge = world.judges[0].user
    review_save_draft(assignment=world.assignment(0, 0), user=judge, data=ReviewInput(scores={world.criteria[0].pk: 5}))
    review_save_draft(assignment=world.assignment(0, 1), user=judge, data=ReviewInput(committee_comment="To read."))
    return world


@pytest.mark.parametrize("criteria", [ONE, MANY], ids=["1 criterion", "8 criteria"])
def test_a_submit_over_a_draft_costs_the_same_queries_for_one_criterion_as_for_many(
        client, login, django_assert_num_queries, criteria):
    world = with_a_draft(criteria)
    assignment = world.assignment(0, 0)
    login(world.judges[0].user)
    with django_assert_num_queries(20):
        response = client.post(review_url(assignment), every_score(world, 7, "submit"))
    assert response.status_code == 302 and response.url == review_url(world.assignment(0, 1))
    review = Review.objects.get(assignment=assignment)
    assert (review.state, review.weighted_total, review.confidence, review.version) == ("submitted", pytest.approx(20 / 3), 4, 2)
    assert CriterionScore.objects.filter(review=review, score=7, comment="Clear plan.").count() == len(criteria)
    assert list(AuditEntry.objects.filter(action__in=["assignment.submitted", "review.submit"])
                .order_by("pk").values_list("action", flat=True)) == ["assignment.submitted", "review.submit"]
    assert OutboxMessage.objects.filter(task_name="judging.send_review_receipt",
                                        kwargs={"review_id": review.pk}).count() == 1


@pytest.mark.parametrize("criteria", [ONE, MANY], ids=["1 criterion", "8 criteria"])
def test_a_first_submit_without_a_draft_costs_a_fixed_number_of_queries(
        client, login, django_assert_num_queries, criteria):
    world = make_world(judges=1, entries=2, criteria=criteria)
    for model in (Assignment, Review, Rubric):
        ContentType.objects.get_for_model(model)
    # Another entry's draft froze the rubric (as the edition's first score does, once).
    review_save_draft(assignment=world.assignment(0, 1), user=world.judges[0].user,
                      data=ReviewInput(scores={world.criteria[0].pk: 5}))
    seen = AuditEntry.objects.count()
    login(world.judges[0].user)
    with django_assert_num_queries(20):
        response = client.post(review_url(world.assignment(0, 0)), every_score(world, 7, "submit"))
    assert response.status_code == 302
    # The same trail as a draft saved, then submitted: four entries, in that order, in one INSERT.
    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)[seen:]) == [
        "assignment.in_progress", "review.draft", "assignment.submitted", "review.submit"]
    review = Review.objects.get(assignment=world.assignment(0, 0))
    assert review.state == "submitted"
    assert {entry.target_id for entry in AuditEntry.objects.order_by("pk")[seen:]} == {
        str(review.assignment_id), str(review.pk)}  # the review's entries name the row inserted after them


@pytest.mark.parametrize("criteria", [ONE, MANY], ids=["1 criterion", "8 criteria"])
def test_a_draft_save_costs_the_same_queries_for_one_criterion_as_for_many(
        client, login, django_assert_num_queries, criteria):
    world = with_a_draft(criteria)
    assignment = world.assignment(0, 0)
    login(world.judges[0].user)
    with django_assert_num_queries(17):
        response = client.post(review_url(assignment), every_score(world, 6, "save"))
    assert response.status_code == 302 and response.url == review_url(assignment)
    review = Review.objects.get(assignment=assignment)
    assert (review.state, review.version) == ("draft", 2)
    assert CriterionScore.objects.filter(review=review, score=6).count() == len(criteria)


@pytest.mark.parametrize("criteria", [ONE, MANY], ids=["1 criterion", "8 criteria"])
def test_an_autosave_costs_the_same_queries_for_one_criterion_as_for_many(
        client, login, django_assert_num_queries, criteria):
    world = with_a_draft(criteria)
    login(world.judges[0].user)
    data = every_score(world, 3, "save")
    with django_assert_num_queries(17):
        response = client.post(f"{review_url(world.assignment(0, 0))}autosave/", data)
    assert response.json()["version"] == 2


@pytest.mark.parametrize("criteria", [ONE, MANY], ids=["1 criterion", "8 criteria"])
def test_the_review_page_costs_the_same_queries_for_one_criterion_as_for_many(
        client, login, django_assert_num_queries, criteria):
    """Session, user, the assignment joined with its round, edition, judge, entry and review (read by its key, with
    no ORDER BY), the review's scores, the rubric, its criteria and their stage weights, the snapshot, the
    questions, and the page's shared parts."""
    world = with_a_draft(criteria)
    login(world.judges[0].user)
    client.get(review_url(world.assignment(0, 0)))
    with django_assert_num_queries(PAGE_QUERIES) as captured:
        response = client.get(review_url(world.assignment(0, 0)))
    assert response.status_code == 200
    assert response.content.decode().count('<select name="score_') == len(criteria)
    assignment_reads = [query["sql"] for query in captured.captured_queries
                        if query["sql"].startswith('SELECT "judging_assignment"."id"')]
    assert len(assignment_reads) == 1 and "ORDER BY" not in assignment_reads[0]


PAGE_QUERIES = 11
