from datetime import timedelta

import factory
from django.utils import timezone

from judging.models import (
    AggregationRun,
    Assignment,
    AssignmentRun,
    Bid,
    CalibrationEntry,
    CategoryAssignmentSummary,
    CategoryResultSummary,
    Conflict,
    Criterion,
    CriterionScore,
    EntryResult,
    JudgeProfile,
    JudgeResult,
    JudgingRound,
    ReminderSent,
    Review,
    Rubric,
    Shortlisting,
    StageWeight,
)

from .portal import EditionFactory, VerifiedUserFactory


class JudgeProfileFactory(factory.django.DjangoModelFactory):
    """A judge with the judge role in the edition (so the permission predicates hold)."""

    class Meta:
        model = JudgeProfile
        skip_postgeneration_save = True

    edition = factory.SubFactory(EditionFactory)
    user = factory.SubFactory(VerifiedUserFactory)
    country = "FR"
    capacity = 20

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            from portal.models import EditionRole

            EditionRole.objects.get_or_create(edition=obj.edition, user=obj.user, role=EditionRole.Role.JUDGE)

    @factory.post_generation
    def expertise(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.expertise.set(extracted)


class JudgingRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JudgingRound
        skip_postgeneration_save = True

    edition = factory.SubFactory(EditionFactory)
    name = factory.Sequence(lambda n: f"Round {n}")
    position = factory.Sequence(lambda n: n + 1)
    judges_per_entry = 3
    deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    state = JudgingRound.State.SCHEDULED

    @factory.post_generation
    def categories(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.categories.set(extracted)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    round = factory.SubFactory(JudgingRoundFactory)
    judge = factory.SubFactory(JudgeProfileFactory, edition=factory.SelfAttribute("..round.edition"))
    application = factory.SubFactory(
        "tests.factories.submissions.ApplicationFactory", edition=factory.SelfAttribute("..round.edition")
    )
    state = Assignment.State.ASSIGNED
    source = Assignment.Source.SOLVER

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        """A row written past the services is not counted: the round's summaries are dropped, so its page counts
        from the assignments (judging/selectors/design.py) until a service counts them again."""
        super()._after_postgeneration(instance, create, results)
        if create:
            CategoryAssignmentSummary.objects.filter(round_id=instance.round_id).delete()


class BidFactory(factory.django.DjangoModelFactory):
    """A bid on an entry of the judge's edition, or on the `category` given instead."""

    class Meta:
        model = Bid

    judge = factory.SubFactory(JudgeProfileFactory)
    category = None
    application = factory.Maybe(
        "category", yes_declaration=None,
        no_declaration=factory.SubFactory("tests.factories.submissions.ApplicationFactory",
                                          edition=factory.SelfAttribute("..judge.edition")),
    )
    level = Bid.Level.EAGER


class ConflictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conflict

    judge = factory.SubFactory(JudgeProfileFactory)
    application = factory.SubFactory("tests.factories.submissions.ApplicationFactory",
                                     edition=factory.SelfAttribute("..judge.edition"))
    source = Conflict.Source.SECRETARIAT
    reason = "Former employer"


class RubricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rubric

    edition = factory.SubFactory(EditionFactory)
    name = factory.Sequence(lambda n: f"Rubric {n}")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    rubric = factory.SubFactory(RubricFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    scale_min = 1
    scale_max = 10
    weight = 1
    position = factory.Sequence(lambda n: n)


class StageWeightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StageWeight

    criterion = factory.SubFactory(CriterionFactory)
    stage = "pilot"
    weight = 2


class CalibrationEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalibrationEntry

    round = factory.SubFactory(JudgingRoundFactory)
    application = factory.SubFactory(
        "tests.factories.submissions.ApplicationFactory", edition=factory.SelfAttribute("..round.edition")
    )


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    assignment = factory.SubFactory(AssignmentFactory)


class CriterionScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CriterionScore

    review = factory.SubFactory(ReviewFactory)
    criterion = factory.SubFactory(CriterionFactory)
    score = 5


# --- runs, reminders, results and the shortlist (rows the services write; tests of those go through them) ----


class AssignmentRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssignmentRun

    round = factory.SubFactory(JudgingRoundFactory)
    state = AssignmentRun.State.PENDING


class ReminderSentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReminderSent

    round = factory.SubFactory(JudgingRoundFactory)
    judge = factory.SubFactory(JudgeProfileFactory, edition=factory.SelfAttribute("..round.edition"))
    hours_before = 24


class AggregationRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AggregationRun

    round = factory.SubFactory(JudgingRoundFactory)
    state = AggregationRun.State.PENDING


class EntryResultFactory(factory.django.DjangoModelFactory):
    """One entry's aggregate: three reviews around 6 out of 10, ranked in the order made."""

    class Meta:
        model = EntryResult

    round = factory.SubFactory(JudgingRoundFactory)
    application = factory.SubFactory(
        "tests.factories.submissions.ApplicationFactory", edition=factory.SelfAttribute("..round.edition"),
        status="eligible",
    )
    category = factory.SelfAttribute("application.category")
    n_reviews = 3
    mean = 6.0
    median = 6.0
    corrected = 6.0
    spread = 2.0
    stdev = 1.0
    interval_low = 5.0
    interval_high = 7.0
    rank = factory.Sequence(lambda n: n + 1)
    criterion_medians = factory.LazyFunction(dict)
    method = "least-squares judge offsets"
    method_version = "1"


class JudgeResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JudgeResult

    round = factory.SubFactory(JudgingRoundFactory)
    judge = factory.SubFactory(JudgeProfileFactory, edition=factory.SelfAttribute("..round.edition"))
    n_reviews = 3
    offset = 0.0
    corrected = True


class ShortlistingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shortlisting

    round = factory.SubFactory(JudgingRoundFactory)
    application = factory.SubFactory(
        "tests.factories.submissions.ApplicationFactory", edition=factory.SelfAttribute("..round.edition"),
        status="eligible",
    )
    by_rank = True


class CategoryAssignmentSummaryFactory(factory.django.DjangoModelFactory):
    """What the round's page shows of one category's assignments: two entries, three judges in one panel."""

    class Meta:
        model = CategoryAssignmentSummary

    round = factory.SubFactory(JudgingRoundFactory)
    category = factory.SubFactory("tests.factories.submissions.CategoryFactory",
                                  edition=factory.SelfAttribute("..round.edition"))
    rows = 4
    assignments = 4
    judges = 3
    entries_by_judges = factory.LazyFunction(lambda: {"2": 2})
    panel_sizes = factory.LazyFunction(lambda: [3])


class CategoryResultSummaryFactory(factory.django.DjangoModelFactory):
    """What the leaderboard shows of one category after a computation: three entries, one without a result."""

    class Meta:
        model = CategoryResultSummary

    round = factory.SubFactory(JudgingRoundFactory)
    category = factory.SubFactory("tests.factories.submissions.CategoryFactory",
                                  edition=factory.SelfAttribute("..round.edition"))
    entries = 3
    without_results = 1
    corrected_bins = factory.LazyFunction(lambda: [0, 1, 2, 0])
    raw_bins = factory.LazyFunction(lambda: [1, 1, 1, 0])
