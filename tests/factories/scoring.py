"""Builders for the scoring tests: an edition in judging with an open round, a rubric, judges and entries.

`make_world` is the general set-up; `hand_world` is the small case whose aggregation is computed by hand
(see tests/judging/test_aggregation_service.py, which checks every number of it).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from judging.models import Assignment, Criterion, JudgeProfile, JudgingRound, Rubric
from portal.models import Edition
from submissions.models import Application, ApplicationSnapshot, Category

from .judging import AssignmentFactory, CriterionFactory, JudgeProfileFactory, JudgingRoundFactory, RubricFactory
from .portal import EditionRoleFactory, OrganisationFactory
from .submissions import ApplicationFactory, CategoryFactory, EditionFactory, snapshot_data


def submitted_entry(*, edition: Edition, category: Category, attachments=(), **fields) -> Application:
    """An eligible application with its submitted snapshot."""
    fields.setdefault("status", Application.Status.ELIGIBLE)
    application = ApplicationFactory(edition=edition, category=category, **fields)
    ApplicationSnapshot.objects.create(application=application, number=1, data=snapshot_data(application, attachments))
    return application


@dataclass
class World:
    edition: Edition
    category: Category
    round: JudgingRound
    rubric: Rubric
    criteria: list[Criterion]
    judges: list[JudgeProfile]
    entries: list[Application]
    assignments: dict = field(default_factory=dict)  # (judge index, entry index) -> Assignment

    def assignment(self, judge: int, entry: int) -> Assignment:
        return self.assignments[(judge, entry)]

    def role(self, role: str):
        return EditionRoleFactory(edition=self.edition, role=role).user


def make_world(*, judges: int = 2, entries: int = 2, pairs=None, criteria=((0, 10, 1), (0, 10, 1)),
               blind: bool = False, state=JudgingRound.State.OPEN, edition_state=Edition.State.JUDGING,
               category=None, edition=None, place_queues: bool = True, aggregation_method: str | None = None) -> World:
    """`pairs` lists (judge index, entry index) to assign; by default every judge gets every entry.

    With `place_queues` the judges' queues are ordered as the assignment services order them; without, the
    assignments wait unplaced (position 0), as right before the services place them.
    """
    edition = edition or EditionFactory(state=edition_state, opens_at=timezone.now() - timedelta(days=60),
                                        closes_at=timezone.now() - timedelta(days=30))
    category = category or CategoryFactory(edition=edition, name="Human-centric")
    rubric = Rubric.objects.filter(edition=edition, category__isnull=True).first() or RubricFactory(
        edition=edition, name="Main rubric")
    made = [
        CriterionFactory(rubric=rubric, name=f"Criterion {i + 1}", scale_min=low, scale_max=high, weight=weight,
                         position=i)
        for i, (low, high, weight) in enumerate(criteria)
    ] if not rubric.criteria.exists() else list(rubric.criteria.all())
    judging_round = JudgingRoundFactory(edition=edition, state=state, blind=blind, judges_per_entry=3,
                                        categories=[category],
                                        **({"aggregation_method": aggregation_method} if aggregation_method else {}))
    judge_profiles = [JudgeProfileFactory(edition=edition, expertise=[category]) for _ in range(judges)]
    apps = [submitted_entry(edition=edition, category=category, title=f"Entry {i + 1}",
                            organisation=OrganisationFactory(name=f"Organisation {category.pk}-{i + 1}"))
            for i in range(entries)]
    world = World(edition, category, judging_round, rubric, made, judge_profiles, apps)
    for j, e in pairs if pairs is not None else [(j, e) for j in range(judges) for e in range(entries)]:
        world.assignments[(j, e)] = AssignmentFactory(round=judging_round, judge=judge_profiles[j],
                                                      application=apps[e])
    if not place_queues:
        return world
    # As the assignment services do when they make assignments: each judge's queue gets its order.
    from judging.services.queues import queues_place

    queues_place(judging_round=judging_round, judge_ids=[profile.pk for profile in judge_profiles])
    for assignment in world.assignments.values():
        assignment.refresh_from_db(fields=["queue_position"])
    return world


# --- the small case computed by hand ---------------------------------------------------------------------------

A, B, C, D = range(4)
J1, J2, J3 = range(3)

# Four entries, three judges, each judge three reviews, one criterion on 0–10 (so a total is the score).
# Every score is exactly quality + offset, with qualities A 8, B 6, C 6, D 4 and offsets J1 -1, J2 0, J3 +1
# (summing to zero, the identifying constraint), so least squares recovers them exactly:
#
#          J1  J2  J3   raw mean  median  spread  corrected  correction  rank
#   A       7   8   9   8         8       2       8          0           1
#   B       5   6   .   5.5       5.5     1       6          +0.5        2 (tied)
#   C       .   6   7   6.5       6.5     1       6          -0.5        2 (tied)
#   D       3   .   5   4         4       2       4          0           4
#
# The raw mean puts C ahead of B only because C met the lenient judge and B the severe one.
SCORES = {(A, J1): 7, (A, J2): 8, (A, J3): 9, (B, J1): 5, (B, J2): 6, (C, J2): 6, (C, J3): 7, (D, J1): 3, (D, J3): 5}


def hand_world(**kwargs) -> World:
    """`make_world` with the SCORES above submitted through the scoring service, and no prize tiers (no boundaries).

    The figures above are method 1's (least squares on total = quality + judge offset), so the round uses it unless
    told otherwise."""
    from judging.services.scoring import ReviewInput, review_submit

    kwargs.setdefault("aggregation_method", JudgingRound.AggregationMethod.OFFSETS)
    world = make_world(judges=3, entries=4, pairs=[(j, e) for (e, j) in SCORES], criteria=((0, 10, 1),), **kwargs)
    for (e, j), score in SCORES.items():
        review_submit(assignment=world.assignment(j, e), user=world.judges[j].user,
                      data=ReviewInput(scores={world.criteria[0].pk: score}), notify=False)
    return world


def scored_world(*, entries: int, **kwargs) -> World:
    """Two judges score every one of `entries` entries on one criterion (a spread of scores), and the round's results
    are computed: a leaderboard of `entries` rows."""
    from judging.services.aggregation import round_aggregate
    from judging.services.scoring import ReviewInput, review_submit

    world = make_world(judges=2, entries=entries, criteria=((0, 10, 1),), **kwargs)
    for (j, e), assignment in world.assignments.items():
        review_submit(assignment=assignment, user=world.judges[j].user, notify=False,
                      data=ReviewInput(scores={world.criteria[0].pk: (3 * e + j) % 11}))
    round_aggregate(judging_round=world.round)
    return world
