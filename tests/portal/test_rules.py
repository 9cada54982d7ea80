import pytest

from portal.models import EditionRole
from tests.factories import EditionFactory, EditionRoleFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

EDITION_PERMISSIONS = {
    # permission: roles that hold it
    "portal.view_edition_workspace": {"secretariat", "judge", "chair", "observer", "committee"},
    "portal.manage_edition": {"secretariat"},
    "portal.view_audit_trail": {"secretariat", "chair", "observer"},
    "portal.judge_edition": {"judge"},
    "portal.finalise_edition": {"chair"},
}


@pytest.mark.parametrize("role", EditionRole.Role.values)
@pytest.mark.parametrize("permission", sorted(EDITION_PERMISSIONS))
def test_edition_permissions_follow_the_role_in_that_edition_only(role, permission):
    edition, other_edition = EditionFactory(), EditionFactory()
    user = EditionRoleFactory(edition=edition, role=role).user
    expected = role in EDITION_PERMISSIONS[permission]
    assert user.has_perm(permission, edition) is expected
    # A role in one edition gives nothing in another, even for the same person.
    assert user.has_perm(permission, other_edition) is False


@pytest.mark.parametrize("permission", sorted(EDITION_PERMISSIONS))
def test_people_without_a_role_hold_no_edition_permission(permission):
    edition = EditionFactory()
    EditionRoleFactory(edition=edition, role="secretariat")
    assert UserFactory().has_perm(permission, edition) is False


def test_roles_combine_for_one_person():
    edition = EditionFactory()
    user = EditionRoleFactory(edition=edition, role="judge").user
    EditionRoleFactory(edition=edition, role="observer", user=user)
    assert user.has_perm("portal.judge_edition", edition) is True
    assert user.has_perm("portal.view_audit_trail", edition) is True
    assert user.has_perm("portal.manage_edition", edition) is False


def test_organisation_permissions():
    organisation = OrganisationFactory()
    owner = MembershipFactory(organisation=organisation, role="owner").user
    member = MembershipFactory(organisation=organisation, role="member").user
    stranger = MembershipFactory(organisation=OrganisationFactory(), role="owner").user
    assert [owner.has_perm("portal.organisation_view", organisation),
            member.has_perm("portal.organisation_view", organisation),
            stranger.has_perm("portal.organisation_view", organisation)] == [True, True, False]
    assert [owner.has_perm("portal.organisation_manage", organisation),
            member.has_perm("portal.organisation_manage", organisation),
            stranger.has_perm("portal.organisation_manage", organisation)] == [True, False, False]


@pytest.mark.parametrize("role", EditionRole.Role.values)
def test_the_committee_is_the_secretariat_chair_and_observer_of_that_edition_only(role):
    from judging.rules import is_round_committee
    from portal.rules import is_committee
    from submissions.rules import is_edition_reader_of_application
    from tests.factories import ApplicationFactory
    from tests.factories.judging import JudgingRoundFactory

    edition, other_edition = EditionFactory(), EditionFactory()
    user = EditionRoleFactory(edition=edition, role=role).user
    expected = role in {"secretariat", "chair", "observer"}
    application, other_application = ApplicationFactory(edition=edition), ApplicationFactory(edition=other_edition)
    judging_round, other_round = JudgingRoundFactory(edition=edition), JudgingRoundFactory(edition=other_edition)

    assert [is_committee(user, edition), is_committee(user, other_edition), is_committee(user, None)] == [
        expected, False, False]
    # The application and round predicates ask the same question of their edition.
    assert [is_edition_reader_of_application(user, application),
            is_edition_reader_of_application(user, other_application),
            is_edition_reader_of_application(user, None)] == [expected, False, False]
    assert [is_round_committee(user, judging_round), is_round_committee(user, other_round),
            is_round_committee(user, None)] == [expected, False, False]
