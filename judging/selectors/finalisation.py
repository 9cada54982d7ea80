"""What the chair reads before finalising and publishing: the committee's decisions, as stored."""

from __future__ import annotations

from django.db.models import F, QuerySet

from portal.models import Edition

from ..models import AwardDecision


def finalisation_decisions(*, edition: Edition) -> QuerySet[AwardDecision]:
    """The edition's award decisions in prize order, with the entry, its organisation, the tier and the award."""
    return (
        AwardDecision.objects.filter(edition=edition)
        .select_related("application__organisation", "category", "tier__category", "award")
        .order_by(F("award_id").asc(nulls_first=True), "category__position", "tier__position", "award__position", "id")
    )
