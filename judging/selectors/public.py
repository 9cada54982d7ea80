"""What the public reads once an edition is published: its prizes, awards and winners, nothing else.

Every read here starts from an edition and returns only entries that hold an `AwardDecision` of it; scores
appear only when the edition chose `publish_scores`, and then only the winners' corrected score of the final
round. No judge, review, comment or non-awarded entry is ever read by these functions.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from portal.models import Edition
from submissions.models import Application, ApplicationSnapshot, Category

from ..models import AwardDecision, EditionAward, EntryResult, JudgingRound, PrizeTier

PUBLIC_STATES = [state for state in Edition.State.values if state != Edition.State.DRAFT]


@dataclass
class TierPlaces:
    tier: PrizeTier
    decisions: list[AwardDecision] = field(default_factory=list)  # with an entry, best proposed rank first

    @property
    def empty(self) -> bool:
        return not self.decisions


@dataclass
class CategoryPrizes:
    category: Category
    tiers: list[TierPlaces]


@dataclass
class AwardRecipients:
    award: EditionAward
    decisions: list[AwardDecision]


def public_edition_get(*, slug: str) -> Edition | None:
    """An edition the public may read about: any past its draft."""
    return Edition.objects.filter(slug=slug, state__in=PUBLIC_STATES).first()


def published_editions():
    """Editions whose results are published (what the API lists)."""
    return Edition.objects.filter(state=Edition.State.PUBLISHED)


def public_edition_list():
    return Edition.objects.filter(state__in=PUBLIC_STATES).order_by("-opens_at")


def public_edition_categories(*, edition: Edition) -> list[Category]:
    """The call's categories with their prize tiers (the rules), two queries."""
    return list(edition.categories.prefetch_related("prize_tiers").order_by("position", "name"))


def _awarded_decisions(edition: Edition):
    return (
        AwardDecision.objects.filter(edition=edition, application__isnull=False)
        .select_related("application__organisation", "application__category", "tier", "award", "category")
        .order_by("proposed_rank", "id")
    )


def public_results(*, edition: Edition) -> tuple[list[CategoryPrizes], list[AwardRecipients]]:
    """The category prizes tier by tier, then the edition-level awards, each with its recipients.

    A tier none of whose places went to an entry stays in the list (shown as "no prize in this tier").
    Four queries, whatever the number of winners.
    """
    categories = public_edition_categories(edition=edition)
    awards = list(EditionAward.objects.filter(edition=edition).order_by("position", "id"))
    by_tier: dict[int, list[AwardDecision]] = {}
    by_award: dict[int, list[AwardDecision]] = {}
    for decision in _awarded_decisions(edition):
        if decision.tier_id:
            by_tier.setdefault(decision.tier_id, []).append(decision)
        else:
            by_award.setdefault(decision.award_id, []).append(decision)
    prizes = [
        CategoryPrizes(category, [TierPlaces(tier, by_tier.get(tier.pk, [])) for tier in category.prize_tiers.all()])
        for category in categories
    ]
    # Awards are listed by kind: leadership first, then other awards, then special mentions.
    kind_order = {EditionAward.Kind.LEADERSHIP: 0, EditionAward.Kind.OTHER: 1, EditionAward.Kind.SPECIAL_MENTION: 2}
    recipients = [AwardRecipients(award, by_award[award.pk]) for award in awards if award.pk in by_award]
    recipients.sort(key=lambda item: kind_order.get(item.award.kind, 1))
    return prizes, recipients


def public_winner(*, edition: Edition, application_id: int) -> tuple[Application, list[AwardDecision]] | None:
    """An entry of a published edition and its decisions, or None if it won nothing (one query)."""
    if edition.state != Edition.State.PUBLISHED:
        return None
    decisions = list(
        AwardDecision.objects.filter(edition=edition, application_id=application_id)
        .select_related("application__organisation", "application__category", "tier", "award", "category")
        .order_by("tier__position", "award__position", "id")
    )
    if not decisions:
        return None
    return decisions[0].application, decisions


def public_summary(*, application: Application) -> dict:
    """What the entry submitted last (the snapshot the judges read), never the live draft."""
    snapshot = (
        ApplicationSnapshot.objects.filter(application=application).order_by("-number").values_list("data", flat=True)
        .first()
    )
    data = snapshot or {}
    return {"title": data.get("title") or application.title, "summary": data.get("summary", "")}


def final_round(*, edition: Edition) -> JudgingRound | None:
    return JudgingRound.objects.filter(edition=edition).order_by("-position").first()


def public_scores(*, edition: Edition, application_ids) -> dict[int, float]:
    """The winners' corrected score in the final round, only if the edition publishes scores (else empty)."""
    if not edition.publish_scores:
        return {}
    rows = EntryResult.objects.filter(
        round__in=JudgingRound.objects.filter(edition=edition).order_by("-position")[:1],
        application_id__in=list(application_ids),
    ).values_list("application_id", "corrected")
    return dict(rows)


def public_image_application(*, edition: Edition, application_id: int) -> Application | None:
    """The entry whose public image may be served: awarded in this published edition, with consent and an image."""
    if edition.state != Edition.State.PUBLISHED:
        return None
    return (
        Application.objects.filter(
            pk=application_id, edition=edition, award_decisions__edition=edition, public_image_consent=True,
        )
        .exclude(public_image="")
        .first()
    )


def applicant_decisions_prefetch() -> Prefetch:
    """For an applicant's list of applications: each one's decisions, with their tier and award (one query)."""
    return Prefetch("award_decisions", queryset=AwardDecision.objects.select_related("tier", "award", "category"))
