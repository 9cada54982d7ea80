"""Plausible scores for a demo round, written through the scoring services like a judge's would be.

`seed_scores(round, seed=...)` gives every entry a hidden quality and every judge a
leniency, then has each assigned judge submit a review: criterion scores around the
middle of each scale moved by quality + leniency + noise, a short comment, a confidence.
seed_demo calls it after the assigner has run and the round is open.
"""

from __future__ import annotations

import numpy as np
from django.core.exceptions import ValidationError

from .models import Assignment, JudgingRound, Review
from .services.rubrics import rubric_for
from .services.scoring import ReviewInput, review_save_draft, review_submit, scoring_refusal

COMMENTS = (
    "Clear problem statement; the evidence of impact could be stronger.",
    "Convincing pilot results and a credible plan to scale.",
    "Inclusive design, but the budget is thin for the ambition.",
    "Strong partnerships; the measurement plan needs more detail.",
)


def seed_scores(judging_round: JudgingRound, *, seed: int = 0, submitted_share: float = 1.0,
                draft_share: float = 0.0, skip_users: tuple[int, ...] = ()) -> dict[str, int]:
    """Have the round's judges score their assignments; returns how many reviews were submitted and drafted.

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
