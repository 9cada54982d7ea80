"""The committee's leaderboard, entry breakdown, runs and charts; the applicant's feedback card."""

import re

import pytest
from django.utils import translation
from pytest_django.asserts import assertInHTML

from judging.models import AggregationRun, EntryResult, JudgingRound
from judging.services.aggregation import round_aggregate
from judging.services.scoring import ReviewInput, review_submit
from portal.models import Edition, EditionRole, Organisation
from submissions.models import Application
from tests.factories import EditionRoleFactory, MembershipFactory
from tests.factories.judging import AssignmentFactory
from tests.factories.scoring import hand_world, make_world, scored_world, submitted_entry

pytestmark = pytest.mark.django_db


def board_url(world, **query) -> str:
    suffix = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/results/" + (f"?{suffix}" if suffix else "")


def entry_url(world, application) -> str:
    return f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/results/{application.pk}/"


@pytest.fixture
def scored():
    """The hand-computed round (see test_aggregation_service), with a committee comment, aggregated."""
    world = hand_world()
    review_submit(assignment=world.assignment(0, 0), user=world.judges[0].user, notify=False,
                  data=ReviewInput(committee_comment="Committee-only remark"))
    round_aggregate(judging_round=world.round)
    return world


# --- who opens what -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["secretariat", "chair", "observer"])
def test_the_committee_reads_the_leaderboard_and_the_breakdown(client, login, scored, role):
    login(scored.role(role))
    response = client.get(board_url(scored))
    assert response.status_code == 200
    assert [row.title for row in response.context["bands"][0]["rows"]] == [
        "Entry 1", "Entry 2", "Entry 3", "Entry 4"
    ]
    response = client.get(entry_url(scored, scored.entries[0]))
    assert response.status_code == 200
    assert "Committee-only remark" in response.content.decode()


@pytest.mark.parametrize("who", ["judge", "judge and chair", "applicant", "someone else's secretariat"])
def test_judges_applicants_and_strangers_never_see_results(client, login, scored, who):
    if who == "judge":
        user = scored.judges[0].user
    elif who == "judge and chair":
        user = scored.judges[1].user
        EditionRoleFactory(edition=scored.edition, user=user, role=EditionRole.Role.CHAIR)
    elif who == "applicant":
        user = MembershipFactory(organisation=scored.entries[0].organisation).user
    else:
        user = EditionRoleFactory(role="secretariat").user
    login(user)
    for url in (board_url(scored), entry_url(scored, scored.entries[0]),
                f"/e/{scored.edition.slug}/scoring/rounds/{scored.round.pk}/shortlist/"):
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 403, url
        assert "Entry 1" not in body and "Committee-only remark" not in body and "6.00" not in body


def test_anonymous_visitors_are_sent_to_log_in(client, scored):
    response = client.get(board_url(scored))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


# --- what the leaderboard shows -------------------------------------------------------------------------------------


def test_the_leaderboard_shows_raw_and_corrected_scores_ties_flags_and_review_counts(client, login, scored):
    login(scored.role("observer"))
    body = client.get(board_url(scored)).content.decode()
    rows = re.findall(r"<tr>\s*<td>(=?\d+)</td>\s*<td><a [^>]+>(Entry \d)</a>", body)
    assert rows == [("1", "Entry 1"), ("=2", "Entry 2"), ("=2", "Entry 3"), ("4", "Entry 4")]
    assert "5.50" in body and "6.00" in body and "6.50" in body
    assert "2/3" in body and "3/3" in body
    assert "reviews missing" in body and "tie" in body
    # The method as the reader's language names it, then the name the results recorded, marked as English.
    assert "Method: Judges&#x27; leniency only (method 1), version 1.1." in body
    assert '(<span lang="en">least-squares judge offsets</span>)' in body


