"""Two tabs of one judge, a double submit, a finalisation racing a change: no save is silently overwritten.

The first part runs on SQLite too (the version check, the page that keeps the judge's text, the refusals);
the `integration` part lines real requests up with threads on PostgreSQL, where the row locks matter.
"""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from judging.models import AwardDecision, Criterion, Review
from judging.selectors.finalisation import finalisation_version
from judging.services.deliberation import award_decision_revoke
from judging.services.edition_stages import edition_finalise
from judging.services.rubrics import criterion_version
from judging.services.scoring import ReviewInput, review_save, review_save_draft, review_submit
from portal.concurrency import EditedMeanwhile, is_stale, loaded_version
from portal.models import AuditEntry, Edition
from tests.factories import PASSWORD_FOR_TESTS
from tests.factories.scoring import make_world
from worker.models import OutboxMessage

pytestmark = pytest.mark.django_db


def review_url(assignment) -> str:
    return f"/scoring/assignments/{assignment.pk}/"


def posted(world, *values, action="save", version=None, **extra) -> dict:
    data = {f"score_{c.pk}": str(v) for c, v in zip(world.criteria, values, strict=True)}
    data.update({"action": action, "confidence_sent": "1", **extra})
    if version is not None:
        data["version"] = str(version)
    return data


def page_version(response) -> int:
    return int(re.search(r'name="version" value="(\d+)"', response.content.decode()).group(1))


def scores(world, *values, **extra) -> ReviewInput:
    return ReviewInput(scores={c.pk: v for c, v in zip(world.criteria, values, strict=True)}, **extra)


# --- the version check ------------------------------------------------------------------------------------------


def test_the_version_check_itself():
    assert [is_stale(stored=3, loaded=3), is_stale(stored=3, loaded=2), is_stale(stored=3, loaded=None)] == [
        False, True, False]
    assert [loaded_version(v) for v in ("4", 4, "", None, "x", "-1")] == [4, 4, None, None, None, None]


def test_a_save_from_a_tab_loaded_before_another_save_is_refused_and_writes_nothing():
    world = make_world(judges=1, entries=1)
    assignment, judge = world.assignment(0, 0), world.judges[0].user
    first = review_save_draft(assignment=assignment, user=judge, data=scores(world, 7, 7, version=0))
    assert (first.version, first.outcome) == (1, "draft")
    with pytest.raises(EditedMeanwhile) as refused:
        review_save_draft(assignment=assignment, user=judge,
                          data=scores(world, 2, 2, committee_comment="From the older tab", version=0))
    assert refused.value.code == "stale"
    assert refused.value.current_version == 1
    assert "saved in another tab or window at " in refused.value.messages[0]
    review = Review.objects.get()
    assert (review.version, review.committee_comment) == (1, "")
    assert sorted(review.scores.values_list("score", flat=True)) == [7, 7]
    # Loaded at the current version, the same save goes through.
    again = review_save_draft(assignment=assignment, user=judge, data=scores(world, 2, 2, version=1))
    assert (again.version, sorted(again.scores.values_list("score", flat=True))) == (2, [2, 2])


def test_a_stale_save_that_would_change_nothing_is_not_refused_and_writes_nothing():
    world = make_world(judges=1, entries=1)
    assignment, judge = world.assignment(0, 0), world.judges[0].user
    review_save_draft(assignment=assignment, user=judge, data=scores(world, 7, 7, version=0))
    same = review_save_draft(assignment=assignment, user=judge, data=scores(world, 7, 7, version=0))
    assert (same.outcome, Review.objects.get().version) == ("unchanged", 1)
    assert AuditEntry.objects.filter(action="review.draft").count() == 1


def test_a_review_submitted_twice_is_one_submission_with_one_receipt(django_capture_on_commit_callbacks):
    world = make_world(judges=1, entries=1)
    assignment, judge = world.assignment(0, 0), world.judges[0].user
    with django_capture_on_commit_callbacks(execute=True):
        first = review_save(assignment=assignment, user=judge, data=scores(world, 8, 6, version=0), submit=True)
        second = review_save(assignment=assignment, user=judge, data=scores(world, 8, 6, version=0), submit=True)
    assert (first.outcome, second.outcome) == ("submitted", "unchanged")
    assert len(mail.outbox) == 1
    assert AuditEntry.objects.filter(action="review.submit").count() == 1
    assert AuditEntry.objects.filter(action="review.update").count() == 0


