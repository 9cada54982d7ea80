"""Writes for the roles people hold in an edition, and the installation-wide organiser flag.

A role may have a second half kept by another app: the judge role goes with a judge profile (judging). The portal
cannot import judging, so judging registers a *route* for that role at start-up (`role_route_register`):
`role_grant` and `role_revoke` hand the role to its route, which keeps both halves together and records the row
with `edition_role_add` / `edition_role_remove`. Without a route such a role is refused, never half-made.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import EditionRole, User

from .audit import audit_log

# Roles whose other half lives in another app; the apps register their route in AppConfig.ready().
ROUTED_ROLES = frozenset({EditionRole.Role.JUDGE})


@dataclass(frozen=True)
class RoleRoute:
    grant: Callable[..., EditionRole]  # (*, edition, user, actor) -> EditionRole
    revoke: Callable[..., None]  # (*, edition, user, actor) -> None


_routes: dict[str, RoleRoute] = {}


def role_route_register(role: str, *, grant: Callable[..., EditionRole], revoke: Callable[..., None]) -> None:
    _routes[role] = RoleRoute(grant=grant, revoke=revoke)


def _route(role: str) -> RoleRoute | None:
    if role not in ROUTED_ROLES:
        return None
    if role not in _routes:
        raise ValidationError(_("This role cannot be given here."), code="unrouted")
    return _routes[role]


def _check_role(role: str) -> None:
    if role not in EditionRole.Role.values:
        raise ValidationError({"role": _("Choose one of the roles of an edition.")}, code="role")


@transaction.atomic
def edition_role_add(*, edition, user: User, role: str, actor: User | None = None) -> EditionRole:
    """The row and its audit entry only. Call `role_grant`; a route calls this once its own half exists."""
    _check_role(role)
    edition_role, created = EditionRole.objects.get_or_create(edition=edition, user=user, role=role)
    if created:
        audit_log(actor=actor, action="role.grant", target=edition_role, edition=edition,
                  after={"user": user.email, "role": role})
    return edition_role


def _ensure_not_last_secretariat(edition, user: User) -> None:
    # Locked so that two secretaries removing each other at once cannot both pass the check.
    holders = list(EditionRole.objects.select_for_update().filter(edition=edition, role=EditionRole.Role.SECRETARIAT)
                   .values_list("user_id", flat=True))
    if holders == [user.pk]:
        raise ValidationError(
            _("%(person)s is the edition's last secretariat member: give the role to someone else first.")
            % {"person": user}, code="last_secretariat",
        )


@transaction.atomic
def edition_role_remove(*, edition, user: User, role: str, actor: User | None = None) -> None:
    """The row and its audit entry only (the last secretariat member stays). Call `role_revoke`."""
    if role == EditionRole.Role.SECRETARIAT:
        _ensure_not_last_secretariat(edition, user)
    deleted, _rows = EditionRole.objects.filter(edition=edition, user=user, role=role).delete()
    if deleted:
        audit_log(actor=actor, action="role.revoke", edition=edition, before={"user": user.email, "role": role})


@transaction.atomic
def role_grant(*, edition, user: User, role: str, actor: User | None = None) -> EditionRole:
    """Give `user` `role` in `edition` (nothing happens if they hold it). Routed roles go through their route."""
    _check_role(role)
    route = _route(role)
    if route is not None:
        return route.grant(edition=edition, user=user, actor=actor)
    return edition_role_add(edition=edition, user=user, role=role, actor=actor)


@transaction.atomic
def role_revoke(*, edition, user: User, role: str, actor: User | None = None) -> None:
    """Take `role` in `edition` from `user`. Refused for the edition's last secretariat member."""
    _check_role(role)
    route = _route(role)
    if route is not None:
        route.revoke(edition=edition, user=user, actor=actor)
        return
    edition_role_remove(edition=edition, user=user, role=role, actor=actor)


@transaction.atomic
def role_change(*, edition, user: User, from_role: str, to_role: str, actor: User | None = None) -> EditionRole:
    """Replace one of `user`'s roles with another, both or neither (a refused revoke leaves the old role)."""
    if from_role == to_role:
        raise ValidationError({"role": _("Choose a different role.")}, code="same_role")
    if not EditionRole.objects.filter(edition=edition, user=user, role=from_role).exists():
        raise ValidationError(_("%(person)s does not hold this role any more.") % {"person": user}, code="gone")
    if EditionRole.objects.filter(edition=edition, user=user, role=to_role).exists():
        raise ValidationError({"role": _("%(person)s already holds this role.") % {"person": user}},
                              code="already")
    role_revoke(edition=edition, user=user, role=from_role, actor=actor)
    return role_grant(edition=edition, user=user, role=to_role, actor=actor)


@transaction.atomic
def organiser_grant(*, user: User, actor: User | None = None) -> User:
    """Let `user` create editions. Audited (without an edition: the grant is installation-wide)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_organiser:
        user.is_organiser = True
        user.save(update_fields=["is_organiser"])
        audit_log(actor=actor, action="organiser.grant", target=user, after={"user": user.email})
    return user


@transaction.atomic
def organiser_revoke(*, user: User, actor: User | None = None) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_organiser:
        user.is_organiser = False
        user.save(update_fields=["is_organiser"])
        audit_log(actor=actor, action="organiser.revoke", target=user, before={"user": user.email})
    return user


@transaction.atomic
def authenticator_remove(*, authenticator, actor: User | None) -> None:
    """Remove one of a person's second factors (a lost phone): they set MFA up again at their next privileged page.
    Audited with the type only, never the secret."""
    user = authenticator.user
    audit_log(actor=actor, action="mfa.remove", target=user,
              before={"user": user.email, "authenticator": authenticator.type})
    authenticator.delete()