def test_peer_bands_rank_entries_within_their_stage_and_population_band(client, login, scored):
    a, b, c, d = scored.entries
    Application.objects.filter(pk__in=[a.pk, c.pk]).update(stage=Application.Stage.SCALED)
    Organisation.objects.filter(pk__in=[b.organisation_id, d.organisation_id]).update(
        population_band=Organisation.PopulationBand.UNDER_100K)
    login(scored.role("secretariat"))
    bands = client.get(board_url(scored, group_by="stage")).context["bands"]
    assert [(band["label"], [(r.title, r.band_rank) for r in band["rows"]]) for band in bands] == [
        ("Pilot", [("Entry 2", 1), ("Entry 4", 2)]),
        ("Scaled", [("Entry 1", 1), ("Entry 3", 2)]),
    ]
    bands = client.get(board_url(scored, band="lt100k")).context["bands"]
    assert [[(r.title, r.rank, r.band_rank) for r in band["rows"]] for band in bands] == [
        [("Entry 2", 2, 1), ("Entry 4", 4, 2)]
    ]


def test_the_charts_are_inline_svg_without_style_or_script(client, login, scored):
    login(scored.role("chair"))
    body = client.get(board_url(scored)).content.decode()
    assert body.count("<svg") == 3  # corrected and raw distributions of the one category, and the leniency chart
    assert " style=" not in body and "<script>" not in body and "<style" not in body
    assert 'class="bar lenient"' in body and 'class="bar severe"' in body


def test_the_entry_breakdown_shows_each_judges_scores_and_the_explanation_card(client, login, scored):
    login(scored.role("secretariat"))
    response = client.get(entry_url(scored, scored.entries[1]))
    body = response.content.decode()
    assert [(row["judge"], [cell.score for cell in row["cells"]], round(row["offset"], 6))
            for row in response.context["table"]] == sorted(
        [(scored.judges[0].user, [5], -1.0), (scored.judges[1].user, [6], 0.0)], key=lambda t: t[0].email)
    assert "How this score was reached" in body
    assert "+0.50" in body  # the correction
    assert response.context["card"]["criteria"] == [
        {"name": "Criterion 1", "median": 5.5, "n": 2, "scale_min": 0, "scale_max": 10}
    ]


def test_peer_bands_that_select_no_entry_show_an_empty_board(client, login, scored):
    login(scored.role("secretariat"))
    response = client.get(board_url(scored, band="gt5m", group_by="band"))
    assert response.status_code == 200
    assert response.context["bands"] == []
    assert "No results in this selection." in response.content.decode()


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("query", [{}, {"stage": "pilot", "band": "lt100k", "group_by": "stage"},
                                   {"stage": "nonsense", "group_by": "nowhere"}])
def test_the_filters_are_written_as_django_renders_the_form(client, login, scored, query, language):
    """The page writes the filters' markup itself (portal/_filter_control.html): it is the markup of the form's own
    widgets, chosen options and the invalid state included."""
    login(scored.role("secretariat"))
    response = client.get(board_url(scored, **query), HTTP_ACCEPT_LANGUAGE=language)
    with translation.override(language):
        expected = "".join(f'<div class="field"><label for="{field.id_for_label}">{field.label}</label>{field}</div>'
                           for field in response.context["filters"])
    assertInHTML(expected, response.content.decode())


@pytest.mark.parametrize("rows", [1, 60])
def test_the_leaderboard_costs_the_same_queries_for_few_and_many_rows(client, login, rows, django_assert_num_queries):
    world = scored_world(entries=rows)
    other = hand_world(category=None)  # another edition's results, never on this board
    round_aggregate(judging_round=other.round)
    login(world.role("secretariat"))
    # (One of them reads the category's prize tiers, where the board's boundaries fall; one reads the page's rows;
    # one reads the round's category summaries: the category's size for the pages, its entries without a result
    # and the charts' bins, counted when the results were written.)
    with django_assert_num_queries(14):
        response = client.get(board_url(world))
    assert response.status_code == 200
    assert len(response.context["bands"][0]["rows"]) == min(rows, 50)
    assert response.context["bands"][0]["count"] == rows
    assert other.entries[0].organisation.name not in response.content.decode()
    with django_assert_num_queries(14):
        assert client.get(board_url(world, page=2)).status_code == 200


# --- computing the results --------------------------------------------------------------------------------------


