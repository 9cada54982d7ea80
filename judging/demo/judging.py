"""Demo judging: judges with expertise, countries and capacity, a few bids, one round assigned, reviews, results.

`seed_judging` creates the judges, their bids and one round over every category, then
assigns it; `seed_scores` has the assigned judges score their entries like a judge would.
Every write goes through the judging services. Running either again changes nothing
(same seed, same data): judges, bids and the round are looked up before they are created,
the assigner runs only while the round's entries are not all fully assigned, and reviews
already submitted are left alone.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from judging.models import Assignment, AssignmentRun, Bid, JudgeProfile, JudgingRound, Review
from judging.selectors.assignment import ACTIVE_STATES, ROUND_ENTRY_STATUSES, round_entries
from judging.services import assignment_runs, round_jobs
from judging.services import judges as judge_services
from judging.services import rounds as round_services
from judging.services.rubrics import rubric_for
from judging.services.scoring import ReviewInput, review_save_draft, review_submit, scoring_refusal
from portal.models import Edition, User
from submissions.models import Application

from .people import demo_password_hash, demo_user

DEMO_COUNTRIES = ["KR", "JP", "SG", "AE", "KE", "GH", "FR", "ES", "BR", "US", "IN", "ID"]
DEMO_ROUND_NAME = "Category round"
JUDGES_PER_ENTRY = 3
COMMENTS = (
    "Clear problem statement; the evidence of impact could be stronger.",
    "Convincing pilot results and a credible plan to scale.",
    "Inclusive design, but the budget is thin for the ambition.",
    "Strong partnerships; the measurement plan needs more detail.",
)


# --- judges, bids, the round and its assignment ------------------------------------------------------------

def _judge_user(edition: Edition, number: int, *, password: str) -> User:
    user = demo_user(f"judge{number:02d}.{edition.slug}@demo.example", f"Demo Judge {number:02d}", password=password)
    return user  # the judge role comes with the profile (judge_profile_create)


@transaction.atomic
def seed_judging(edition: Edition, *, judges: int, seed: int) -> JudgingRound:
    """Create `judges` demo judges, some bids and one round over every category, then assign it (synchronously)."""
    rng = random.Random(seed)
    categories = list(edition.categories.order_by("position", "pk"))
    entries = list(Application.objects.filter(edition=edition, category__in=categories,
                                              status__in=ROUND_ENTRY_STATUSES).order_by("pk"))
    # Room for every entry's k judges with a margin, so the demo round is always feasible.
    capacity = max(3, math.ceil(len(entries) * JUDGES_PER_ENTRY / max(judges, 1) * 1.5))

    password = demo_password_hash()
    profiles = []
    for number in range(1, judges + 1):
        user = _judge_user(edition, number, password=password)
        expertise = rng.sample(categories, k=min(len(categories), 1 + (rng.random() < 0.5))) if categories else []
        country = rng.choice(DEMO_COUNTRIES)
        judge = JudgeProfile.objects.filter(edition=edition, user=user).first()
        if judge is None:
            judge = judge_services.judge_profile_create(
                edition=edition, user=user, actor=None, country=country, capacity=capacity, expertise=expertise,
            )
        profiles.append(judge)

    for judge in profiles:
        for application in rng.sample(entries, k=min(len(entries), 3)):
            level = rng.choice([Bid.Level.EAGER, Bid.Level.EAGER, Bid.Level.WILLING, Bid.Level.NOT_WILLING])
            if not Bid.objects.filter(judge=judge, application=application).exists():
                judge_services.bid_set(judge=judge, level=level, user=None, application=application)

    judging_round = JudgingRound.objects.filter(edition=edition, name=DEMO_ROUND_NAME).first()
    if judging_round is None:
        position = (JudgingRound.objects.filter(edition=edition).order_by("-position")
                    .values_list("position", flat=True).first() or 0) + 1
        judging_round = round_services.round_create(
            edition=edition, user=None, name=DEMO_ROUND_NAME, categories=categories, position=position,
            judges_per_entry=JUDGES_PER_ENTRY, deadline=timezone.now() + timedelta(days=21),
            reminder_hours=[72, 24],
        )
    if judging_round.state not in round_services.CHANGEABLE_ROUND_STATES:
        return judging_round
    wanted = round_entries(round=judging_round).count() * judging_round.judges_per_entry
    assigned = Assignment.objects.filter(round=judging_round, state__in=ACTIVE_STATES).count()
    last = AssignmentRun.objects.filter(round=judging_round).order_by("-created_at", "-pk").first()
    if last is None or assigned != wanted:
        # Solved here and now rather than by a worker: the demo is ready when the command returns.
        run = round_jobs.assignment_run_create(round=judging_round, user=None, enqueue=False)
        assignment_runs.round_assign(run=run)
    return judging_round


# --- reviews -----------------------------------------------------------------------------------------------

def seed_scores(judging_round: JudgingRound, *, seed: int = 0, submitted_share: float = 1.0,
                draft_share: float = 0.0, skip_users: tuple[int, ...] = ()) -> dict[str, int]:
    """Have the round's judges score their assignments; returns how many reviews were submitted and drafted.

    Every entry gets a hidden quality and every judge a leniency; each criterion is scored around the middle of
    its scale, moved by quality + leniency + noise, with a short comment and a confidence.
    The round must be open (the services refuse otherwise). Assignments whose review is already submitted are
    left alone, so running it twice adds nothing. `submitted_share` of the remaining assignments are submitted,
    `draft_share` saved as drafts, the rest left to do.
    """
    rng = np.random.default_rng(seed)
    assignments = list(
        Assignment.objects.filter(round=judging_round, state__in=Assignment.ACTIVE_STATES)
        .exclude(judge__user_id__in=skip_users)
        .select_related("round__edition", "judge__user", "application")
        .order_by("pk")
    )
    if not assignments:
        return {"submitted": 0, "drafts": 0}
    refusal = scoring_refusal(assignment=assignments[0], user=assignments[0].judge.user)
    if refusal is not None and refusal.code in ("round_not_open", "deadline", "finalised"):
        raise ValidationError(refusal.messages[0], code=refusal.code)

    quality = {a.application_id: rng.normal(0.0, 1.0) for a in assignments}
    leniency = {a.judge_id: rng.normal(0.0, 0.6) for a in assignments}
    criteria_by_category: dict[int, list] = {}
    done = Review.objects.filter(assignment__in=assignments, state=Review.State.SUBMITTED).values_list(
        "assignment_id", flat=True
    )
    already = set(done)
    counts = {"submitted": 0, "drafts": 0}
    for assignment in assignments:
        if assignment.pk in already:
            continue
        draw = rng.random()
        if draw >= submitted_share + draft_share:
            continue
        category_id = assignment.application.category_id
        if category_id not in criteria_by_category:
            rubric = rubric_for(edition_id=judging_round.edition_id, category_id=category_id)
            criteria_by_category[category_id] = list(rubric.criteria.all()) if rubric else []
        criteria = criteria_by_category[category_id]
        if not criteria:
            continue
        level = quality[assignment.application_id] + leniency[assignment.judge_id]
        scores = {}
        for criterion in criteria:
            middle = (criterion.scale_min + criterion.scale_max) / 2
            spread = (criterion.scale_max - criterion.scale_min) / 5
            value = middle + spread * (level + rng.normal(0.0, 0.5))
            scores[criterion.pk] = int(np.clip(round(value), criterion.scale_min, criterion.scale_max))
        data = ReviewInput(
            scores=scores,
            committee_comment=COMMENTS[int(rng.integers(len(COMMENTS)))],
            confidence=int(rng.integers(2, 6)),
            confidence_given=True,
        )
        user = assignment.judge.user
        if draw < submitted_share:
            review_submit(assignment=assignment, user=user, data=data, notify=False)
            counts["submitted"] += 1
        else:
            review_save_draft(assignment=assignment, user=user, data=data)
            counts["drafts"] += 1
    return counts
