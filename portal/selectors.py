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


def deletion_requests_for_decider(*, user: User, pk: int | None = None):
    """The deletion requests `user` decides (portal.services.privacy.can_decide_deletion), or decided: those of
    people whose organisations applied to an edition where `user` is the secretariat (every one for a superuser),
    never their own. Pending first, newest first; the person and their organisations read with them (3 queries)."""
    from django.db.models import Case, Prefetch, When

    from .models import DeletionRequest, Edition

    requests = DeletionRequest.objects.exclude(user=user)
    if not user.is_superuser:
        editions = Edition.objects.filter(roles__user=user, roles__role=EditionRole.Role.SECRETARIAT)
        requests = requests.filter(Q(user__memberships__organisation__applications__edition__in=editions)
                                   | Q(decided_by=user))
    if pk is not None:
        requests = requests.filter(pk=pk)
    return (
        requests.distinct().select_related("user", "decided_by")
        .prefetch_related(Prefetch("user__memberships", queryset=Membership.objects.select_related("organisation")))
        .order_by(Case(When(state=DeletionRequest.State.PENDING, then=0), default=1), "-requested_at", "-id")
    )
