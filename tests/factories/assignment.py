"""Builders for the assignment tests: eligible entries, judges, a one-category round, and the assigner in-process."""

from judging.models import Assignment, AssignmentRun, JudgingRound
from submissions.models import Application

from .judging import CriterionFactory, JudgeProfileFactory, JudgingRoundFactory, RubricFactory
from .submissions import ApplicationFactory, CategoryFactory, EditionFactory


def eligible(edition, category, **kwargs) -> Application:
    return ApplicationFactory(edition=edition, category=category, status=Application.Status.ELIGIBLE, **kwargs)


def judge(edition, *, expertise=(), capacity=10, country="FR", **kwargs):
    return JudgeProfileFactory(edition=edition, expertise=list(expertise), capacity=capacity, country=country,
                               **kwargs)


def assign(judging_round: JudgingRound) -> AssignmentRun:
    """What the "Run the assigner" button and the worker do, in-process."""
    from judging.services import assignment_runs, round_jobs

    run = round_jobs.assignment_run_create(round=judging_round, user=None, enqueue=False)
    return assignment_runs.round_assign(run=run)


def active_pairs(judging_round: JudgingRound) -> set[tuple[int, int]]:
    return set(
        Assignment.objects.filter(round=judging_round, state__in=Assignment.ACTIVE_STATES)
        .values_list("application_id", "judge_id")
    )


def loads(judging_round: JudgingRound) -> dict[int, int]:
    counts: dict[int, int] = {}
    for _application_id, judge_id in active_pairs(judging_round):
        counts[judge_id] = counts.get(judge_id, 0) + 1
    return counts


def one_category_round(*, k: int = 1, same_country: bool = False, **round_kwargs):
    edition = EditionFactory(conflict_same_country=same_country)
    category = CategoryFactory(edition=edition, name="Human-centric")
    judging_round = JudgingRoundFactory(edition=edition, categories=[category], judges_per_entry=k, **round_kwargs)
    # A round opens only with a complete rubric for its categories (round_rubric_gaps): the edition's default.
    CriterionFactory(rubric=RubricFactory(edition=edition, name="Main rubric"), name="Impact")
    return edition, category, judging_round
