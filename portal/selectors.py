"""Reads that span relations, with their joins applied."""

from collections import defaultdict

from django.db.models import QuerySet

from .models import AuditEntry, EditionRole, Membership, User


def user_memberships(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")


def user_roles_by_edition(*, user: User) -> list[tuple]:
    """[(edition, [role display, ...]), ...] for the dashboard."""
    grouped: dict = defaultdict(list)
    for edition_role in EditionRole.objects.filter(user=user).select_related("edition").order_by("-edition__opens_at"):
        grouped[edition_role.edition].append(edition_role.get_role_display())
    return list(grouped.items())


def edition_audit_entries(*, edition) -> QuerySet[AuditEntry]:
    return (
        AuditEntry.objects.filter(edition=edition)
        .select_related("actor", "target_type")
        .order_by("-created_at", "-id")
    )


def edition_role_holders(*, edition) -> QuerySet[EditionRole]:
    return EditionRole.objects.filter(edition=edition).select_related("user").order_by("role", "user__email")
