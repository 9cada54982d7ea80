"""Reads for the ceremony material: the awards jobs, who gets a decision e-mail, the awardees, every review."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet

from portal.models import Edition, EditionRole, Membership, User
from submissions.models import Application

from ..models import AwardDecision, AwardJob, DecisionNotice, Review

# Every applicant whose application reached the committee's desk (submitted, then eligible or not) hears the
# decision; drafts and withdrawn applications do not.
NOTIFIED_STATUSES = (Application.Status.SUBMITTED, Application.Status.ELIGIBLE, Application.Status.INELIGIBLE)


def award_jobs(*, edition: Edition) -> QuerySet[AwardJob]:
    return AwardJob.objects.filter(edition=edition).select_related("created_by").order_by("-created_at", "-id")


def notified_applications(*, edition: Edition) -> QuerySet[Application]:
    return Application.objects.filter(edition=edition, status__in=NOTIFIED_STATUSES)


def decision_notice_counts(*, edition: Edition) -> dict[str, int]:
    """How many applicants hear the decision, how many e-mails went out, how many failed (one query)."""
    counts = notified_applications(edition=edition).aggregate(
        applicants=Count("pk"),
        sent=Count("pk", filter=Q(decision_notice__sent_at__isnull=False)),
        failed=Count("pk", filter=Q(decision_notice__sent_at__isnull=True, decision_notice__error__gt="")),
    )
    return {key: value or 0 for key, value in counts.items()}


def pending_notices(*, edition: Edition, ids: list[int]) -> QuerySet[DecisionNotice]:
    """The notices among `ids` not yet claimed, with what their e-mail names."""
    return (DecisionNotice.objects.filter(pk__in=ids, sent_at__isnull=True)
            .select_related("application__organisation", "application__category").order_by("pk"))


def members_by_organisation(*, organisation_ids: set[int]) -> dict[int, list[User]]:
    """Each organisation's members, oldest membership first (the first one's language names the certificate)."""
    members: dict[int, list[User]] = {}
    for membership in (Membership.objects.filter(organisation_id__in=organisation_ids)
                       .select_related("user").order_by("created_at", "pk")):
        if membership.user.is_active:
            members.setdefault(membership.organisation_id, []).append(membership.user)
    return members


def awards_by_application(*, edition: Edition, application_ids: list[int]) -> dict[int, list[AwardDecision]]:
    """The prizes and awards each of these applications received, highest first."""
    by_application: dict[int, list[AwardDecision]] = {}
    for decision in (AwardDecision.objects.filter(edition=edition, application_id__in=application_ids)
                     .select_related("tier", "category", "award")
                     .order_by(F("award__position").asc(nulls_first=True), "tier__position", "pk")):
        by_application.setdefault(decision.application_id, []).append(decision)
    return by_application


def award_decisions(*, edition: Edition) -> QuerySet[AwardDecision]:
    """Every decision of the edition: category prizes by category and tier, then the edition's awards."""
    return (AwardDecision.objects.filter(edition=edition)
            .select_related("application__organisation", "category", "tier", "award")
            .order_by(F("award__position").asc(nulls_first=True), "award_id", "category__position", "category__name",
                      "tier__position", F("proposed_rank").asc(nulls_last=True), "pk"))


def awardee_decisions(*, edition: Edition) -> QuerySet[AwardDecision]:
    """The decisions that give an entry something (tier places left empty are not awardees)."""
    return award_decisions(edition=edition).filter(application__isnull=False)


def edition_chair(*, edition: Edition) -> User | None:
    role = (EditionRole.objects.filter(edition=edition, role=EditionRole.Role.CHAIR)
            .select_related("user").order_by("created_at", "pk").first())
    return role.user if role else None


def edition_reviews(*, edition: Edition) -> QuerySet[Review]:
    """Every review of every round of the edition, with its judge, entry and scores."""
    return (Review.objects.filter(assignment__round__edition=edition)
            .select_related("assignment__round", "assignment__judge__user", "assignment__application__organisation",
                            "assignment__application__category")
            .prefetch_related("scores")
            .order_by("assignment__round__position", "assignment__round_id", "assignment__application_id",
                      "assignment__judge__user__email", "pk"))