def test_the_secretariat_recomputes_the_results_and_the_page_follows_the_run(client, login, scored,
                                                                            django_capture_on_commit_callbacks):
    EntryResult.objects.all().delete()
    login(scored.role("secretariat"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/e/{scored.edition.slug}/scoring/rounds/{scored.round.pk}/aggregate/")
    assert response.status_code == 302
    run = AggregationRun.objects.get()
    assert (run.state, run.progress) == ("succeeded", 100)
    assert EntryResult.objects.count() == 4
    progress_url = f"/e/{scored.edition.slug}/scoring/rounds/{scored.round.pk}/runs/{run.pk}/"
    progress = client.get(progress_url).content.decode()
    # The finished computation's partial: the full bar, its state, no failure and no more polling.
    assert '<div id="run-progress-job" class="job-progress" data-state="succeeded">' in progress
    assert ('<progress id="run-progress" max="100" value="100" aria-describedby="run-progress-message">100%'
            '</progress>') in progress
    assert '<p id="run-progress-message" role="status" aria-live="polite">Done</p>' in progress
    assert "hx-get" not in progress and "status-ineligible" not in progress and "Try again" not in progress
    assert client.get(progress_url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"


@pytest.mark.parametrize("role", ["observer", "chair"])
def test_only_the_secretariat_starts_a_computation(client, login, scored, role):
    login(scored.role(role))
    response = client.post(f"/e/{scored.edition.slug}/scoring/rounds/{scored.round.pk}/aggregate/")
    assert response.status_code == 403
    assert AggregationRun.objects.count() == 0


# --- the applicant's feedback -------------------------------------------------------------------------------------


def _feedback(client, login, world, *, state: str, explain: bool):
    Edition.objects.filter(pk=world.edition.pk).update(state=state)
    JudgingRound.objects.filter(pk=world.round.pk).update(explanation_to_applicants=explain)
    member = MembershipFactory(organisation=world.entries[1].organisation).user
    login(member)
    return client.get(f"/scoring/feedback/{world.entries[1].pk}/")


def test_after_publication_the_applicant_reads_comments_and_if_chosen_the_card(client, login):
    world = hand_world()
    review_submit(assignment=world.assignment(0, 1), user=world.judges[0].user, notify=False,
                  data=ReviewInput(applicant_comment="Show more evidence of impact."))
    round_aggregate(judging_round=world.round)
    response = _feedback(client, login, world, state="published", explain=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Show more evidence of impact." in body
    assert "How this score was reached" in body and "+0.50" in body
    assert world.judges[0].user.email not in body and str(world.judges[0].user) not in body


def test_without_the_rounds_choice_the_applicant_sees_no_card(client, login):
    world = hand_world()
    round_aggregate(judging_round=world.round)
    body = _feedback(client, login, world, state="published", explain=False).content.decode()
    assert "How this score was reached" not in body and "5.50" not in body


def test_before_publication_the_applicant_sees_nothing_of_the_judging(client, login):
    world = hand_world()
    review_submit(assignment=world.assignment(0, 1), user=world.judges[0].user, notify=False,
                  data=ReviewInput(applicant_comment="Show more evidence of impact."))
    round_aggregate(judging_round=world.round)
    body = _feedback(client, login, world, state="finalised", explain=True).content.decode()
    assert "Show more evidence of impact." not in body and "How this score was reached" not in body
    assert "once the results of the edition are published" in body


def test_another_organisation_cannot_read_the_feedback(client, login):
    world = hand_world()
    round_aggregate(judging_round=world.round)
    Edition.objects.filter(pk=world.edition.pk).update(state="published")
    JudgingRound.objects.filter(pk=world.round.pk).update(explanation_to_applicants=True)
    login(MembershipFactory(organisation=world.entries[2].organisation).user)
    response = client.get(f"/scoring/feedback/{world.entries[1].pk}/")
    assert response.status_code == 403
    assert "Entry 2" not in response.content.decode()



@pytest.mark.parametrize("rows", [1, 20])
def test_the_feedback_page_costs_the_same_queries_for_one_and_many_comments(client, login, rows,
                                                                            django_assert_num_queries):
    world = make_world(judges=rows + 1, entries=2, criteria=((0, 10, 1),),
                       pairs=[(j, 1) for j in range(rows)] + [(rows, 0)])
    for j in range(rows):
        review_submit(assignment=world.assignment(j, 1), user=world.judges[j].user, notify=False,
                      data=ReviewInput(scores={world.criteria[0].pk: 5 + j % 5}, applicant_comment=f"Comment {j}"))
    # Another entry's comment, in the same round: never shown to this applicant.
    review_submit(assignment=world.assignment(rows, 0), user=world.judges[rows].user, notify=False,
                  data=ReviewInput(scores={world.criteria[0].pk: 7}, applicant_comment="For the other entry"))
    round_aggregate(judging_round=world.round)
    JudgingRound.objects.filter(pk=world.round.pk).update(explanation_to_applicants=True)
    Edition.objects.filter(pk=world.edition.pk).update(state=Edition.State.PUBLISHED)
    login(MembershipFactory(organisation=world.entries[1].organisation).user)
    url = f"/scoring/feedback/{world.entries[1].pk}/"
    client.get(url)  # warm the session
    with django_assert_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    [item] = response.context["rounds"]
    assert item["comments"] == [f"Comment {j}" for j in range(rows)]
    assert "For the other entry" not in response.content.decode()
@pytest.mark.parametrize(("role", "retry"), [("secretariat", True), ("observer", False)])
def test_a_failed_computation_shows_its_error_and_a_retry_button_to_whom_may_recompute(client, login, scored, role,
                                                                                       retry):
    run = AggregationRun.objects.create(round=scored.round, state=AggregationRun.State.FAILED, progress=40,
                                        error="The worker stopped.")
    login(scored.role(role))
    slug, round_pk = scored.edition.slug, scored.round.pk
    progress = client.get(f"/e/{slug}/scoring/rounds/{round_pk}/runs/{run.pk}/").content.decode()
    assert '<div id="run-progress-job" class="job-progress" data-state="failed">' in progress
    assert ('<progress id="run-progress" max="100" value="40" aria-describedby="run-progress-message">40%'
            '</progress>') in progress
    assert '<p class="status-ineligible">The worker stopped.</p>' in progress
    assert "hx-get" not in progress
    retry_form = f'<form method="post" action="/e/{slug}/scoring/rounds/{round_pk}/runs/{run.pk}/retry/">'
    assert (retry_form in progress, "Try again" in progress) == (retry, retry)


# --- method 2 ---------------------------------------------------------------------------------------------------


def test_a_new_round_uses_method_two_and_its_leaderboard_shows_each_entrys_chance_of_each_prize(client, login):
    from judging.models import JudgeResult
    from tests.factories.awards import PrizeTierFactory

    world = hand_world(aggregation_method=JudgingRound.AggregationMethod.CALIBRATED)
    category = world.round.categories.get()
    PrizeTierFactory(category=category, level="gold", places=1, position=1)
    PrizeTierFactory(category=category, level="silver", places=1, position=2)
    assert JudgingRound().aggregation_method == JudgingRound.AggregationMethod.CALIBRATED  # the default
    round_aggregate(judging_round=world.round)
    results = list(EntryResult.objects.filter(round=world.round).order_by("rank"))
    assert {r.method_version for r in results} == {"5.1"}
    for result in results:
        assert len(result.tier_probabilities) == 3 and abs(sum(result.tier_probabilities) - 1) < 1e-3
    assert results[0].tier_probabilities[0] > results[-1].tier_probabilities[0]
    assert all(judge.weight is not None for judge in JudgeResult.objects.filter(round=world.round))

    login(world.role("chair"))
    body = client.get(board_url(world)).content.decode()
    assert "Chance of each prize" in body and re.search(r"prize \d+ %: Gold \d+ %", body)
    assert "Use of the scale" in body and "Weight" in body
    card = client.get(entry_url(world, world.entries[0])).content.decode()
    assert "how widely they use the scale" in card and "version 5.1" in card


def test_method_one_results_keep_their_method_and_show_no_chances(client, login, scored):
    login(scored.role("chair"))
    body = client.get(board_url(scored)).content.decode()
    assert "Chance of each prize" not in body and "Use of the scale" not in body
    assert "version 1.1" in body


def test_the_secretariat_chooses_the_method_and_the_next_computation_uses_it(client, login, scored):
    login(scored.role("secretariat"))
    url = f"/e/{scored.edition.slug}/scoring/rounds/{scored.round.pk}/settings/"
    assert "Calibrated judges" in client.get(url).content.decode()
    response = client.post(url, {"aggregation_method": "calibrated"})
    assert response.status_code == 302
    scored.round.refresh_from_db()
    assert scored.round.aggregation_method == "calibrated"
    assert EntryResult.objects.filter(round=scored.round, method_version="1.1").exists()  # old results kept
    round_aggregate(judging_round=scored.round)
    assert set(EntryResult.objects.filter(round=scored.round).values_list("method_version", flat=True)) == {"5.1"}
    assert client.post(url, {"aggregation_method": "median"}).status_code == 400


def test_observers_read_the_method_but_cannot_change_it(client, login, scored):
    login(scored.role("observer"))
    url = f"/e/{scored.edition.slug}/scoring/rounds/{scored.round.pk}/settings/"
    assert "Judges&#x27; leniency only (method 1)" in client.get(url).content.decode()
    assert client.post(url, {"aggregation_method": "calibrated"}).status_code == 403
    scored.round.refresh_from_db()
    assert scored.round.aggregation_method == "offsets"


def test_the_awards_proposal_shows_each_candidates_chance_of_each_prize_under_method_two():
    from judging.selectors.awards import award_proposal
    from tests.factories.awards import PrizeTierFactory

    world = hand_world(aggregation_method=JudgingRound.AggregationMethod.CALIBRATED)
    PrizeTierFactory(category=world.round.categories.get(), level="gold", places=1, position=1)
    round_aggregate(judging_round=world.round)
    ranking = award_proposal(edition=world.edition).categories[0].ranking
    assert ranking and all(re.fullmatch(r"prize \d+ %(: Gold \d+ %)?", c.chance) for c in ranking)
    assert ranking[0].chance.startswith("prize ") and "Gold" in ranking[0].chance


def test_the_board_shows_the_figures_of_the_last_computation_and_follows_a_recompute(client, login):
    """The category's size, its entries without a result and the charts are stored with the results: the page
    shows them as computed, and a recompute after a new review shows the new ones."""
    world = hand_world()
    late = submitted_entry(edition=world.edition, category=world.category, title="Entry 5")
    late_assignment = AssignmentFactory(round=world.round, judge=world.judges[0], application=late)
    round_aggregate(judging_round=world.round)
    login(world.role("secretariat"))
    response = client.get(board_url(world))
    body = response.content.decode()
    assert "When the results were computed, 1 entry had no submitted review and is not listed." in body
    assert "Human-centric — 4 entries" in body
    assert response.context["distributions"][0]["corrected"]["n"] == 4
    review_submit(assignment=late_assignment, user=world.judges[0].user, notify=False,
                  data=ReviewInput(scores={world.criteria[0].pk: 10}))
    assert "1 entry had no submitted review" in client.get(board_url(world)).content.decode()  # not recomputed yet
    round_aggregate(judging_round=world.round)
    response = client.get(board_url(world))
    body = response.content.decode()
    assert "had no submitted review" not in body
    assert "Human-centric — 5 entries" in body
    assert response.context["distributions"][0]["corrected"]["n"] == 5
    assert response.context["distributions"][0]["corrected"]["bars"][19]["count"] == 1  # the new entry's 10


def test_a_round_never_computed_shows_no_counts_and_empty_charts(client, login):
    world = make_world(judges=1, entries=2)
    login(world.role("secretariat"))
    response = client.get(board_url(world))
    body = response.content.decode()
    assert "The results have not been computed yet." in body
    assert "had no submitted review" not in body
    assert response.context["distributions"][0]["corrected"]["n"] == 0
