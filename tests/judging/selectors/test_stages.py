"""`edition_next_step` for every state of an edition and every role, and the confirmation pages' counts."""

import pytest
from django.utils import timezone

from judging.models import Assignment, AssignmentRun, JudgingRound
from judging.selectors.stages import edition_next_step, finalise_summary, round_close_summary, round_open_summary
from portal.models import Edition
from tests.factories import EditionRoleFactory, MembershipFactory, VerifiedUserFactory
from tests.factories.awards import AwardDecisionFactory, PrizeTierFactory
from tests.factories.judging import JudgingRoundFactory
from tests.factories.scoring import make_world
from tests.factories.submissions import CategoryFactory, EditionFactory

pytestmark = pytest.mark.django_db

ROLES = ["secretariat", "chair", "observer", "committee"]
OUTSIDERS = ["judge", "applicant", "stranger", "secretariat elsewhere"]


def _edition(state: str):
    """An edition in `state` with what that state normally holds; returns (edition, the open or first round)."""
    if state in ("draft", "open", "closed"):
        edition = EditionFactory(state=state)
        CategoryFactory(edition=edition)
        return edition, None
    round_state = {"screening": JudgingRound.State.ASSIGNING, "judging": JudgingRound.State.OPEN}.get(
        state, JudgingRound.State.SCORED)
    locked = state in ("finalised", "published")
    world = make_world(edition_state="deliberation" if locked else state, state=round_state)
    if locked:  # a locked edition takes no new rows: lock it once they are in
        Edition.objects.filter(pk=world.edition.pk).update(state=state)
        world.edition.refresh_from_db()
    return world.edition, world.round


def _user(edition, who: str):
    if who in ROLES or who == "judge":
        return EditionRoleFactory(edition=edition, role=who).user
    if who == "applicant":
        return MembershipFactory().user
    if who == "secretariat elsewhere":
        return EditionRoleFactory(role="secretariat").user
    return VerifiedUserFactory()