def test_a_submitted_review_changed_from_an_older_tab_is_refused():
    world = make_world(judges=1, entries=1)
    assignment, judge = world.assignment(0, 0), world.judges[0].user
    submitted = review_submit(assignment=assignment, user=judge, data=scores(world, 8, 6, version=0), notify=False)
    with pytest.raises(EditedMeanwhile):
        review_save(assignment=assignment, user=judge, data=scores(world, 1, 1, version=0), submit=True)
    assert Review.objects.get().weighted_total == submitted.weighted_total == 7.0


def test_the_version_check_costs_no_query(django_assert_num_queries):
    """The check reads the row the save locks anyway: a save with a version costs what one without does."""
    world = make_world(judges=1, entries=2)
    judge = world.judges[0].user
    counts = []
    for entry, version in ((0, None), (1, 0)):
        review_save_draft(assignment=world.assignment(0, entry), user=judge, data=scores(world, 5, 5))
        with CaptureQueriesContext(connection) as queries:
            review_save(assignment=world.assignment(0, entry), user=judge,
                        data=scores(world, 6, 6, version=None if version is None else 1), submit=True)
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- the review page --------------------------------------------------------------------------------------------


def test_the_page_carries_its_version_and_a_stale_save_keeps_the_judges_text(client, login):
    world = make_world(judges=1, entries=1)
    assignment = world.assignment(0, 0)
    login(world.judges[0].user)
    assert page_version(client.get(review_url(assignment))) == 0
    # Tab one saves; tab two, loaded at version 0, saves other text.
    assert client.post(review_url(assignment), posted(world, 7, 7, version=0, committee_comment="Tab one")
                       ).status_code == 302
    response = client.post(review_url(assignment), posted(world, 3, 3, version=0, committee_comment="Tab two text"))
    assert response.status_code == 409
    body = response.content.decode()
    assert "This review was saved in another tab or window at " in body
    assert "Tab two text" in body  # the judge's text is on the page
    assert "What the saved review holds where yours differs" in body and "Tab one" in body
    assert page_version(response) == 1  # saving again saves over the version now stored
    assert Review.objects.get().committee_comment == "Tab one"
    again = client.post(review_url(assignment), posted(world, 3, 3, version=1, committee_comment="Tab two text"))
    assert again.status_code == 302
    assert Review.objects.get().committee_comment == "Tab two text"


def test_the_stale_message_is_in_korean_for_a_korean_reader(client, login):
    world = make_world(judges=1, entries=1)
    assignment = world.assignment(0, 0)
    login(world.judges[0].user)
    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    client.post(review_url(assignment), posted(world, 7, 7, version=0))
    response = client.post(review_url(assignment), posted(world, 3, 3, version=0))
    assert response.status_code == 409
    body = response.content.decode()
    assert "이 심사가 다른 탭이나 창에서 저장되었습니다" in body
    assert "This review was saved" not in body


def test_a_double_click_on_submit_is_told_it_was_already_done(client, login, django_capture_on_commit_callbacks):
    world = make_world(judges=1, entries=2)
    assignment = world.assignment(0, 0)
    login(world.judges[0].user)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(review_url(assignment), posted(world, 8, 6, action="submit", version=0))
        second = client.post(review_url(assignment), posted(world, 8, 6, action="submit", version=0))
    assert (first.status_code, second.status_code) == (302, 302)
    assert second.url == review_url(assignment)
    assert "nothing was changed, and no second receipt is sent" in client.get(second.url).content.decode()
    assert Review.objects.filter(state="submitted").count() == 1
    assert len(mail.outbox) == 1


