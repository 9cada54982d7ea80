from datetime import timedelta

import factory
from django.utils import timezone

from judging.models import (
    Assignment,
    Bid,
    CalibrationEntry,
    Conflict,
    Criterion,
    CriterionScore,
    JudgeProfile,
    JudgingRound,
    Review,
    Rubric,
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


class BidFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bid

    judge = factory.SubFactory(JudgeProfileFactory)
    level = Bid.Level.EAGER


class ConflictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conflict

    judge = factory.SubFactory(JudgeProfileFactory)
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
