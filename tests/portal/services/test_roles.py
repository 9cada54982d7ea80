"""Roles: grant, revoke and change, audited; the last secretariat member stays; an unrouted judge role is refused."""

import pytest
from django.core.exceptions import ValidationError

from portal.models import AuditEntry, EditionRole
from portal.services import roles as services
from tests.factories import EditionFactory, EditionRoleFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db


def test_grant_and_revoke_are_audited_once():
    edition, user, actor = EditionFactory(), VerifiedUserFactory(), VerifiedUserFactory()
    services.role_grant(edition=edition, user=user, role="observer", actor=actor)
    services.role_grant(edition=edition, user=user, role="observer", actor=actor)
    services.role_revoke(edition=edition, user=user, role="observer", actor=actor)
    entries = list(AuditEntry.objects.order_by("id").values_list("action", "actor", "edition", "before", "after"))
    assert entries == [
        ("role.grant", actor.pk, edition.pk, None, {"user": user.email, "role": "observer"}),
        ("role.revoke", actor.pk, edition.pk, {"user": user.email, "role": "observer"}, None),
    ]
    assert not EditionRole.objects.exists()


def test_the_last_secretariat_member_cannot_be_removed():
    edition = EditionFactory()
    only = EditionRoleFactory(edition=edition, role="secretariat").user
    EditionRoleFactory(role="secretariat")  # another edition's secretariat does not count
    with pytest.raises(ValidationError, match="last secretariat member") as refused:
        services.role_revoke(edition=edition, user=only, role="secretariat", actor=only)
    assert refused.value.code == "last_secretariat"
    with pytest.raises(ValidationError, match="last secretariat member"):
        services.role_change(edition=edition, user=only, from_role="secretariat", to_role="chair", actor=only)
    assert list(EditionRole.objects.filter(edition=edition).values_list("user", "role")) == [(only.pk, "secretariat")]

    second = EditionRoleFactory(edition=edition, role="secretariat").user
    services.role_revoke(edition=edition, user=only, role="secretariat", actor=second)
    assert list(EditionRole.objects.filter(edition=edition).values_list("user", flat=True)) == [second.pk]


def test_a_change_replaces_one_role_with_another():
    edition = EditionFactory()
    user = EditionRoleFactory(edition=edition, role="observer").user
    services.role_change(edition=edition, user=user, from_role="observer", to_role="chair", actor=None)
    assert list(EditionRole.objects.filter(user=user).values_list("role", flat=True)) == ["chair"]
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == ["role.revoke", "role.grant"]
    with pytest.raises(ValidationError, match="different role"):
        services.role_change(edition=edition, user=user, from_role="chair", to_role="chair", actor=None)
    with pytest.raises(ValidationError, match="does not hold this role"):
        services.role_change(edition=edition, user=user, from_role="observer", to_role="judge", actor=None)


def test_an_unknown_role_is_refused():
    with pytest.raises(ValidationError, match="Choose one of the roles"):
        services.role_grant(edition=EditionFactory(), user=VerifiedUserFactory(), role="king", actor=None)


def test_a_routed_role_without_its_route_is_refused(monkeypatch):
    """Without judging's route (portal alone), the judge role is refused rather than made without a profile."""
    monkeypatch.setattr(services, "_routes", {})
    with pytest.raises(ValidationError, match="cannot be given here"):
        services.role_grant(edition=EditionFactory(), user=VerifiedUserFactory(), role="judge", actor=None)
    assert not EditionRole.objects.exists()
