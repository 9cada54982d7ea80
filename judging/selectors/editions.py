"""Reads for the organiser's "create an edition" page: the editions they may copy."""

from django.db.models import Count, Q, QuerySet

from portal.models import Edition, EditionRole, User


def edition_copy_sources(*, user: User) -> QuerySet[Edition]:
    """The editions whose secretariat `user` is (the only ones they may copy), newest first, with what a copy
    would take: counts of categories, current form questions, prize tiers, edition awards and rounds. One query."""
    return (
        Edition.objects.filter(roles__user=user, roles__role=EditionRole.Role.SECRETARIAT)
        .annotate(
            category_count=Count("categories", distinct=True),
            section_count=Count("questions", filter=Q(questions__retired_at__isnull=True), distinct=True),
            tier_count=Count("categories__prize_tiers", distinct=True),
            award_count=Count("edition_awards", distinct=True),
            round_count=Count("rounds", distinct=True),
        )
        .order_by("-opens_at", "-id")
    )
