"""The round's "keep panels connected": the assigner's run joins a category's panels of judges, or says it cannot."""

import pytest

from judging.models import AssignmentRun
from judging.selectors.design import round_split_categories
from tests.factories.assignment import active_pairs, assign, eligible, judge, loads, one_category_round
from tests.factories.judging import BidFactory, ConflictFactory

pytestmark = pytest.mark.django_db


def _two_panel_round(*, connected: bool, conflicts: bool = False):
    """Four entries, four experts, two judges each: judges A, B are eager for entries 1, 2 and C, D for 3, 4, so the
    best assignment by affinity is two panels that share nothing."""
    edition, category, judging_round = one_category_round(k=2, connected_panels=connected)
    entries = [eligible(edition, category) for _ in range(4)]
    judges = [judge(edition, expertise=[category], capacity=2) for _ in range(4)]
    for number, profile in enumerate(judges):
        mine = entries[:2] if number < 2 else entries[2:]
        for entry in mine:
            BidFactory(judge=profile, application=entry, level="eager")
        if conflicts:
            for entry in (entries[2:] if number < 2 else entries[:2]):
                ConflictFactory(judge=profile, application=entry)
    return judging_round, entries, judges


def test_without_the_option_the_best_assignment_is_two_panels():
    judging_round, entries, judges = _two_panel_round(connected=False)

    run = assign(judging_round)

    assert run.state == AssignmentRun.State.SUCCEEDED
    assert run.panels == {}
    split = round_split_categories(round=judging_round)
    assert [(s.panels, s.sizes) for s in split] == [(2, (2, 2))]


def test_with_the_option_the_run_swaps_two_reviews_and_the_category_is_one_panel():
    judging_round, entries, judges = _two_panel_round(connected=True)

    run = assign(judging_round)

    assert run.state == AssignmentRun.State.SUCCEEDED
    assert run.panels == {"swaps": 1, "added": 0, "split": {}}
    assert round_split_categories(round=judging_round) == []
    pairs = active_pairs(judging_round)
    assert sorted(sum(1 for a, _j in pairs if a == entry.pk) for entry in entries) == [2, 2, 2, 2]
    assert loads(judging_round) == {profile.pk: 2 for profile in judges}
    # The swap costs the affinity of two eager bids: 4 experts x 2 entries x 10, plus 6 bids x 5.
    assert run.objective == 80 + 30
    assert run.bound == 80 + 40


def test_with_the_option_a_category_that_conflicts_keep_apart_is_reported_and_left_as_solved():
    judging_round, entries, judges = _two_panel_round(connected=True, conflicts=True)

    run = assign(judging_round)

    assert run.state == AssignmentRun.State.SUCCEEDED
    assert run.panels == {"swaps": 0, "added": 0, "split": {"Human-centric": 2}}
    assert len(round_split_categories(round=judging_round)) == 1