def test_autosave_answers_its_version_and_a_stale_autosave_is_refused(client, login):
    world = make_world(judges=1, entries=1)
    assignment = world.assignment(0, 0)
    login(world.judges[0].user)
    url = review_url(assignment) + "autosave/"
    answer = client.post(url, posted(world, 4, 4, version=0)).json()
    assert answer["version"] == 1
    assert client.post(url, posted(world, 5, 5, version=answer["version"])).json()["version"] == 2
    stale = client.post(url, posted(world, 9, 9, version=1))
    assert stale.status_code == 409
    assert stale.json()["stale"] is True
    assert stale.json()["errors"]["__all__"][0].startswith("This review was saved in another tab")
    assert sorted(Review.objects.get().scores.values_list("score", flat=True)) == [5, 5]


def test_a_score_arriving_after_finalisation_is_refused_with_the_text_kept(client, login):
    world = make_world(judges=1, entries=1)
    assignment = world.assignment(0, 0)
    login(world.judges[0].user)
    version = page_version(client.get(review_url(assignment)))
    Edition.objects.filter(pk=world.edition.pk).update(state=Edition.State.FINALISED)
    response = client.post(review_url(assignment),
                           posted(world, 6, 6, version=version, committee_comment="Late but careful"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "The edition is finalised: its scores are locked for good." in body
    assert "Late but careful" in body
    assert not Review.objects.exists()


# --- finalisation against what the chair was shown --------------------------------------------------------------


def test_finalising_what_changed_after_the_page_was_shown_is_refused(deliberating):
    shown = finalisation_version(edition=deliberating.edition)
    award_decision_revoke(decision=deliberating.mention, user=deliberating.chair, reason="Second thoughts")
    with pytest.raises(ValidationError) as refused:
        edition_finalise(edition=deliberating.edition, user=deliberating.chair, shown_version=shown)
    assert refused.value.code == "changed"
    assert Edition.objects.get(pk=deliberating.edition.pk).state == "deliberation"
    current = finalisation_version(edition=deliberating.edition)
    assert current != shown
    edition_finalise(edition=deliberating.edition, user=deliberating.chair, shown_version=current)
    assert Edition.objects.get(pk=deliberating.edition.pk).state == "finalised"


def test_the_finalisation_version_follows_decisions_results_and_scores(deliberating):
    edition = deliberating.edition
    before = finalisation_version(edition=edition)
    assert finalisation_version(edition=edition) == before
    review = Review.objects.filter(assignment__round__edition=edition).first()
    Review.objects.filter(pk=review.pk).update(version=review.version + 1)
    after_score = finalisation_version(edition=edition)
    AwardDecision.objects.filter(pk=deliberating.decision.pk).update(reason="Edited")
    assert len({before, after_score, finalisation_version(edition=edition)}) == 3


def test_the_finalise_page_carries_the_version_it_shows(deliberating, client):
    client.force_login(deliberating.chair)
    body = client.get(f"/e/{deliberating.edition.slug}/awards/finalise/").content.decode()
    shown = re.search(r'name="shown" value="([0-9a-f]+)"', body).group(1)
    assert shown == finalisation_version(edition=deliberating.edition)


# --- at once, on PostgreSQL ---------------------------------------------------------------------------------------


def _tab(user) -> Client:
    tab = Client()
    assert tab.post("/accounts/login/", {"login": user.email, "password": PASSWORD_FOR_TESTS}).status_code == 302
    return tab


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_two_tabs_of_one_judge_saving_at_once_one_saves_and_the_other_is_told(at_once):
    world = make_world(judges=1, entries=1)
    assignment, judge = world.assignment(0, 0), world.judges[0].user
    tabs = [_tab(judge), _tab(judge)]
    responses = at_once(
        lambda: tabs[0].post(review_url(assignment), posted(world, 9, 9, version=0, committee_comment="Tab one")),
        lambda: tabs[1].post(review_url(assignment), posted(world, 2, 2, version=0, committee_comment="Tab two")),
    )
    assert sorted(r.status_code for r in responses) == [302, 409]
    winner = "Tab one" if responses[0].status_code == 302 else "Tab two"
    loser = responses[1] if winner == "Tab one" else responses[0]
    review = Review.objects.get()
    assert (review.committee_comment, review.version) == (winner, 1)
    assert ("Tab two" if winner == "Tab one" else "Tab one") in loser.content.decode()
    assert "saved in another tab or window" in loser.content.decode()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_review_submitted_twice_at_once_is_one_submission_and_one_receipt(at_once):
    world = make_world(judges=1, entries=1)
    assignment, judge = world.assignment(0, 0), world.judges[0].user
    tabs = [_tab(judge), _tab(judge)]
    responses = at_once(*[
        lambda tab=tab: tab.post(review_url(assignment), posted(world, 8, 6, action="submit", version=0))
        for tab in tabs
    ])
    assert [r.status_code for r in responses] == [302, 302]
    assert Review.objects.filter(state="submitted").count() == 1
    assert AuditEntry.objects.filter(action="review.submit").count() == 1
    # One receipt, recorded once in the outbox (whether a worker or the request sends it afterwards).
    assert OutboxMessage.objects.filter(task_name="judging.send_review_receipt").count() == 1
    told = [tab for tab in tabs if "nothing was changed, and no second receipt is sent"
            in tab.get(review_url(assignment)).content.decode()]
    assert len(told) == 1


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_finalisation_racing_a_decision_change_never_locks_what_the_chair_did_not_see(deliberating, at_once):
    edition = deliberating.edition
    shown = finalisation_version(edition=edition)

    def finalise():
        try:
            edition_finalise(edition=edition, user=deliberating.chair, shown_version=shown)
        except ValidationError as error:
            return error.code
        return "finalised"

    def revoke():
        try:
            award_decision_revoke(decision=deliberating.mention, user=deliberating.chair, reason="Second thoughts")
        except ValidationError as error:
            return error.code
        return "revoked"

    outcome = at_once(finalise, revoke)
    state = Edition.objects.get(pk=edition.pk).state
    mention_kept = AwardDecision.objects.filter(pk=deliberating.mention.pk).exists()
    # One of the two went first; the other was refused, never both done and never a silent change.
    assert (outcome, state, mention_kept) in [
        (["finalised", "finalised"], "finalised", True),  # the revocation met the lock (EditionLocked's code)
        (["changed", "revoked"], "deliberation", False),  # the finalisation saw a changed page
    ]


# --- a rubric's criterion in two tabs ----------------------------------------------------------------------------


def criterion_form(criterion, version, **changes) -> dict:
    return {"name_en": criterion.name_en or criterion.name, "scale_min": criterion.scale_min,
            "scale_max": criterion.scale_max, "weight": str(criterion.weight), "loaded_version": version,
            "levels-TOTAL_FORMS": "0", "levels-INITIAL_FORMS": "0", "levels-MIN_NUM_FORMS": "0",
            "levels-MAX_NUM_FORMS": "1000", **changes}


def test_a_criterion_saved_from_a_page_loaded_before_a_colleagues_save_is_refused(client, login):
    world = make_world(judges=1, entries=1)
    criterion = world.criteria[0]
    url = f"/e/{world.edition.slug}/rubrics/{world.rubric.pk}/criteria/{criterion.pk}/"
    login(world.role("secretariat"))
    loaded = re.search(r'name="loaded_version" value="([0-9a-f]+)"', client.get(url).content.decode()).group(1)
    assert loaded == criterion_version(Criterion.objects.get(pk=criterion.pk))
    assert client.post(url, criterion_form(criterion, loaded, name_en="Reach")).status_code == 302
    response = client.post(url, criterion_form(criterion, loaded, name_en="Depth"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "This was changed in another tab or by a colleague after you opened this page." in body
    assert 'value="Depth"' in body
    assert Criterion.objects.get(pk=criterion.pk).name_en == "Reach"
    current = criterion_version(Criterion.objects.get(pk=criterion.pk))
    assert f'name="loaded_version" value="{current}"' in body
    assert client.post(url, criterion_form(criterion, current, name_en="Depth")).status_code == 302
    assert Criterion.objects.get(pk=criterion.pk).name_en == "Depth"