# (state, next state, url of the page (slug, round pk), who may take the step)
EXPECTED = [
    ("draft", "open", "/e/{slug}/settings/", {"secretariat"}),
    ("open", "closed", "/e/{slug}/settings/", {"secretariat"}),
    ("closed", "screening", "/e/{slug}/settings/", {"secretariat"}),
    ("screening", "judging", "/e/{slug}/rounds/{round}/open/", {"secretariat"}),
    ("judging", "deliberation", "/e/{slug}/scoring/rounds/{round}/close/", {"secretariat"}),
    ("deliberation", "finalised", "/e/{slug}/awards/finalise/", {"chair"}),
    ("finalised", "published", "/e/{slug}/awards/publish/", {"chair"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("state", "following", "url", "actors"), EXPECTED)
def test_the_next_step_for_each_state_and_committee_role(state, following, url, actors, role):
    edition, judging_round = _edition(state)
    step = edition_next_step(edition, _user(edition, role))
    assert (step.state, step.next_state) == (state, following)
    assert step.url == url.format(slug=edition.slug, round=judging_round.pk if judging_round else "")
    assert step.may_act == (role in actors)
    assert step.owner and step.action


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("state", [row[0] for row in EXPECTED])
def test_judges_applicants_and_strangers_get_no_next_step(state, who):
    edition, _round = _edition(state)
    assert edition_next_step(edition, _user(edition, who)) is None


@pytest.mark.parametrize("role", ROLES)
def test_a_published_edition_has_no_next_step(role):
    edition, _round = _edition("published")
    assert edition_next_step(edition, _user(edition, role)) is None


def test_a_draft_without_categories_is_blocked():
    edition = EditionFactory(state="draft")
    step = edition_next_step(edition, _user(edition, "secretariat"))
    assert step.blocking == ["Add at least one category before opening the call."] and not step.ready


def test_screening_without_a_round_points_to_creating_one():
    edition = EditionFactory(state="screening")
    step = edition_next_step(edition, _user(edition, "secretariat"))
    assert step.url == f"/e/{edition.slug}/rounds/new/"
    assert step.blocking == ["The edition has no judging round yet."]


def test_screening_without_assignments_sends_to_the_round_to_run_the_assigner():
    world = make_world(edition_state="screening", state=JudgingRound.State.SCHEDULED, pairs=[])
    step = edition_next_step(world.edition, _user(world.edition, "secretariat"))
    assert step.url == f"/e/{world.edition.slug}/rounds/{world.round.pk}/"
    assert step.blocking == [f"Nobody is assigned in “{world.round.name}” yet: run the assigner."]
    assert step.action == f"Run the assigner for “{world.round.name}”"
    AssignmentRun.objects.create(round=world.round)
    step = edition_next_step(world.edition, _user(world.edition, "secretariat"))
    assert step.blocking == [f"The assigner is still running for “{world.round.name}”."]


def test_judging_with_another_round_unfinished_is_blocked_until_every_round_is_finished():
    world = make_world()
    other = JudgingRoundFactory(edition=world.edition, state=JudgingRound.State.SCHEDULED, name="Final",
                                categories=[world.category])
    step = edition_next_step(world.edition, _user(world.edition, "secretariat"))
    assert step.next_state == "deliberation"
    assert step.url == f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/close/"
    assert step.blocking == [f"Close every round first; still running: {world.round.name}, Final."]
    JudgingRound.objects.filter(pk=world.round.pk).update(state=JudgingRound.State.SCORED)
    step = edition_next_step(world.edition, _user(world.edition, "secretariat"))
    assert step.url == f"/e/{world.edition.slug}/rounds/{other.pk}/"


@pytest.mark.parametrize(("role", "may"), [("secretariat", True), ("chair", True), ("observer", False)])
def test_judging_with_every_round_closed_offers_the_deliberation_button(role, may):
    world = make_world(state=JudgingRound.State.SCORED)
    step = edition_next_step(world.edition, _user(world.edition, role))
    assert step.url == f"/e/{world.edition.slug}/awards/deliberation/"
    assert (step.may_act, step.blocking) == (may, [])


def test_deliberation_says_what_blocks_the_finalisation():
    edition, _round = _edition("deliberation")
    step = edition_next_step(edition, _user(edition, "chair"))
    assert step.blocking == ["The committee has not decided any prize yet: there is nothing to finalise."]


# --- the confirmation pages' counts -----------------------------------------------------------------------------


def test_the_open_summary_counts_judges_to_email_and_assignments():
    world = make_world(judges=3, entries=2, state=JudgingRound.State.ASSIGNING, edition_state="screening")
    Assignment.objects.filter(pk=world.assignment(2, 0).pk).update(state=Assignment.State.RELEASED)
    Assignment.objects.filter(judge=world.judges[1]).update(notified_at=timezone.now())
    summary = round_open_summary(judging_round=world.round)
    assert (summary.judges, summary.assignments, summary.entries, summary.starts_judging) == (2, 5, 2, True)


def test_the_close_summary_counts_missing_reviews_and_late_judges():
    world = make_world(judges=3, entries=2)
    Assignment.objects.filter(judge=world.judges[0]).update(state=Assignment.State.SUBMITTED)
    Assignment.objects.filter(pk=world.assignment(1, 0).pk).update(state=Assignment.State.SUBMITTED)
    Assignment.objects.filter(pk=world.assignment(2, 1).pk).update(state=Assignment.State.RELEASED)
    summary = round_close_summary(judging_round=world.round)
    assert (summary.assignments, summary.missing, summary.late_judges, summary.last_round) == (5, 2, 2, True)
    JudgingRoundFactory(edition=world.edition, state=JudgingRound.State.OPEN, categories=[world.category])
    assert round_close_summary(judging_round=world.round).last_round is False


def test_the_finalise_summary_counts_what_gets_locked():
    world = make_world(state=JudgingRound.State.SCORED, edition_state=Edition.State.DELIBERATION)
    AwardDecisionFactory(tier=PrizeTierFactory(category=world.category), application=world.entries[0])
    summary = finalise_summary(edition=world.edition)
    assert (summary.rounds, summary.reviews, summary.decisions) == (1, 0, 1)
