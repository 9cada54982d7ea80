"""What the chair reads before finalising and publishing: the committee's decisions, as stored."""

from __future__ import annotations

import hashlib
import json

from django.db.models import Count, F, Max, QuerySet, Sum

from portal.models import Edition

from ..models import AggregationRun, AwardDecision, Review


def finalisation_decisions(*, edition: Edition) -> QuerySet[AwardDecision]:
    """The edition's award decisions in prize order, with the entry, its organisation, the tier and the award."""
    return (
        AwardDecision.objects.filter(edition=edition)
        .select_related("application__organisation", "category", "tier__category", "award")
        .order_by(F("award_id").asc(nulls_first=True), "category__position", "tier__position", "award__position", "id")
    )


def finalisation_version(*, edition: Edition) -> str:
    """A short digest of what finalising locks: every decision as stored, the results' last computation and the
    reviews' saves. The chair's page carries it; `edition_finalise` refuses when it changed meanwhile (a decision
    edited, results recomputed, a score changed), so the chair never locks what they were not shown. Three queries.
    """
    decisions = list(AwardDecision.objects.filter(edition=edition).order_by("id").values_list(
        "id", "application_id", "category_id", "tier_id", "award_id", "citation", "departs", "reason", "decided_at"))
    results = AggregationRun.objects.filter(round__edition=edition, state=AggregationRun.State.SUCCEEDED).aggregate(
        runs=Count("id"), last=Max("id"))
    reviews = Review.objects.filter(assignment__round__edition=edition).aggregate(
        count=Count("id"), saves=Sum("version"), last=Max("updated_at"))
    text = json.dumps([decisions, results, reviews], default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]
