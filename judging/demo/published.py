"""The published demo edition: Seoul Smart City Prize 2023 (demo), run from call to published results.

`seed_published_edition` builds a Seoul-shaped past edition with the same machinery as the judged World
edition (applications, a rubric, judges, one round assigned, every review submitted, the results computed),
then the committee's part, all as the demo chair: deliberation, the proposal accepted per category (a tie at a
tier's end decided by the chair's casting decision, with a reason), the leadership awards and special mentions
given with citations, the minutes, finalisation and publication. Every write goes through the services; once
published the edition is locked and running it again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from judging.models import AggregationRun, AwardDecision, EditionAward, JudgingRound, Review
from judging.selectors.awards import award_proposal
from judging.services import aggregation as aggregation_services
from judging.services import deliberation, edition_stages, round_jobs
from judging.services import prizes as prize_services
from judging.services import rounds as round_services
from judging.services.locks import edition_is_locked
from portal.models import Edition, EditionRole, User
from portal.services import editions as edition_services
from submissions import services as submission_services
from submissions.models import Application

from . import applications, people
from .editions import DEMO_CATEGORIES, SEOUL_TIERS, _edition, _prize_tiers, _seed_rubric
from .judging import seed_judging, seed_scores

PUBLISHED_SLUG = "seoul-2023-demo"
PUBLISHED_SEED = 2023
PUBLISHED_ENTRIES = 20  # ten per main category
MAIN_CATEGORIES = DEMO_CATEGORIES[:2]  # human-centric and tech-innovative
# (kind, name, recipients, citation)
EDITION_AWARDS = (
    (EditionAward.Kind.LEADERSHIP, "Leadership award", 2,
     "For a mayor's office that made residents partners in every stage of the project."),
    (EditionAward.Kind.SPECIAL_MENTION, "Special mention", 2,
     "For an idea small in budget and large in reach, worth following in other cities."),
)


def seed_published_edition(*, users: dict[str, User], judges: int, password: str,
                           warn: Callable[[str], None]) -> Edition:
    """Build (or complete) the published Seoul 2023 demo edition; a published one is left as it is."""
    now = timezone.now().replace(microsecond=0)
    secretariat, chair = users[people.SECRETARIAT], users["chair@demo.example"]
    edition = _edition(
        slug=PUBLISHED_SLUG, name="Seoul Smart City Prize 2023 (demo)", programme="Seoul Smart City Prize",
        description="A past demo edition, published: two main categories with 1 gold, 2 silver and 3 bronze "
                    "each, leadership awards and special mentions.",
        time_zone="Asia/Seoul", opens_at=now - timedelta(days=90), closes_at=now + timedelta(days=1),
    )
    if edition_is_locked(edition):
        if edition.state == Edition.State.FINALISED:
            edition = edition_stages.edition_publish(edition=edition, user=chair)
        return edition
    existing = set(edition.categories.values_list("slug", flat=True))
    for position, (slug, name, description) in enumerate(MAIN_CATEGORIES):
        if slug not in existing:
            submission_services.category_save(edition=edition, user=secretariat, category=None,
                                              data={"slug": slug, "name": name, "description": description,
                                                    "position": position})
    _prize_tiers(edition, user=secretariat, tiers=SEOUL_TIERS)
    people.grant_roles(edition, users, roles=(EditionRole.Role.SECRETARIAT, EditionRole.Role.CHAIR,
                                              EditionRole.Role.OBSERVER))
    if edition.state == Edition.State.DRAFT:
        edition = edition_services.edition_open(edition=edition, user=secretariat)
    if edition.state == Edition.State.OPEN:
        applications.seed_applications(edition, categories=MAIN_CATEGORIES, entries=PUBLISHED_ENTRIES,
                                       password=password, warn=warn)
        applications.screen_all_eligible(edition, user=secretariat)
        edition = edition_services.edition_close(edition=edition, user=secretariat)
        edition = edition_services.edition_update(edition=edition, user=secretariat,
                                                  data={"closes_at": now - timedelta(days=30)})
        edition = edition_services.edition_start_screening(edition=edition, user=secretariat)
        edition = edition_services.edition_start_judging(edition=edition, user=secretariat)
    _seed_rubric(edition, user=secretariat)
    if edition.state == Edition.State.JUDGING:
        _judge(edition, judges=max(judges, 3), secretariat=secretariat)
        edition.refresh_from_db()  # closing the last round moved it to deliberation
    if edition.state == Edition.State.JUDGING:
        edition = edition_stages.edition_start_deliberation(edition=edition, user=chair)
    _deliberate(edition, chair=chair)
    edition = edition_stages.edition_finalise(edition=edition, user=chair)
    return edition_stages.edition_publish(edition=edition, user=chair)


def _judge(edition: Edition, *, judges: int, secretariat: User) -> None:
    """One round, assigned, every review submitted, closed and its results computed here and now."""
    judging_round = seed_judging(edition, judges=judges, seed=PUBLISHED_SEED)
    judging_round.refresh_from_db()
    if judging_round.state == JudgingRound.State.ASSIGNING:
        judging_round = round_services.round_open(round=judging_round, user=secretariat)
    if judging_round.state == JudgingRound.State.OPEN:
        if not Review.objects.filter(assignment__round=judging_round).exists():
            seed_scores(judging_round, seed=PUBLISHED_SEED, submitted_share=1.0)
        judging_round = round_jobs.round_close(round=judging_round, user=secretariat)
    # The close queued a recompute for after the commit; the demo runs it now, so nothing is left pending.
    busy = (AggregationRun.State.PENDING, AggregationRun.State.RUNNING)
    for run in AggregationRun.objects.filter(round__edition=edition, state__in=busy).order_by("pk"):
        aggregation_services.aggregation_run_execute(run=run)


def _deliberate(edition: Edition, *, chair: User) -> None:
    """The committee's decisions, as the chair: each category's proposal, the edition's awards, the minutes."""
    for category in edition.categories.order_by("position", "pk"):
        _decide_ties(edition, category=category, chair=chair)
        proposal = award_proposal(edition=edition).category(category.pk)
        if any(tier.undecided for tier in proposal.tiers):
            deliberation.proposal_accept(edition=edition, category=category, user=chair)
    prized = set(AwardDecision.objects.filter(edition=edition).values_list("application_id", flat=True))
    others = [pk for pk in Application.objects.filter(edition=edition, status=Application.Status.ELIGIBLE)
              .order_by("pk").values_list("pk", flat=True) if pk not in prized]
    for position, (kind, name, recipients, citation) in enumerate(EDITION_AWARDS, start=1):
        award = EditionAward.objects.filter(edition=edition, kind=kind).first() or prize_services.edition_award_save(
            edition=edition, user=chair,
            data={"kind": kind, "name": name, "max_recipients": recipients, "position": position})
        while award.decisions.count() < recipients and others:
            application = Application.objects.get(pk=others.pop(0))
            deliberation.edition_award_give(award=award, application=application, citation=citation, user=chair)
    if not edition.minutes.exists():
        deliberation.minutes_add(
            edition=edition, user=chair, held_on=timezone.localdate(),
            text="The committee met, accepted the proposed ranking in both main categories (the chair's casting "
                 "decision settled any tie at a tier's end) and chose the leadership awards and special mentions.",
        )


def _decide_ties(edition: Edition, *, category, chair: User) -> None:
    """Settle every tie at a tier's end by the chair's casting decision: the first of the tied entries."""
    for _guard in range(20):
        proposal = award_proposal(edition=edition).category(category.pk)
        tie = next((tie for tie in proposal.ties if not tie.carried), None)
        if tie is None:
            return
        deliberation.award_decide(
            edition=edition, tier=tie.tier, application=tie.entries[0].application, user=chair,
            reason="Chair's casting decision: the committee judged its evidence of impact the strongest of the tie.",
        )
