"""Named permission predicates (django-rules). Views declare which permission they need.

Every predicate takes (user, edition). Roles are per edition: holding a role in one
edition gives nothing in another.
"""

import rules

from .models import EditionRole


def _roles_cache(user) -> dict:
    # Cached per request on the user object: several predicates ask the same question.
    return user.__dict__.setdefault("_edition_roles_cache", {})


def remember_roles(user, edition, roles) -> None:
    """Record `user`'s roles in `edition` as just read with it (portal.access loads both in one query)."""
    _roles_cache(user)[edition.pk] = frozenset(roles)


def _roles(user, edition) -> frozenset[str]:
    if edition is None or not user.is_authenticated:
        return frozenset()
    cache = _roles_cache(user)
    if edition.pk not in cache:
        cache[edition.pk] = frozenset(
            EditionRole.objects.filter(user=user, edition=edition).values_list("role", flat=True)
        )
    return cache[edition.pk]


def _has_role(role: str):
    @rules.predicate(name=f"is_{role}")
    def predicate(user, edition) -> bool:
        return role in _roles(user, edition)

    return predicate


is_secretariat = _has_role(EditionRole.Role.SECRETARIAT)
is_judge = _has_role(EditionRole.Role.JUDGE)
is_chair = _has_role(EditionRole.Role.CHAIR)
is_observer = _has_role(EditionRole.Role.OBSERVER)
# A committee member deliberates on the prizes and votes on a final round's shortlist (issue 9).
is_committee_member = _has_role(EditionRole.Role.COMMITTEE)
has_any_role = is_secretariat | is_judge | is_chair | is_observer | is_committee_member
# The committee reads everything in its edition (applications, rounds, the audit trail); a judge is not on it.
is_committee = is_secretariat | is_chair | is_observer


def via_edition(edition_predicate, name: str, *, edition_of=lambda obj: obj.edition) -> rules.Predicate:
    """An edition-level role predicate asked of an object of that edition (a round, an application, ...).

    False without an object. Every app's object-level role predicates are made with this one adapter.
    """

    def predicate(user, obj) -> bool:
        return obj is not None and edition_predicate(user, edition_of(obj))

    return rules.Predicate(predicate, name=name)

@rules.predicate
def is_organiser(user) -> bool:
    """May create editions (installation-wide; see `User.is_organiser`)."""
    return user.is_authenticated and user.is_active and user.is_organiser


rules.add_perm("portal.create_edition", is_organiser)
rules.add_perm("portal.view_edition_workspace", has_any_role)
rules.add_perm("portal.manage_edition", is_secretariat)
rules.add_perm("portal.view_audit_trail", is_committee)
rules.add_perm("portal.judge_edition", is_judge)
rules.add_perm("portal.finalise_edition", is_chair)


@rules.predicate
def is_organisation_member(user, organisation) -> bool:
    return user.is_authenticated and organisation is not None and organisation.memberships.filter(user=user).exists()


@rules.predicate
def is_organisation_owner(user, organisation) -> bool:
    return (
        user.is_authenticated
        and organisation is not None
        and organisation.memberships.filter(user=user, role="owner").exists()
    )


rules.add_perm("portal.organisation_view", is_organisation_member)
rules.add_perm("portal.organisation_manage", is_organisation_owner)

# People and roles (portal/views/roles.py): the committee reads who holds which role; the secretariat changes it.
rules.add_perm("portal.view_roles", is_committee)
rules.add_perm("portal.manage_roles", is_secretariat)

# The edition's outbox (portal/views/outbox.py): the committee reads what has not gone out; the secretariat retries.
rules.add_perm("portal.view_outbox", is_committee)
rules.add_perm("portal.retry_outbox", is_secretariat)
# Webhooks carry a signing secret and decide where the edition's events go: the secretariat's alone.
rules.add_perm("portal.manage_webhooks", is_secretariat)
