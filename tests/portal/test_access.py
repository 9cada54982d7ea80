"""An edition URL's edition and the visitor's roles in it: one query for a role holder, and the permission and MFA
checks that follow ask nothing more."""

import pytest
from django.http import Http404

from portal.access import _edition_by_slug, holds, needs_mfa_setup
from portal.models import EditionRole
from tests.factories import EditionFactory, EditionRoleFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db


def _request(rf, user):
    request = rf.get("/")
    request.user = user
    return request


def test_a_role_holder_costs_one_query_for_the_edition_and_all_their_roles(rf, settings, django_assert_num_queries):
    settings.PORTAL_MFA_REQUIRED = True
    judge = EditionRoleFactory(role=EditionRole.Role.JUDGE)
    EditionRoleFactory(user=judge.user, edition=judge.edition, role=EditionRole.Role.OBSERVER)
    EditionRoleFactory(user=judge.user, role=EditionRole.Role.CHAIR)  # another edition's role counts for nothing
    with django_assert_num_queries(1):
        edition = _edition_by_slug(_request(rf, judge.user), slug=judge.edition.slug)
    assert edition == judge.edition
    with django_assert_num_queries(0):
        assert holds(judge.user, "portal.judge_edition", edition) is True
        assert holds(judge.user, "portal.view_audit_trail", edition) is True  # as observer
        assert holds(judge.user, "portal.finalise_edition", edition) is False
    with django_assert_num_queries(1):  # only whether an authenticator is set up
        assert needs_mfa_setup(judge.user, edition) is True


def test_someone_without_a_role_gets_the_edition_and_no_permission(rf):
    edition = EditionFactory()
    EditionRoleFactory(edition=edition, role=EditionRole.Role.SECRETARIAT)
    stranger = VerifiedUserFactory()
    EditionRoleFactory(user=stranger, role=EditionRole.Role.SECRETARIAT)  # in another edition
    assert _edition_by_slug(_request(rf, stranger), slug=edition.slug) == edition
    assert holds(stranger, "portal.manage_edition", edition) is False
    assert holds(stranger, "portal.view_edition_workspace", edition) is False


def test_an_unknown_edition_is_a_404(rf):
    role = EditionRoleFactory()
    with pytest.raises(Http404):
        _edition_by_slug(_request(rf, role.user), slug="no-such-edition")
