"""The judge role and the judge profile never disagree, whichever entry point gives or takes the role.

The invariant: every judge role has a profile, every active profile has the role."""

import pytest
from django.core.exceptions import ValidationError

from judging.models import Assignment, JudgeProfile, JudgingRound
from judging.services import judges as judge_services
from judging.services import people as services
from portal.models import AuditEntry, EditionRole, RoleInvitation
from portal.services import role_invitations, roles
from tests.factories import (
    AssignmentFactory,
    EditionFactory,
    EditionRoleFactory,
    JudgingRoundFactory,
    RoleInvitationFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db


def judges_and_profiles(edition) -> tuple[set, dict]:
    role_holders = set(EditionRole.objects.filter(edition=edition, role="judge").values_list("user_id", flat=True))
    profiles = dict(JudgeProfile.objects.filter(edition=edition).values_list("user_id", "active"))
    assert role_holders <= set(profiles), "a judge role without a profile"
    assert {user for user, active in profiles.items() if active} <= role_holders, "an active profile without the role"
    return role_holders, profiles


def _by_role_grant(edition, user, actor):
    roles.role_grant(edition=edition, user=user, role="judge", actor=actor)


def _by_role_change(edition, user, actor):
    EditionRoleFactory(edition=edition, user=user, role="observer")
    roles.role_change(edition=edition, user=user, from_role="observer", to_role="judge", actor=actor)


def _by_invitation(edition, user, actor):
    invitation = RoleInvitationFactory(edition=edition, email=user.email, role="judge", invited_by=actor)
    role_invitations.role_invitation_accept(invitation=invitation, user=user)


def _by_judges_page_service(edition, user, actor):
    services.judge_add_or_invite(edition=edition, email=user.email.upper(), actor=actor)


def _by_profile_create(edition, user, actor):
    judge_services.judge_profile_create(edition=edition, user=user, actor=actor)


GRANTS = [_by_role_grant, _by_role_change, _by_invitation, _by_judges_page_service, _by_profile_create]


@pytest.mark.parametrize("grant", GRANTS, ids=lambda grant: grant.__name__)
def test_every_way_of_giving_the_judge_role_makes_an_active_profile(grant):
    edition, user, actor = EditionFactory(), VerifiedUserFactory(), VerifiedUserFactory()
    grant(edition, user, actor)
    assert judges_and_profiles(edition) == ({user.pk}, {user.pk: True})
    assert AuditEntry.objects.filter(action="judge.create").count() == 1


def test_a_new_account_from_a_judge_invitation_is_a_judge_with_a_profile():
    invitation = RoleInvitationFactory(email="new.judge@example.org", role="judge")
    user = role_invitations.role_invitation_accept_new_account(invitation=invitation, name="New Judge",
                                                               password="a-long-enough-passphrase")
    assert judges_and_profiles(invitation.edition) == ({user.pk}, {user.pk: True})


def _by_role_revoke(edition, user, actor):
    roles.role_revoke(edition=edition, user=user, role="judge", actor=actor)


def _by_change_away(edition, user, actor):
    roles.role_change(edition=edition, user=user, from_role="judge", to_role="observer", actor=actor)


@pytest.mark.parametrize("revoke", [_by_role_revoke, _by_change_away], ids=lambda revoke: revoke.__name__)
def test_taking_the_role_deactivates_the_profile_and_keeps_its_history(revoke):
    edition, actor = EditionFactory(), VerifiedUserFactory()
    user = VerifiedUserFactory()
    roles.role_grant(edition=edition, user=user, role="judge", actor=actor)
    done = AssignmentFactory(round__edition=edition, round__state=JudgingRound.State.SCORED,
                             judge=JudgeProfile.objects.get(user=user), state=Assignment.State.SUBMITTED)
    revoke(edition, user, actor)
    assert judges_and_profiles(edition) == (set(), {user.pk: False})
    assert Assignment.objects.get(pk=done.pk).state == Assignment.State.SUBMITTED

    # Given again, the same profile is active again (one profile per judge and edition).
    roles.role_grant(edition=edition, user=user, role="judge", actor=actor)
    assert judges_and_profiles(edition) == ({user.pk}, {user.pk: True})


def test_an_active_profile_made_on_the_judges_page_brings_the_role_back():
    edition, user = EditionFactory(), VerifiedUserFactory()
    roles.role_grant(edition=edition, user=user, role="judge", actor=None)
    roles.role_revoke(edition=edition, user=user, role="judge", actor=None)
    judge_services.judge_profile_update(judge=JudgeProfile.objects.get(user=user), actor=None, data={"active": True})
    assert judges_and_profiles(edition) == ({user.pk}, {user.pk: True})


@pytest.mark.parametrize("state", [JudgingRound.State.OPEN, JudgingRound.State.ASSIGNING])
@pytest.mark.parametrize("assignment_state", [Assignment.State.ASSIGNED, Assignment.State.SUBMITTED])
def test_a_judge_with_work_in_a_live_round_keeps_the_role(state, assignment_state):
    edition, user = EditionFactory(), VerifiedUserFactory()
    roles.role_grant(edition=edition, user=user, role="judge", actor=None)
    judging_round = JudgingRoundFactory(edition=edition, state=state, name="First round")
    AssignmentFactory(round=judging_round, judge=JudgeProfile.objects.get(user=user), state=assignment_state)
    with pytest.raises(ValidationError, match=r"assignments in a round that is still open \(First round\)") as refused:
        roles.role_revoke(edition=edition, user=user, role="judge", actor=None)
    assert refused.value.code == "live_assignments"
    assert judges_and_profiles(edition) == ({user.pk}, {user.pk: True})


def test_the_judges_page_invites_an_address_without_an_account():
    edition, actor = EditionFactory(), VerifiedUserFactory()
    invitation = services.judge_add_or_invite(edition=edition, email="Someone@New.example", actor=actor, language="ko")
    assert isinstance(invitation, RoleInvitation)
    assert (invitation.email, invitation.role, invitation.language) == ("someone@new.example", "judge", "ko")
    assert judges_and_profiles(edition) == (set(), {})


def test_the_judges_page_makes_a_former_judge_a_judge_again_with_the_same_profile():
    edition, actor, user = EditionFactory(), VerifiedUserFactory(), VerifiedUserFactory()
    roles.role_grant(edition=edition, user=user, role="judge", actor=actor)
    roles.role_revoke(edition=edition, user=user, role="judge", actor=actor)
    judge = services.judge_add_or_invite(edition=edition, email=user.email, actor=actor, capacity=7, active=True)
    assert (judge.pk, judge.capacity) == (JudgeProfile.objects.get(user=user).pk, 7)
    assert judges_and_profiles(edition) == ({user.pk}, {user.pk: True})
