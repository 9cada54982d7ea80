"""The deliberation page's board gives the proposal's figures (places, ties, uncertain flags, moves) while it
reads only the ranking's head and one page: compared with `award_proposal`, which reads every entry."""

import random

import pytest

from judging.selectors.award_board import RANKING_PER_PAGE, award_board
from judging.selectors.awards import award_proposal
from judging.services import deliberation as services
from tests.factories.deliberation import award_world

pytestmark = pytest.mark.django_db


def _figures(cp, *, candidates):
    def ids(entries):
        return [c.application.pk for c in entries]
    return {
        "ready": cp.results_ready,
        "tiers": [(tp.tier.pk, ids(tp.proposed), [d.pk for d in tp.decisions], tp.open_places,
                   (ids(tp.tie.entries), tp.tie.places, tp.tie.carried) if tp.tie else None) for tp in cp.tiers],
        "flags": {c.application.pk: [t.pk for t in c.uncertain_at] for c in candidates},
        "chances": {c.application.pk: c.chance for c in candidates},
        "moved_in": ids(cp.moved_in), "moved_away": ids(cp.moved_away),
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_board_gives_the_proposals_places_ties_and_flags_over_the_whole_ranking(seed):
    rng = random.Random(seed)
    scores = [rng.choice([9, 8.5, 8, 8, 7, 6, 6, 5]) + rng.choice([0, 0, 0.25]) for _ in range(60)]
    intervals = [(score - rng.uniform(0.05, 1.5), score + rng.uniform(0.05, 1.5)) for score in scores]
    world = award_world(scores, intervals=intervals)
    other = award_world([4, 3], edition=world.edition, name="Tech-innovative", tiers=(("winner", 1),))
    ranked = sorted(range(60), key=lambda i: -scores[i])
    # A decided place (the fourth entry into gold, with a reason) and a move out of the category.
    services.award_decide(edition=world.edition, tier=world.tier("gold"), application=world.entries[ranked[3]],
                          user=None, reason="The committee's choice.")
    services.entry_move_category(application=world.entries[ranked[1]], category=other.category, user=None,
                                 reason="A technology story.")
    full = award_proposal(edition=world.edition).category(world.category.pk)
    board = award_board(edition=world.edition, ranking_category=world.category.pk, show_all=True)
    shown = board.category(world.category.pk)
    assert shown.total == len(full.ranking) == 59 and len(shown.page.object_list) == 59
    assert [c.application.pk for c in shown.page] == [c.application.pk for c in full.ranking]
    assert _figures(shown, candidates=shown.page.object_list) == _figures(full, candidates=full.ranking)
    assert any(c.uncertain_at for c in full.ranking)  # the worlds do have flags to compare
    moved = board.category(other.category.pk)
    assert _figures(moved, candidates=[]) == _figures(award_proposal(edition=world.edition).category(
        other.category.pk), candidates=[])


def test_a_page_of_the_board_is_the_rankings_page_with_the_same_flags():
    scores = [10 - i * 0.1 for i in range(2 * RANKING_PER_PAGE + 5)]
    world = award_world(scores, intervals=[(s - 0.15, s + 0.15) for s in scores])
    full = award_proposal(edition=world.edition).category(world.category.pk)
    second = award_board(edition=world.edition, ranking_category=world.category.pk, page="2").category(
        world.category.pk)
    expected = full.ranking[RANKING_PER_PAGE:2 * RANKING_PER_PAGE]
    assert [c.application.pk for c in second.page] == [c.application.pk for c in expected]
    assert _figures(second, candidates=second.page.object_list) == _figures(full, candidates=expected)
    first = award_board(edition=world.edition).category(world.category.pk)  # other categories: the first page
    assert [c.application.pk for c in first.page] == [c.application.pk for c in full.ranking[:RANKING_PER_PAGE]]
    assert first.total == len(scores) and first.page.paginator.num_pages == 3
