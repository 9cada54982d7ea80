"""The two demo editions, their categories and rubric, moved through their states by the services.

- Seoul Smart City Prize (demo): open for applications, with the demo applications submitted.
- World Smart City Awards (demo): already judged (one winner per category), so a newcomer can
  click through every role with real data: the judges' workbench with assignments, the
  committee's leaderboard with bias-corrected scores, the round page with the assigner's figures.

An edition is created as a draft (no service creates editions; the admin site does) and from
then on changes only through submissions.services: categories with `category_save`, the call
opened with `edition_open`, applications submitted while it is open, then closed, its deadline
moved into the past with `edition_update`, screened and judged. Running it again adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.utils import timezone

from judging.models import Criterion, EntryResult, JudgeProfile, JudgingRound, Review, Rubric, StageWeight
from judging.services import aggregation as aggregation_services
from judging.services import judges as judge_services
from judging.services import prizes as prize_services
from judging.services import rounds as round_services
from judging.services import rubrics as rubric_services
from judging.services.locks import edition_is_locked
from portal.models import Edition, EditionRole, User
from portal.services import editions as edition_services
from submissions import services as submission_services
from submissions.models import Application

from . import applications, people, votes
from .judging import seed_judging, seed_scores

DEMO_SLUG = "seoul-demo"
DEMO_CATEGORIES = [
    ("human-centric", "Human-centric", "Projects that put residents' needs first: inclusion, participation, wellbeing."),
    ("tech-innovative", "Tech-innovative", "New technology applied to city problems, from data platforms to AI."),
    ("safety-resilience", "Safety and resilience", "Preparing for, withstanding and recovering from shocks."),
]
# Each category's prizes: Seoul's 1 gold, 2 silver, 3 bronze; the World Smart City Awards' one winner.
SEOUL_TIERS = (("gold", 1), ("silver", 2), ("bronze", 3))
WORLD_TIERS = (("winner", 1),)
JUDGED_SLUG = "wsca-demo"
JUDGED_SEED = 7
# (name, guidance, weight, weight for concept-stage entries): early work is judged on what it can show.
CRITERIA = [
    ("Impact", "Evidence that residents' lives improved, measured against a baseline.", 3, 1),
    ("Innovation", "What is new here, for this city or for the field.", 2, 3),
    ("Inclusiveness", "Who benefits, and who was involved in the design.", 2, 2),
    ("Scalability", "Could it grow, or be taken up by other cities?", 2, 2),
    ("Sustainability", "Funding, governance and environmental footing beyond the pilot.", 1, 1),
]


def _edition(*, slug: str, name: str, programme: str, description: str, time_zone: str, opens_at: datetime,
             closes_at: datetime) -> Edition:
    """The edition `slug`; a new one starts as a draft, as one created in the admin site does."""
    edition = Edition.objects.filter(slug=slug).first()
    if edition is None:
        edition = Edition(slug=slug, name=name, programme=programme, description=description,
                          time_zone=time_zone, opens_at=opens_at, closes_at=closes_at)
        edition.full_clean()
        edition.save()
    return edition


def _categories(edition: Edition, *, user: User, update: bool) -> None:
    """The demo categories, created where missing (and put back as they were when `update`)."""
    existing = {category.slug: category for category in edition.categories.all()}
    for position, (slug, name, description) in enumerate(DEMO_CATEGORIES):
        category = existing.get(slug)
        if category is None or update:
            submission_services.category_save(
                edition=edition, user=user, category=category,
                data={"slug": slug, "name": name, "description": description, "position": position},
            )


def _prize_tiers(edition: Edition, *, user: User, tiers: tuple[tuple[str, int], ...]) -> None:
    """The categories' prize tiers, created through the prizes service where a category has none yet."""
    for category in edition.categories.filter(prize_tiers__isnull=True):
        for position, (level, places) in enumerate(tiers, start=1):
            prize_services.prize_tier_save(category=category, user=user,
                                           data={"level": level, "places": places, "position": position})


def seed_open_edition(*, users: dict[str, User]) -> Edition:
    """The Seoul demo edition, open for applications, with a role for every demo user."""
    now = timezone.now().replace(microsecond=0)
    secretariat = users[people.SECRETARIAT]
    edition = _edition(
        slug=DEMO_SLUG, name="Seoul Smart City Prize (demo)", programme="Seoul Smart City Prize",
        description="A demo edition: two main categories with 1 gold, 2 silver and 3 bronze each.",
        time_zone="Asia/Seoul", opens_at=now - timedelta(days=30), closes_at=now + timedelta(days=30),
    )
    if edition_is_locked(edition):
        return edition  # finalised or published: locked for good, seeding again changes nothing
    _categories(edition, user=secretariat, update=True)
    _prize_tiers(edition, user=secretariat, tiers=SEOUL_TIERS)
    if edition.state == Edition.State.DRAFT:
        edition = edition_services.edition_open(edition=edition, user=secretariat)
    people.grant_roles(edition, users)
    return edition


