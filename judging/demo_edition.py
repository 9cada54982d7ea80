"""A second demo edition, already judged: the World Smart City Awards (one winner per category).

`seed_demo` builds it after the open Seoul edition so that a newcomer can click through
every role with real data: the judges' workbench with assignments, the committee's
leaderboard with bias-corrected scores, the round page with the assigner's figures.
Everything goes through the services, as a real edition would. Running it again adds nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from portal.models import EditionRole, User
from portal.services import role_grant
from submissions import services as submission_services
from submissions.models import Application, Category, Edition

from .demo import seed_judging
from .demo_scoring import seed_scores
from .models import Criterion, EntryResult, JudgeProfile, JudgingRound, Review, Rubric, StageWeight
from .services import aggregation as aggregation_services
from .services import rounds as round_services
from .services import judges as judge_services
from .services import rubrics as rubric_services

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


def seed_judged_edition(*, add_applications, categories: list[tuple[str, str, str]], entries: int, judges: int,
                        staff: dict[str, User]) -> Edition:
    """Build (or complete) the judged demo edition.

    `categories` are (slug, name, description); `add_applications(edition, entries)` writes submitted entries.
    """
    now = timezone.now().replace(microsecond=0)
    edition, created = Edition.objects.get_or_create(
        slug=JUDGED_SLUG,
        defaults={
            "name": "World Smart City Awards (demo)",
            "programme": "World Smart City Awards",
            "description": "A judged demo edition: one winner per category, after a round scored by the committee.",
            "time_zone": "Europe/Madrid",
            "opens_at": now - timedelta(days=60),
            "closes_at": now + timedelta(days=1),
            "state": Edition.State.OPEN,
        },
    )
    for position, (slug, name, description) in enumerate(categories):
        Category.objects.get_or_create(
            edition=edition, slug=slug, defaults={"name": name, "description": description, "position": position}
        )
    secretariat = staff["secretariat@demo.example"]
    for email, role in [("secretariat@demo.example", EditionRole.Role.SECRETARIAT),
                        ("chair@demo.example", EditionRole.Role.CHAIR),
                        ("observer@demo.example", EditionRole.Role.OBSERVER)]:
        role_grant(edition=edition, user=staff[email], role=role)

    if edition.state == Edition.State.OPEN:
        add_applications(edition, entries)
        for application in Application.objects.filter(edition=edition, status=Application.Status.SUBMITTED):
            submission_services.application_screen(application=application, user=secretariat, eligible=True)
        edition = submission_services.edition_close(edition=edition, user=secretariat)
        edition = submission_services.edition_update(
            edition=edition, user=secretariat, data={"closes_at": now - timedelta(days=7)}
        )
        edition = submission_services.edition_start_screening(edition=edition, user=secretariat)
        edition = submission_services.edition_start_judging(edition=edition, user=secretariat)

    _seed_rubric(edition, user=secretariat)
    categories = list(edition.categories.all())
    for number in (1, 2, 3):
        # The demo judges of the Seoul edition judge here too, so `judge1@demo.example` has a workbench.
        user = staff[f"judge{number}@demo.example"]
        if not JudgeProfile.objects.filter(edition=edition, user=user).exists():
            judge_services.judge_profile_create(
                edition=edition, user=user, actor=secretariat, country="SG", capacity=30, expertise=categories
            )
    judging_round = seed_judging(edition, judges=judges, seed=JUDGED_SEED)
    if judging_round.prize_boundaries != [1]:
        judging_round = round_services.round_scoring_settings_update(
            round=judging_round, user=secretariat, prize_boundaries=[1],
            explanation_to_applicants=judging_round.explanation_to_applicants,
        )
    if judging_round.state == JudgingRound.State.ASSIGNING:
        judging_round = round_services.round_open(round=judging_round, user=secretariat)
    if not Review.objects.filter(assignment__round=judging_round).exists():
        # Most reviews in, a few drafts and some still to do: what a committee sees mid-round. The three demo
        # judges' queues are left for the newcomer who logs in as one of them.
        demo_judges = tuple(staff[f"judge{number}@demo.example"].pk for number in (1, 2, 3))
        seed_scores(judging_round, seed=JUDGED_SEED, submitted_share=0.8, draft_share=0.05, skip_users=demo_judges)
    if not EntryResult.objects.filter(round=judging_round).exists():
        aggregation_services.round_aggregate(judging_round=judging_round)
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
