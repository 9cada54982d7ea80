"""An edition in deliberation, shared by the lock tests (tests/judging/lock) and the concurrency tests."""

from types import SimpleNamespace

import pytest

from judging.models import AwardDecision, JudgingRound
from judging.services.aggregation import round_aggregate
from judging.services.edition_stages import edition_start_deliberation
from judging.services.shortlist import shortlist_top
from tests.factories.awards import AwardDecisionFactory, EditionAwardFactory, PrizeTierFactory
from tests.factories.judging import StageWeightFactory
from tests.factories.scoring import hand_world


@pytest.fixture
def deliberating(db):
    """hand_world's edition, scored and shortlisted, one gold decided and a special mention, in deliberation."""
    world = hand_world()
    round_aggregate(judging_round=world.round)
    secretariat = world.role("secretariat")
    StageWeightFactory(criterion=world.criteria[0], stage="concept", weight=2)
    JudgingRound.objects.filter(pk=world.round.pk).update(state=JudgingRound.State.SCORED)
    world.round.refresh_from_db()
    shortlist_top(judging_round=world.round, per_category=2, user=secretariat)
    tier = PrizeTierFactory(category=world.category)
    decision = AwardDecisionFactory(tier=tier, application=world.entries[0])
    award = EditionAwardFactory(edition=world.edition)
    mention = AwardDecision.objects.create(edition=world.edition, award=award, application=world.entries[1],
                                           citation="For listening to residents.")
    chair = world.role("chair")
    edition_start_deliberation(edition=world.edition, user=secretariat)
    world.edition.refresh_from_db()
    world.round.refresh_from_db()
    return SimpleNamespace(world=world, edition=world.edition, round=world.round, chair=chair,
                           secretariat=secretariat, tier=tier, decision=decision, award=award, mention=mention)