def seed_judged_edition(*, users: dict[str, User], entries: int, judges: int, password: str,
                        warn: Callable[[str], None]) -> Edition:
    """Build (or complete) the judged demo edition: `entries` eligible entries, `judges` judges besides the demo's."""
    now = timezone.now().replace(microsecond=0)
    secretariat = users[people.SECRETARIAT]
    edition = _edition(
        slug=JUDGED_SLUG, name="World Smart City Awards (demo)", programme="World Smart City Awards",
        description="A judged demo edition: one winner per category, after a round scored by the committee.",
        time_zone="Europe/Madrid", opens_at=now - timedelta(days=60), closes_at=now + timedelta(days=1),
    )
    if edition_is_locked(edition):
        return edition  # finalised or published: locked for good, seeding again changes nothing
    _categories(edition, user=secretariat, update=False)
    _prize_tiers(edition, user=secretariat, tiers=WORLD_TIERS)
    people.grant_roles(edition, users, roles=(EditionRole.Role.SECRETARIAT, EditionRole.Role.CHAIR,
                                              EditionRole.Role.OBSERVER))
    if edition.state == Edition.State.DRAFT:
        edition = edition_services.edition_open(edition=edition, user=secretariat)
    if edition.state == Edition.State.OPEN:
        # The entries are submitted while the call is open; then it closes and its deadline moves into the past.
        applications.seed_applications(edition, categories=DEMO_CATEGORIES, entries=entries, password=password,
                                       warn=warn)
        applications.screen_all_eligible(edition, user=secretariat)
        edition = edition_services.edition_close(edition=edition, user=secretariat)
        edition = edition_services.edition_update(
            edition=edition, user=secretariat, data={"closes_at": now - timedelta(days=7)}
        )
        edition = edition_services.edition_start_screening(edition=edition, user=secretariat)
        edition = edition_services.edition_start_judging(edition=edition, user=secretariat)

    _seed_rubric(edition, user=secretariat)
    categories = list(edition.categories.all())
    for number in (1, 2, 3):
        # The demo judges of the Seoul edition judge here too, so `judge1@demo.example` has a workbench.
        user = users[f"judge{number}@demo.example"]
        if not JudgeProfile.objects.filter(edition=edition, user=user).exists():
            judge_services.judge_profile_create(
                edition=edition, user=user, actor=secretariat, country="SG", capacity=30, expertise=categories
            )
    judging_round = seed_judging(edition, judges=judges, seed=JUDGED_SEED)
    judging_round.refresh_from_db()  # the assigner moved its state
    if judging_round.state == JudgingRound.State.ASSIGNING:
        judging_round = round_services.round_open(round=judging_round, user=secretariat)
    if not Review.objects.filter(assignment__round=judging_round).exists():
        # Most reviews in, a few drafts and some still to do: what a committee sees mid-round. The three demo
        # judges' queues are left for the newcomer who logs in as one of them.
        demo_judges = tuple(users[f"judge{number}@demo.example"].pk for number in (1, 2, 3))
        seed_scores(judging_round, seed=JUDGED_SEED, submitted_share=0.8, draft_share=0.05, skip_users=demo_judges)
    if not EntryResult.objects.filter(round=judging_round).exists():
        aggregation_services.round_aggregate(judging_round=judging_round)
    votes.seed_world_vote(edition, category_round=judging_round, secretariat=secretariat, password=password)
    return edition


def _seed_rubric(edition: Edition, *, user: User) -> Rubric:
    rubric = Rubric.objects.filter(edition=edition, category__isnull=True).first()
    if rubric is not None:
        return rubric
    rubric = rubric_services.rubric_save(rubric=Rubric(edition=edition, name="Awards criteria"), user=user)
    for position, (name, guidance, weight, concept_weight) in enumerate(CRITERIA):
        criterion = rubric_services.criterion_save(
            criterion=Criterion(rubric=rubric, name=name, guidance=guidance, weight=weight, position=position),
            user=user,
        )
        if concept_weight != weight:
            rubric_services.stage_weight_save(
                stage_weight=StageWeight(criterion=criterion, stage=Application.Stage.CONCEPT, weight=concept_weight),
                user=user,
            )
    return rubric

