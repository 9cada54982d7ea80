"""The committee vote's permissions: per role, in that edition only."""

import pytest

from portal.models import EditionRole
from tests.factories import EditionRoleFactory, JudgingRoundFactory

pytestmark = pytest.mark.django_db

HOLDERS = {
    "judging.vote": {"chair", "committee"},
    "judging.view_votes": {"chair", "committee", "secretariat", "observer"},
}


@pytest.mark.parametrize("role", EditionRole.Role.values)
@pytest.mark.parametrize("permission", sorted(HOLDERS))
def test_vote_permissions_follow_the_role_in_the_rounds_edition_only(role, permission):
    judging_round = JudgingRoundFactory(committee_vote=True)
    holder = EditionRoleFactory(edition=judging_round.edition, role=role).user
    elsewhere = EditionRoleFactory(role=role).user
    assert holder.has_perm(permission, judging_round) is (role in HOLDERS[permission])
    assert elsewhere.has_perm(permission, judging_round) is False


@pytest.mark.parametrize("role", EditionRole.Role.values)
def test_the_workspace_link_to_the_votes_follows_the_same_roles(role):
    judging_round = JudgingRoundFactory(committee_vote=True)
    holder = EditionRoleFactory(edition=judging_round.edition, role=role).user
    assert holder.has_perm("judging.view_edition_votes", judging_round.edition) is (
        role in HOLDERS["judging.view_votes"])
