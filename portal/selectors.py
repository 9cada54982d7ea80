"""Reads that span relations, with their joins applied."""

from collections import defaultdict

from django.db.models import Q, QuerySet

from .models import AuditEntry, EditionRole, Membership, RoleInvitation, User


def user_memberships(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")


def user_roles_by_edition(*, user: User) -> list[tuple]:
    """[(edition, [role display, ...]), ...] for the dashboard."""
    grouped: dict = defaultdict(list)
    for edition_role in EditionRole.objects.filter(user=user).select_related("edition").order_by("-edition__opens_at"):
        grouped[edition_role.edition].append(edition_role.get_role_display())
    return list(grouped.items())


def edition_audit_entries(*, edition, prefixes: tuple[str, ...] = (), actor_id: int | None = None
                          ) -> QuerySet[AuditEntry]:
    """The edition's audit trail, newest first; only actions starting with one of `prefixes` ("review" matches
    "review.submit"), only `actor_id`'s, when given."""
    entries = AuditEntry.objects.filter(edition=edition)
    if prefixes:
        matching = Q()
        for prefix in prefixes:
            matching |= Q(action__startswith=f"{prefix}.")
        entries = entries.filter(matching)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    return entries.select_related("actor", "target_type").order_by("-created_at", "-id")


def edition_audit_actors(*, edition) -> QuerySet[User]:
    """The people who changed something in the edition, for the audit trail's filter."""
    return User.objects.filter(pk__in=AuditEntry.objects.filter(edition=edition, actor__isnull=False)
                               .values("actor_id")).order_by("name", "email")


def edition_role_holders(*, edition) -> QuerySet[EditionRole]:
    return EditionRole.objects.filter(edition=edition).select_related("user").order_by("role", "user__email")


def edition_people(*, edition) -> list[tuple[User, list[EditionRole]]]:
    """Everyone holding a role in `edition`, by name, with their roles: one query."""
    grouped: dict[int, tuple[User, list[EditionRole]]] = {}
    for edition_role in (EditionRole.objects.filter(edition=edition).select_related("user")
                         .order_by("user__name", "user__email", "role")):
        grouped.setdefault(edition_role.user_id, (edition_role.user, []))[1].append(edition_role)
    return list(grouped.values())


def edition_open_invitations(*, edition) -> QuerySet[RoleInvitation]:
    """Invitations of `edition` neither accepted nor revoked (pending or expired), newest first."""
    return (RoleInvitation.objects.filter(edition=edition, accepted_at__isnull=True, revoked_at__isnull=True)
            .select_related("invited_by").order_by("-created_at", "-id"))
